"""Meta-Rewarding on CPU: 2 iterations on the embedded SmolLM2-135M-Instruct.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/meta_rewarding_loop.py [--workspace DIR] [--prompts 16]
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/meta_rewarding_loop.py --reduced --compare

16 Vicuna-bench prompts, K=4 responses each (T=0.8, top_p=0.95, 64 tokens), N=3 rubric judgments per
response (the paper's Self-Rewarding template, 32 tokens: SmolLM2-135M almost never writes the "Score: k"
line, so each judgment is concluded by the judge's next-token probabilities after its own text and "Score: "),
the meta-judge (the paper's template) with logprob verdicts on the most varied response, DPO (beta 0.1), then
per-iteration evaluation: greedy answers to 16 MT-Bench first turns, logprob pairwise verdicts (AlpacaEval
template) by the seed model against the seed's answers, and TruthfulQA MC1 (25 items) as the concrete task.
``--reduced``: the same loop for 1 iteration on 4 prompts, K=2, evaluation on 4 MT-Bench turns and 5
TruthfulQA items.

Prints the wall time of the whole run and of each stage (from the stage markers), and the baseline measured
in the same run: rerunning the finished run, which must load every stage from the store, make no model call
and train nothing (ratio = full run / rerun). With ``--compare`` the baseline is instead the same loop with
the hf backend's kept states off (``prefix_cache_mb: 0``: every conclusion reads its whole judge prompt
again), run first in its own workspace: both runs' wall and CPU seconds, per-stage times, whether they made
the same calls (cache keys) and the same per-iteration metrics, and the largest log-likelihood difference.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

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


REDUCED = {"prompt_limit": 4, "samples": 2, "iterations": 1}
REDUCED_EVALUATION = {"limit": 4, "task_limit": 5}
TIMING_KEYS = ("train_runtime", "train_samples_per_second", "train_steps_per_second", "finished_at")


def _run(workspace: Path, config: dict) -> tuple[Engine, list[dict], float]:
    store = RunStore(workspace)
    store.start_run("bench", "meta-rewarding", config)
    engine = Engine(store, "bench", progress=False)
    start = time.perf_counter()
    result = run_meta_rewarding(MetaRewardingConfig.model_validate(config), engine, workspace)
    return engine, result.metrics, time.perf_counter() - start


def _timed(workspace: Path, config: dict) -> tuple[Engine, list[dict], float, float, float]:
    """``_run`` with its CPU seconds (this process, all threads) and its start time."""
    started, cpu = time.time(), time.process_time()
    engine, metrics, wall = _run(workspace, config)
    return engine, metrics, wall, time.process_time() - cpu, started


def _calls(workspace: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every stored call of ``workspace``: key -> (kind, response)."""
    with sqlite3.connect(workspace / "alignscope.sqlite") as con:
        rows = con.execute("SELECT key, kind, response FROM calls").fetchall()
    return {key: (kind, json.loads(response)) for key, kind, response in rows}


def _without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def compare(root: Path, config: dict) -> None:
    """The loop with kept states off (baseline) and on, in one process; times, calls and metrics of both."""
    plain_config = {**config, "generation": {**config["generation"], "options": {"prefix_cache_mb": 0}}}
    plain_ws, kept_ws = root / "off", root / "kept"
    plain = _timed(plain_ws, plain_config)
    kept = _timed(kept_ws, config)
    print(f"workspaces under {root}")
    for name, (engine, _, wall, cpu, started) in (("states off (baseline)", plain), ("states kept", kept)):
        stats = engine.stats.as_dict()
        print(f"{name}: {wall:.1f} s wall, {cpu:.1f} s CPU, {stats['calls_made']} calls")
        for stage, seconds in _stage_seconds(engine.store, config["iterations"], started):
            print(f"  {stage:22s} {seconds:8.1f} s")
    _, plain_metrics, plain_wall, plain_cpu, _ = plain
    _, kept_metrics, kept_wall, kept_cpu, _ = kept
    print(f"ratio baseline / kept: wall {plain_wall / kept_wall:.2f}x, CPU {plain_cpu / kept_cpu:.2f}x")
    plain_calls, kept_calls = _calls(plain_ws), _calls(kept_ws)
    print(f"same call keys: {plain_calls.keys() == kept_calls.keys()} ({len(kept_calls)} calls)")
    texts = [k for k, (kind, _) in kept_calls.items() if kind == "generate" and k in plain_calls]
    same_text = sum(plain_calls[k][1]["text"] == kept_calls[k][1]["text"] for k in texts)
    print(f"same generated text: {same_text}/{len(texts)}")
    diffs = [
        abs(plain_calls[k][1]["logprob"] - resp["logprob"])
        for k, (kind, resp) in kept_calls.items()
        if kind == "loglikelihood" and k in plain_calls
    ]
    print(f"largest log-likelihood difference: {max(diffs, default=0.0):.2e} over {len(diffs)} calls")
    same = _without_timings(plain_metrics) == _without_timings(kept_metrics)
    print(f"identical per-iteration metrics: {same}")
    keys = ("iteration", "judgments_unparsed", "actor_pairs", "judge_pairs", "mean_pair_score", "win_rate",
            "lc_win_rate", "mean_length_chars", "concrete")  # fmt: skip
    for label, metrics in (("baseline", plain_metrics), ("kept", kept_metrics)):
        print(label, json.dumps([{k: m.get(k) for k in keys} for m in metrics], default=str))


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
    parser.add_argument("--reduced", action="store_true", help="1 iteration, 4 prompts, K=2")
    parser.add_argument("--compare", action="store_true", help="baseline: the loop with kept states off")
    args = parser.parse_args()
    workspace = args.workspace or Path(tempfile.mkdtemp(prefix="mr-bench-"))
    config = {**CONFIG, "prompt_limit": args.prompts}
    if args.reduced:
        config |= {**REDUCED, "evaluation": {**CONFIG["evaluation"], **REDUCED_EVALUATION}}
    if args.compare:
        compare(workspace, config)
        return
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
