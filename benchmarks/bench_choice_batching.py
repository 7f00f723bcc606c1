"""MMLU-Pro seconds per question on the hf backend: a question's options in one batch (log-likelihood batches
of ``batch_size`` distinct contexts) against the baseline of ``batch_size`` requests a batch, same run.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_choice_batching.py [--questions 10] [--seed 0]

Embedded SmolLM2-135M, batch size 8, fresh run store per side (every call made). Each question is asked by
both sides one after the other, the side going first alternating, so that load on a shared machine falls
on both alike. Prints per side the seconds per question (wall and process CPU), the ratio, and the largest
difference between the two sides' option log-likelihoods.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from alignscope.backends.registry import make_backend
    from alignscope.config import ModelSpec
    from alignscope.engine import Engine
    from alignscope.store import RunStore
    from alignscope.tasks.registry import TaskContext, get_task

    spec = ModelSpec(name="smollm2-135m", backend="hf", batch_size=8)
    backend = make_backend(spec)
    backend.loaded  # noqa: B018 - load before timing
    task = get_task("mmlu-pro")
    items = task.items(limit=args.questions, seed=args.seed)
    sides = {"by-context": True, "by-requests (baseline)": False}
    wall = dict.fromkeys(sides, 0.0)
    cpu = dict.fromkeys(sides, 0.0)
    lls: dict[str, list[list[float]]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory() as tmp:
        for k, item in enumerate(items):
            for side in list(sides)[:: 1 if k % 2 == 0 else -1]:
                backend.batches_by_context = sides[side]
                run = f"{side.split()[0]}-{k}"
                ctx = TaskContext(Engine(RunStore(Path(tmp) / run), run, progress=False), backend, spec)
                start, start_cpu = time.perf_counter(), time.process_time()
                outcome = task.evaluate(ctx, [item])
                wall[side] += time.perf_counter() - start
                cpu[side] += time.process_time() - start_cpu
                assert not outcome.failures, outcome.failures
                lls[side].append(outcome.results[0]["lls"])
    new, old = sides
    pairs = [(np.array(a), np.array(b)) for a, b in zip(lls[new], lls[old], strict=True)]
    row = {
        "questions": len(items),
        "options": sum(len(it.choices or ()) for it in items),
        **{f"{side} s/question": round(wall[side] / len(items), 2) for side in sides},
        **{f"{side} cpu s/question": round(cpu[side] / len(items), 2) for side in sides},
        "baseline / by-context (wall)": round(wall[old] / wall[new], 2),
        "baseline / by-context (cpu)": round(cpu[old] / cpu[new], 2),
        "max_abs_ll_difference": max(float(np.abs(a - b).max()) for a, b in pairs),
        "same_predictions": sum(int(np.argmax(a) == np.argmax(b)) for a, b in pairs),
    }
    print(json.dumps(row, indent=1))


if __name__ == "__main__":
    main()
