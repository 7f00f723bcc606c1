"""BBH, MATH Level 5 and MMLU-Pro through alignscope against lm-evaluation-harness's own ``leaderboard``
tasks, on the embedded SmolLM2-135M (CPU), same questions, same run.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_leaderboard_tasks.py [--bbh 4] [--math 8]
        [--mmlu-pro 100] [--threads 1] [--json results.json]

alignscope: the ``bbh``, ``math-hard`` and ``mmlu-pro`` tasks with the hf backend through the engine (fresh
store, every call made). lm-eval: its own ``hf`` model loading the same GGUF (float32) and its own task YAMLs
(``leaderboard_bbh_<task>`` x 24, ``leaderboard_math_<subject>_hard``, ``leaderboard_mmlu_pro``) reading the
same questions from local files (``alignscope.testing.lm_eval_leaderboard``). Items: ``--bbh`` seeded examples
of each of the 24 BBH tasks, ``--math`` seeded Level 5 problems (generation of up to 1,024 tokens is slow on a
CPU, hence few), ``--mmlu-pro`` seeded questions (one lm-eval config per category, its few-shot split the
category's first 6 test questions; where one of those is asked, lm-eval asks all 6: the others are left out
of the comparison and counted in its time).
Per family: both accuracies (BBH acc_norm, MATH exact_match with lm-eval's Minerva rules, i.e. its
``exact_match_original``; MMLU-Pro acc), the per-item agreement of predictions (MATH: of the generated text
and of the verdict), the largest option log-likelihood gap, and seconds per question of each side (model
loads timed apart).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from lm_eval_side import load_alignscope_model, load_lm_eval_model, run_both, task_context, time_columns


def _items(n_bbh: int, n_math: int, n_mmlu_pro: int, seed: int) -> dict[str, list[Any]]:
    from alignscope.tasks.registry import get_task

    by_task: dict[str, list[Any]] = {}
    for item in get_task("bbh").items():
        by_task.setdefault(str(item.category), []).append(item)
    rng = np.random.default_rng(seed)
    bbh = [its[i] for its in by_task.values() for i in sorted(rng.choice(len(its), n_bbh, replace=False))]
    return {
        "bbh": bbh,
        "math-hard": get_task("math-hard").items(limit=n_math, seed=seed),
        "mmlu-pro": get_task("mmlu-pro").items(limit=n_mmlu_pro, seed=seed),
    }


def _configs(family: str, items: Sequence[Any], folder: Path) -> list[dict[str, Any]]:
    from alignscope.tasks.mmlu_pro import shot_pools
    from alignscope.testing.lm_eval_leaderboard import bbh_configs, math_configs, mmlu_pro_configs

    if family == "bbh":
        return bbh_configs(items, folder)
    if family == "math-hard":
        return math_configs(items, folder)
    return mmlu_pro_configs(items, shot_pools(), folder)


def _key(family: str) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """How a question is matched across the two sides: by the lm-eval doc's fields."""
    if family == "bbh":
        return lambda doc: (doc["input"], doc["target"])
    if family == "math-hard":
        return lambda doc: (doc["problem"],)
    return lambda doc: (doc["question_id"],)


def _item_key(family: str, item: Any) -> tuple[Any, ...]:
    if family == "bbh":
        return (item.target["input"], item.target["target"])
    if family == "math-hard":
        return (item.target["problem"],)
    return (item.target["question_id"],)


def compare(
    family: str, task: Any, items: list[Any], ours: list[dict[str, Any]], theirs: dict[Any, Any]
) -> Any:
    """Accuracies and per-item agreement from alignscope's results and lm-eval's samples (matched by key)."""
    samples = [theirs[_item_key(family, it)] for it in items]
    pairs = list(zip(ours, samples, strict=True))
    if family == "math-hard":
        return {
            "alignscope": float(np.mean([r["exact_match"] for r in ours])),
            "lm_eval": float(np.mean([s["exact_match_original"] for s in samples])),
            "lm_eval_math_verify": float(np.mean([s["exact_match"] for s in samples])),
            "same_prediction": float(np.mean([r["response"] == s["filtered_resps"][0] for r, s in pairs])),
            "same_verdict": float(np.mean([r["exact_match"] == s["exact_match_original"] for r, s in pairs])),
        }
    metric = "acc_norm" if family == "bbh" else "acc"
    their_lls = [np.array([float(x[0]) for x in s["filtered_resps"]]) for s in samples]
    lengths = [np.array([float(len(c)) for c in task.choice_prompt(it).choices]) for it in items]
    # lm-eval's prediction for the headline metric: per character for BBH's acc_norm
    their_pred = [
        int(np.argmax(ll / n if family == "bbh" else ll)) for ll, n in zip(their_lls, lengths, strict=True)
    ]
    gaps = [np.abs(np.array(r["lls"]) - t).max() for r, t in zip(ours, their_lls, strict=True)]
    return {
        "alignscope": float(np.mean([r[metric] for r in ours])),
        "lm_eval": float(np.mean([s[metric] for s in samples])),
        "same_prediction": float(np.mean([r["choice"] == p for r, p in zip(ours, their_pred, strict=True)])),
        "max_abs_ll_difference": float(max(gaps)),
    }


def run_family(
    family: str, items: list[Any], spec: Any, backend: Any, lm: Any, folder: Path
) -> dict[str, Any]:
    """One family through both sides: numbers and timings."""
    from alignscope.tasks.registry import get_task

    task = get_task(family)
    configs = _configs(family, items, folder / "lm_eval_data")
    sides = run_both(task, task_context(folder, f"bench-{family}", spec, backend), items, lm, configs)
    assert not sides.outcome.failures, sides.outcome.failures
    by_id = {r["item_id"]: r for r in sides.outcome.results}
    key = _key(family)
    theirs = {key(s["doc"]): s for samples in sides.reference["samples"].values() for s in samples}
    row = {"family": family, "questions": len(items), "lm_eval_questions": len(theirs)}
    row |= compare(family, task, items, [by_id[it.id] for it in items], theirs)
    row |= {"difference_points": 100 * (row["alignscope"] - row["lm_eval"])}
    row |= time_columns(sides, len(items), len(theirs))
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbh", type=int, default=4, help="seeded examples of each of the 24 BBH tasks")
    parser.add_argument("--math", type=int, default=8, help="seeded MATH Level 5 problems")
    parser.add_argument("--mmlu-pro", type=int, default=100, help="seeded MMLU-Pro questions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "1")))
    parser.add_argument("--only", nargs="*", default=["bbh", "mmlu-pro", "math-hard"])
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    spec, backend = load_alignscope_model(args.threads)
    lm = load_lm_eval_model()
    items = _items(args.bbh, args.math, args.mmlu_pro, args.seed)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for family in args.only:
            rows.append(run_family(family, items[family], spec, backend, lm, Path(tmp)))
    if args.json:
        args.json.write_text(json.dumps({"threads": args.threads, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
