"""Speed of alignscope's log-likelihood tasks against lm-evaluation-harness on a shared machine, interleaved.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_choice_interleaved.py --task mmlu-pro --items 40

The items go in chunks of ``--chunk`` questions. Each chunk runs through alignscope's whole task path (the
task's requests, the engine with a fresh store, the hf backend, scoring) and through lm-eval's ``HFLM``
log-likelihood call on the same requests and the same loaded weights, the side that goes first alternating
from chunk to chunk, so that both sides see the same load. Prints both sides' seconds, the ratio
(alignscope / lm-eval) and the largest log-likelihood difference.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from lm_eval_side import load_alignscope_model, task_context


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="mmlu-pro", help="a log-likelihood multiple-choice task")
    parser.add_argument("--items", type=int, default=40, help="seeded items")
    parser.add_argument("--chunk", type=int, default=8, help="questions per chunk")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    from lm_eval.api.instance import Instance

    from alignscope.data import load_items
    from alignscope.tasks.registry import get_task
    from alignscope.testing.lm_eval_reference import hf_model

    spec, backend = load_alignscope_model(args.threads)
    lm = hf_model(loaded=backend.loaded, batch_size=spec.batch_size)
    task = get_task(args.task)
    items = load_items(task.dataset, limit=args.items, seed=args.seed)
    seconds = {"alignscope": 0.0, "lm-eval": 0.0}
    gap = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(0, len(items), args.chunk):
            chunk = items[k : k + args.chunk]
            requests = [r for item in chunk for r in task.choice_prompt(item).requests()]
            instances = [
                Instance("loglikelihood", doc={}, arguments=(r.context, r.continuation), idx=i)
                for i, r in enumerate(requests)
            ]
            ctx = task_context(Path(tmp), f"chunk-{k}", spec, backend)
            runs = {
                "alignscope": lambda ctx=ctx, chunk=chunk: task.evaluate(ctx, chunk),
                "lm-eval": lambda instances=instances: lm.loglikelihood(instances, disable_tqdm=True),
            }
            order = list(runs) if (k // args.chunk) % 2 == 0 else list(reversed(runs))
            out = {}
            for side in order:
                start = time.perf_counter()
                out[side] = runs[side]()
                seconds[side] += time.perf_counter() - start
            assert not out["alignscope"].failures
            by_id = {r["item_id"]: r["lls"] for r in out["alignscope"].results}
            ours = [ll for item in chunk for ll in by_id[item.id]]
            gap = max(gap, *(abs(a - b) for a, (b, _) in zip(ours, out["lm-eval"], strict=True)))
    ratio = seconds["alignscope"] / seconds["lm-eval"]
    print(
        f"{args.task}, {len(items)} questions in chunks of {args.chunk}: alignscope "
        f"{seconds['alignscope']:.1f} s, lm-eval {seconds['lm-eval']:.1f} s, alignscope / lm-eval "
        f"{ratio:.3f}; max log-likelihood gap {gap:.1e}"
    )


if __name__ == "__main__":
    main()
