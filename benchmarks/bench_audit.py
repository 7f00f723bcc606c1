"""Wall time of the default ``alignscope audit`` and of each of its stages, cold and resumed.

    .venv/bin/python benchmarks/bench_audit.py [--limit N] [--max-tokens N] [--threads N]

Runs the embedded default audit (the same code as ``alignscope audit`` with no config) in a fresh workspace
(cold: every model call made), then again in the same workspace (resumed: every call answered from the run
store's cache), and prints each stage's wall and CPU seconds for both runs and the cold/resumed ratio. The
resumed run is the baseline: what is left when no model is called (model loading, scoring, analyses, report).
``--threads`` sets torch's intra-op threads (default: torch's own choice, as the CLI runs).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def _run(limit: int | None, max_tokens: int | None, workspace: Path, out: Path) -> tuple[list[dict], float]:
    from alignscope.auditing.default import default_config
    from alignscope.auditing.run import run_audit
    from alignscope.store import RunStore

    cfg = default_config(limit)
    if max_tokens is not None:
        sampling = cfg.sampling.model_copy(update={"max_tokens": max_tokens})
        cfg = cfg.model_copy(update={"sampling": sampling, "suite_max_tokens": max_tokens})
    cfg = cfg.model_copy(update={"out": str(out)})
    start = time.perf_counter()
    outcome = run_audit(cfg, RunStore(workspace), progress=False)
    return outcome.results["stage_timings"], time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--limit", type=int, default=None, help="Items per task (default: the audit's default)."
    )
    parser.add_argument(
        "--max-tokens", type=int, default=None, help="Cap on generated tokens (default: the audit's)."
    )
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads.")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cold, cold_total = _run(args.limit, args.max_tokens, root / "ws", root / "cold")
        warm, warm_total = _run(args.limit, args.max_tokens, root / "ws", root / "warm")
    warm_by_stage = {s["stage"]: s for s in warm}
    print(f"{'stage':52s} {'cold wall s':>11s} {'cold cpu s':>10s} {'resumed wall s':>14s} {'ratio':>7s}")
    for stage in cold:
        base = warm_by_stage.get(stage["stage"], {"wall_s": float("nan")})
        ratio = stage["wall_s"] / base["wall_s"] if base["wall_s"] else float("inf")
        print(
            f"{stage['stage']:52s} {stage['wall_s']:11.1f} {stage['cpu_s']:10.1f} {base['wall_s']:14.1f} "
            f"{ratio:7.1f}"
        )
    total = "total (in-process wall)"
    print(f"{total:52s} {cold_total:11.1f} {'':10s} {warm_total:14.1f} {cold_total / warm_total:7.1f}")


if __name__ == "__main__":
    main()
