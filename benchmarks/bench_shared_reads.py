"""Log-likelihood requests sharing a long start on the hf backend: the shared part read once and each input
going on from it, against the baseline of every input read whole, same run.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_shared_reads.py [--items 10] [--seed 0]

Two workloads on the embedded SmolLM2-135M (batch size 8, kept states off on both sides so that only the
shared reads differ): TruthfulQA MC1 (lm-eval's few-shot QA context, then each multi-token option) and the
conclusions of Arena-Hard judgments that wrote no verdict (the judge prompt, the judge's own 64 tokens, then
each of the five ``[[verdict]]`` labels). Each item is scored by both sides one after the other, the side
going first alternating, with a fresh run store per side (every call made). Prints per workload the seconds
per item (wall and process CPU) per side, the ratios, and the largest difference between the sides'
log-likelihoods with the number of items whose most likely option or label is the same.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np


def _arena_requests(backend: Any, n: int, seed: int) -> list[list[Any]]:
    """Per Arena-Hard question: the five conclusion requests of the judgment of gpt-4-0314's answer
    against itself, the judge's own text its greedy first 64 tokens (made before timing)."""
    from alignscope.backends.base import ChatRequest, LoglikelihoodRequest
    from alignscope.data import load_items
    from alignscope.judges.parsing import CONCLUSIONS
    from alignscope.judges.templates import load_template
    from alignscope.records import SamplingParams

    template = load_template("arena-hard")
    ending = CONCLUSIONS.get("verdict_5")
    items = load_items("arena-hard-v0.1", limit=n, seed=seed)
    prompts = [
        template.render(
            question=it.messages[-1].content,
            answer_a=it.target["baseline_output"],
            answer_b=it.target["baseline_output"],
        )
        for it in items
    ]
    sampling = SamplingParams(temperature=0.0, max_tokens=64)
    texts = asyncio.run(
        backend.generate([ChatRequest(messages=p, sampling=sampling) for p in prompts], "local")
    )
    return [
        [
            LoglikelihoodRequest(context=p, continuation=t.text + ending.text + label)
            for label in ending.labels
        ]
        for p, t in zip(prompts, texts, strict=True)
    ]


def _truthfulqa_requests(n: int, seed: int) -> list[list[Any]]:
    """Per TruthfulQA MC1 question: its option requests as the task sends them."""
    from alignscope.tasks.registry import get_task

    task = get_task("truthfulqa-mc1")
    return [task.choice_prompt(it).requests() for it in task.items(limit=n, seed=seed)]


def _timed(backend: Any, workload: list[list[Any]]) -> dict[str, Any]:
    import alignscope.backends.hf as hf
    from alignscope.engine import Engine
    from alignscope.store import RunStore

    sides = {"shared": True, "whole (baseline)": False}
    wall = dict.fromkeys(sides, 0.0)
    cpu = dict.fromkeys(sides, 0.0)
    lls: dict[str, list[np.ndarray]] = {side: [] for side in sides}
    grouping = hf._shared_groups
    with tempfile.TemporaryDirectory() as tmp:
        for k, requests in enumerate(workload):
            for side in list(sides)[:: 1 if k % 2 == 0 else -1]:
                hf._shared_groups = grouping if sides[side] else (lambda inputs: [])
                run = f"{side.split()[0]}-{k}"
                engine = Engine(RunStore(Path(tmp) / run), run, progress=False)
                engine.store.start_run(run, "bench", {})
                start, start_cpu = time.perf_counter(), time.process_time()
                out = engine.loglikelihood(backend, requests)
                wall[side] += time.perf_counter() - start
                cpu[side] += time.process_time() - start_cpu
                assert all(o.error is None for o in out), [o.error for o in out]
                lls[side].append(np.array([o.result.logprob for o in out]))
    hf._shared_groups = grouping
    new, old = sides
    n = len(workload)
    return {
        "items": n,
        "requests": sum(len(r) for r in workload),
        **{f"{side} s/item": round(wall[side] / n, 3) for side in sides},
        **{f"{side} cpu s/item": round(cpu[side] / n, 3) for side in sides},
        "whole / shared (wall)": round(wall[old] / wall[new], 2),
        "whole / shared (cpu)": round(cpu[old] / cpu[new], 2),
        "max_abs_ll_difference": max(
            float(np.abs(a - b).max()) for a, b in zip(lls[new], lls[old], strict=True)
        ),
        "same_top": sum(int(np.argmax(a) == np.argmax(b)) for a, b in zip(lls[new], lls[old], strict=True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from alignscope.backends.registry import make_backend
    from alignscope.config import ModelSpec

    spec = ModelSpec(name="smollm2-135m", backend="hf", batch_size=8, options={"prefix_cache_mb": 0})
    backend = make_backend(spec)
    backend.loaded  # noqa: B018 - load before timing
    workloads = {
        "truthfulqa-mc1": _truthfulqa_requests(args.items, args.seed),
        "arena-hard conclusions": _arena_requests(backend, args.items, args.seed),
    }
    print(json.dumps({name: _timed(backend, w) for name, w in workloads.items()}, indent=1))


if __name__ == "__main__":
    main()
