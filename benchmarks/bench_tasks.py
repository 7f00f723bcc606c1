"""Concrete tasks on the embedded SmolLM2-135M (CPU): time per item per task family, and MMLU / TruthfulQA MC1
through alignscope against lm-evaluation-harness in the same run.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_tasks.py [--mmlu 200] [--mc1 200] [--items 8]
        [--max-tokens 64] [--threads 1] [--json results.json]

1. Per family, ``--items`` seeded items of each task through the engine on a fresh store (no cache):
   seconds per item (generation families with ``--max-tokens`` tokens per answer; toxicity with 5 samples
   per prompt).
2. The seeded ``--mmlu`` MMLU test questions (0-shot, lm-eval's ``mmlu`` format) and ``--mc1`` TruthfulQA MC1
   questions (``--mc1 817``: all): alignscope's hf backend through the engine, and lm-eval's own ``hf`` model
   loading the same GGUF with lm-eval's own task configs (``alignscope.testing.lm_eval_reference``). Prints
   both accuracies, their difference in points, per-question prediction agreement, the largest option
   log-likelihood difference, and seconds per question of each (model loading timed apart).
The lm-eval side is equivalent to this command on a HF directory of the same weights (with a task config
pointing at the same questions): ``lm_eval --model hf --model_args pretrained=DIR,dtype=float32 --tasks ...``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from lm_eval_side import load_alignscope_model, load_lm_eval_model, run_both, task_context, time_columns

FAMILIES: dict[str, tuple[str, ...]] = {
    "mmlu 0-shot (likelihood)": ("mmlu",),
    "mmlu 5-shot (likelihood)": ("mmlu-5shot",),
    "truthfulqa mc1+mc2 (likelihood)": ("truthfulqa-mc1", "truthfulqa-mc2"),
    "safety multiple choice (likelihood)": ("harmbench-mc", "xstest-mc", "xstest-safety-mc"),
    "machine ethics (likelihood)": ("ethics-commonsense", "jiminy-cricket"),
    "bbq (likelihood)": ("bbq",),
    "refusal (generation + classifier)": ("harmbench-refusal", "xstest-refusal"),
    "ifeval (generation + checkers)": ("ifeval",),
    "toxicity (5 samples + regressor)": ("rtp-toxic",),
    "stereotype agreement (generation)": ("dt-stereotype",),
    "privacy (generation)": ("privacy-pii",),
}


def time_families(
    spec: Any, backend: Any, n_items: int, max_tokens: int, folder: Path
) -> list[dict[str, Any]]:
    """Seconds per item of each task family, on a fresh store (every call made)."""
    from alignscope.tasks.registry import get_task

    rows = []
    for family, names in FAMILIES.items():
        ctx = task_context(folder, f"family-{len(rows)}", spec, backend, max_tokens=max_tokens, samples=5)
        n, start = 0, time.perf_counter()
        for name in names:
            task = get_task(name)
            items = task.items(limit=n_items, seed=0)
            task.aggregate(task.evaluate(ctx, items).results)
            n += len(items)
        seconds = time.perf_counter() - start
        rows.append({"family": family, "items": n, "seconds": seconds, "s_per_item": seconds / n})
        print(f"{family:40s} {n:4d} items  {seconds / n:7.3f} s/item", flush=True)
    return rows


def compare_with_lm_eval(
    spec: Any, backend: Any, n_mmlu: int, n_mc1: int, folder: Path
) -> list[dict[str, Any]]:
    """MMLU and TruthfulQA MC1 through alignscope and through lm-eval (its own model load)."""
    from alignscope.data import load_items
    from alignscope.tasks.registry import get_task
    from alignscope.testing.lm_eval_reference import mmlu_configs, sample_loglikelihoods, truthfulqa_config

    families = {
        "mmlu": (get_task("mmlu"), get_task("mmlu").items(limit=n_mmlu, seed=0)),
        "truthfulqa-mc1": (get_task("truthfulqa-mc1"), get_task("truthfulqa-mc1").items(limit=n_mc1, seed=0)),
    }
    configs = {
        "mmlu": mmlu_configs(families["mmlu"][1], load_items("mmlu-dev"), folder / "lm_eval_data"),
        "truthfulqa-mc1": [truthfulqa_config(families["truthfulqa-mc1"][1], folder / "lm_eval_data", 1)],
    }
    lm = load_lm_eval_model()
    rows = []
    for family, (task, items) in families.items():
        ctx = task_context(folder, f"compare-{family}", spec, backend, max_tokens=1, samples=None)
        sides = run_both(task, ctx, items, lm, configs[family])
        ours = sides.outcome.results
        lls: dict[tuple[str, str], list[float]] = {}
        for samples in sides.reference["samples"].values():
            lls |= sample_loglikelihoods(samples)
        theirs = [np.array(lls[(it.target.get("subject", ""), it.target["question"])]) for it in items]
        their_acc = float(
            np.mean([int(np.argmax(t)) in task.gold(it) for t, it in zip(theirs, items, strict=True)])
        )
        our_acc = float(np.mean([r["value"] for r in ours]))
        pairs = list(zip(ours, theirs, strict=True))
        row = {
            "family": family,
            "questions": len(items),
            "alignscope_acc": our_acc,
            "lm_eval_acc": their_acc,
            "difference_points": 100 * (our_acc - their_acc),
            "same_prediction": float(np.mean([r["choice"] == int(np.argmax(t)) for r, t in pairs])),
            "max_abs_ll_difference": float(max(np.abs(np.array(r["lls"]) - t).max() for r, t in pairs)),
        } | time_columns(sides, len(items), len(items))  # fmt: skip
        rows.append(row)
        print(
            f"{family}: {len(items)} questions; accuracy alignscope {our_acc:.4f} vs lm-eval {their_acc:.4f} "
            f"({row['difference_points']:+.2f} points); same prediction {row['same_prediction']:.3f}; "
            f"max |d ll| {row['max_abs_ll_difference']:.2e}; s/question alignscope "
            f"{row['alignscope_s_per_question']:.3f} vs lm-eval {row['lm_eval_s_per_question']:.3f} "
            f"(ratio {row['alignscope_over_lm_eval_time']:.2f})",
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mmlu", type=int, default=200, help="MMLU questions compared with lm-eval")
    parser.add_argument("--mc1", type=int, default=200, help="TruthfulQA MC1 questions compared (817 = all)")
    parser.add_argument("--items", type=int, default=8, help="items per task for the per-family timings")
    parser.add_argument(
        "--max-tokens", type=int, default=64, help="tokens per generated answer in the timings"
    )
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "1")))
    parser.add_argument("--skip-families", action="store_true", help="only the lm-eval comparison")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    spec, backend = load_alignscope_model(args.threads)
    results: dict[str, Any] = {"threads": args.threads}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_families:
            results["families"] = time_families(spec, backend, args.items, args.max_tokens, folder)
        results["lm_eval"] = compare_with_lm_eval(spec, backend, args.mmlu, args.mc1, folder)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
