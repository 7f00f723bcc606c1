"""Meta-Rewarding on CPU: 2 iterations on the embedded SmolLM2-135M-Instruct (issue 7's acceptance run).

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/meta_rewarding_loop.py [--workspace DIR] [--prompts 16]

16 Vicuna-bench prompts, K=4 responses each (T=0.8, top_p=0.95, 64 tokens), N=3 rubric judgments per
response (the paper's Self-Rewarding template, 32 tokens: SmolLM2-135M almost never writes the "Score: k"
line, so each judgment is concluded by the judge's next-token probabilities after its own text and "Score: "),
the meta-judge (the paper's template) with logprob verdicts on the most varied response, DPO (beta 0.1), then
per-iteration evaluation: greedy answers to 16 MT-Bench first turns, logprob pairwise verdicts (AlpacaEval
template) by the seed model against the seed's answers, and TruthfulQA MC1 (25 items) as the concrete task.

Prints the wall time of the whole run and of each stage (from the stage markers), and the baseline measured
in the same run: rerunning the finished run, which must load every stage from the store, make no model call
and train nothing (ratio = full run / rerun).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from alignscope.engine.runner import Engine
from alignscope.store import RunStore
from alignscope.training.meta_config import MetaRewardingConfig
from alignscope.training.meta_rewarding import STAGES, marker_name, run_meta_rewarding

CONFIG = {
    "name": "smollm2-mr",
    "model": "smollm2-135m",
    "prompts": "vicuna_bench",
    "iterations": 2,
    "samples": 4,
    "max_tokens": 64,
    "judge_samples": 3,
    "judge_max_tokens": 32,
    "judge_unparsed": "conclude",
    "meta_verdict": "logprob",
    "dpo": {"learning_rate": 5e-6, "epochs": 1, "batch_size": 4, "max_length": 1024, "logging_steps": 1},
    "generation": {"batch_size": 8},
    "evaluation": {
        "prompts": "mt_bench",
        "limit": 16,
        "max_tokens": 64,
        "tasks": ["truthfulqa-mc1"],
        "task_limit": 25,
    },
}


def _run(workspace: Path, config: dict) -> tuple[Engine, list[dict], float]:
    store = RunStore(workspace)
    store.start_run("bench", "meta-rewarding", config)
    engine = Engine(store, "bench", progress=False)
    start = time.perf_counter()
    result = run_meta_rewarding(MetaRewardingConfig.model_validate(config), engine, workspace)
    return engine, result.metrics, time.perf_counter() - start


def _stage_seconds(store: RunStore, iterations: int, started: float) -> list[tuple[str, float]]:
    out, last = [], started
    for t in range(iterations + 1):
        for stage in STAGES if t else ("evaluate",):
            marker = store.get_artifact("bench", marker_name(t, stage))
            if marker is not None:
                out.append((f"iter{t}/{stage}", marker["finished_at"] - last))
                last = marker["finished_at"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--prompts", type=int, default=16)
    args = parser.parse_args()
    workspace = args.workspace or Path(tempfile.mkdtemp(prefix="mr-bench-"))
    config = {**CONFIG, "prompt_limit": args.prompts}
    started = time.time()
    engine, metrics, full_s = _run(workspace, config)
    stats = engine.stats.as_dict()
    rerun, _, rerun_s = _run(workspace, config)
    print(f"workspace: {workspace}")
    print(f"full run: {full_s:.1f} s, model calls {stats['calls_made']}, cache hits {stats['cache_hits']}")
    for name, seconds in _stage_seconds(engine.store, config["iterations"], started):
        print(f"  {name:22s} {seconds:8.1f} s")
    print(f"rerun of the finished run: {rerun_s:.2f} s, model calls {rerun.stats.calls_made} (must be 0)")
    print(f"ratio full / rerun: {full_s / rerun_s:.0f}x")
    keys = ("iteration", "responses", "judgments_failed", "actor_pairs", "judge_pairs", "win_rate",
            "lc_win_rate", "mean_length_chars", "judge_agreement", "concrete")  # fmt: skip
    print(json.dumps([{k: m.get(k) for k in keys} for m in metrics], indent=1, default=str))


if __name__ == "__main__":
    main()
