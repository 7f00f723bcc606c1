"""The trust study on CPU: SmolLM2-135M-Instruct through SFT, DPO and RM + RLOO on shipped HH-RLHF pairs.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/trust_study_smollm2.py [--workspace DIR] [--pairs 16]

A seeded subset of the shipped harmless-base pairs whose two dialogues are at most 400 characters (720 of the
2,312; a 2-core CPU shared with other work trains ~100-token pairs in minutes, whole HH dialogues in hours),
1 epoch per stage (SFT on prompt + chosen; DPO beta 0.1 from SFT; a reward model from SFT; RLOO from SFT
with 2 samples per prompt and 24 new tokens, reward r(sample) - r(chosen)), then every checkpoint on small
subsets of the rlhf-trust tasks (--limit items each, 2 samples where the protocol samples, 24 new tokens:
fewer than the protocol's, stated in the report's settings). Prints the wall time of the run and of each
stage (from the stage markers), each checkpoint's metrics, each stage's change against its parent (per
vertical and per task) with its verdict, and the baseline of the same run: rerunning the finished study,
which loads every stage from the store, trains nothing and makes no model call (ratio = full run / rerun).
Writes the HTML report beside the workspace.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from alignscope.data.sets.hh_rlhf import bundled_rows
from alignscope.engine.runner import Engine
from alignscope.report.html import write_html
from alignscope.report.trust_study import trust_study_report, verdicts
from alignscope.store import RunStore
from alignscope.training.trust_config import TrustStudyConfig
from alignscope.training.trust_study import MODELS, TRAIN_STAGES, marker_name, run_trust_study

STAGE = {"epochs": 1, "batch_size": 4, "logging_steps": 1, "max_length": 256}
MAX_CHARS = 400
CONFIG = {
    "name": "smollm2-trust",
    "model": "smollm2-135m",
    "sft": {**STAGE, "learning_rate": 2e-5},
    "dpo": {**STAGE, "learning_rate": 5e-6, "beta": 0.1},
    "rm": {**STAGE, "learning_rate": 1e-5},
    "rl": {
        "epochs": 1,
        "batch_size": 4,
        "logging_steps": 1,
        "learning_rate": 1e-6,
        "num_generations": 2,
        "max_completion_length": 24,
        "temperature": 0.7,
    },  # fmt: skip
    "tasks": ["rlhf-toxicity-toxic", "rlhf-stereotype", "rlhf-ethics-ll", "rlhf-truthfulqa", "rlhf-privacy"],
    "samples": 2,
    "max_tokens": 24,
    "generation": {"batch_size": 8},
}


def short_pairs(path: Path) -> Path:
    """The shipped harmless-base rows whose chosen and rejected dialogues fit in MAX_CHARS, as an HH file."""
    rows = [
        r
        for r in bundled_rows("hh_rlhf/harmless-base")
        if max(len(r["chosen"]), len(r["rejected"])) <= MAX_CHARS
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def run(workspace: Path, config: TrustStudyConfig) -> tuple[float, object, Engine]:
    store = RunStore(workspace)
    store.start_run("trust-study", "trust-study", config.model_dump(mode="json"))
    engine = Engine(store, "trust-study", progress=False)
    start = time.perf_counter()
    result = run_trust_study(config, engine, workspace)
    return time.perf_counter() - start, result, engine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--pairs", type=int, default=16)
    parser.add_argument("--limit", type=int, default=6)
    args = parser.parse_args()
    workspace = args.workspace or Path(tempfile.mkdtemp(prefix="trust-study-"))
    data = str(short_pairs(workspace / "hh-harmless-short.jsonl"))
    config = TrustStudyConfig.model_validate(
        {**CONFIG, "data": data, "pairs": args.pairs, "limit": args.limit}
    )
    full_s, result, engine = run(workspace, config)
    calls = engine.stats.as_dict()
    rerun_s, _, rerun_engine = run(workspace, config)
    store = engine.store
    stages = {s: store.get_artifact("trust-study", marker_name(s)) for s in TRAIN_STAGES}
    evals = {m: store.get_artifact("trust-study", marker_name(f"evaluate/{m}"))["wall_s"] for m in MODELS}
    report = write_html(trust_study_report(result, {"run": "trust-study"}), workspace / "trust_study.html")
    out = {
        "workspace": str(workspace),
        "report": str(report),
        "pairs": args.pairs,
        "limit": args.limit,
        "wall_s": full_s,
        "rerun_s": rerun_s,
        "ratio": full_s / rerun_s,
        "calls": calls,
        "rerun_calls_made": rerun_engine.stats.calls_made,
        "stages": stages,
        "evaluate_wall_s": evals,
        "tasks": [
            {
                "model": c.checkpoint,
                "task": c.task,
                "metric": c.metric,
                "n": c.n,
                "value": c.estimate.value,
                "ci": [c.estimate.low, c.estimate.high],
            }  # fmt: skip
            for c in result.tasks
        ],
        "verdicts": verdicts(result),
    }
    print(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
