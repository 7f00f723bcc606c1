"""Each judged benchmark's number per model from its Judgments, through the judge-results service
(:func:`alignscope.analysis.leaderboard.judge_leaderboard`) for the pair benchmarks; JSON-ready rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from statistics import fmean
from typing import Any

import numpy as np

from alignscope.analysis.judgment_tables import judgment_tables
from alignscope.analysis.leaderboard import judge_leaderboard, number
from alignscope.evaluation.benchmarks import JudgedBenchmark
from alignscope.judges.context import answers_of
from alignscope.records import Generation, Item, Judgment

Z95 = 1.959963984540054


def answer_length(generations: Sequence[Generation], model: str) -> dict[str, float | None]:
    """Mean characters per answered turn and mean completion tokens of ``model``'s answers."""
    mine = [g for g in generations if g.model == model and g.error is None]
    turns = [len(t) for g in mine for t in answers_of(g)]
    tokens = [g.completion_tokens for g in mine if g.completion_tokens is not None]
    return {
        "length_chars": fmean(turns) if turns else None,
        "length_tokens": fmean(tokens) if tokens else None,
    }


def _wald(value: float | None, se: float | None) -> list[float] | None:
    if value is None or se is None:
        return None
    return [value - Z95 * se, value + Z95 * se]


def alpaca_eval_rows(
    bench: JudgedBenchmark,
    judgments: Sequence[Judgment],
    generations: Sequence[Generation],
    items: Sequence[Item],
    models: Sequence[str],
    lc_difficulty: str,
    notes: list[str],
) -> list[dict[str, Any]]:
    """Win rate and LC win rate (score; 95% CI from its standard error) of each model against the baseline.
    The pairs' instruction is the instruction text, as in AlpacaEval's own annotations, so that the LC
    policy can use AlpacaEval's instruction difficulty."""
    tables = judgment_tables(judgments, generations, bench.name)
    texts = {f"{it.dataset}/{it.id}": it.prompt for it in items}
    tables.pairs["instruction"] = tables.pairs["instruction"].map(lambda q: texts.get(q, q))
    board = judge_leaderboard(tables, bench.baseline, lc_difficulty=lc_difficulty, ratings=False)
    notes.extend(f"{bench.title}: {n}" for n in board.notes)
    found = {r["model"]: r for r in board.rows()}
    rows = []
    for model in models:
        r = found.get(model, {})
        lc, lc_se = r.get("lc_win_rate"), r.get("lc_standard_error")
        rows.append(
            {
                "benchmark": bench.name,
                "model": model,
                "score": lc,
                "ci": _wald(lc, lc_se),
                "n": r.get("n", 0),
                "n_failed": r.get("n_failed", 0),
                "win_rate": r.get("win_rate"),
                "win_rate_ci": _wald(r.get("win_rate"), r.get("standard_error")),
                "lc_win_rate": lc,
                "lc_difficulty": board.lc_summary(),
                **answer_length(generations, model),
            }
        )
    return rows


def arena_hard_rows(
    bench: JudgedBenchmark,
    judgments: Sequence[Judgment],
    generations: Sequence[Generation],
    models: Sequence[str],
    n_bootstrap: int,
    seed: int,
    notes: list[str],
) -> list[dict[str, Any]]:
    """Each model's Bradley-Terry win rate against the baseline (score) with its bootstrap CI, its rating,
    and the same with style control, as Arena-Hard-Auto's ``show_result`` computes them."""
    tables = judgment_tables(judgments, generations, bench.name)
    board = judge_leaderboard(
        tables, bench.baseline, lc=False, style=True, n_bootstrap=n_bootstrap, seed=seed
    )
    notes.extend(f"{bench.title}: {n}" for n in board.notes)
    ratings = board.ratings
    rows = []
    for model in models:
        row: dict[str, Any] = {"benchmark": bench.name, "model": model, "score": None, "ci": None}
        if model in ratings.index:
            r = ratings.loc[model]

            def get(column: str, r: object = r) -> float | None:
                return number(r[column]) if column in r.index else None  # type: ignore[attr-defined,index]

            row |= {
                "score": get("win_rate"),
                "ci": [get("win_rate_lower"), get("win_rate_upper")],
                "rating": get("rating"),
                "rating_ci": [get("lower"), get("upper")],
                "score_sc": get("win_rate_sc"),
                "ci_sc": [get("win_rate_lower_sc"), get("win_rate_upper_sc")] if get("win_rate_sc") else None,
                "rating_sc": get("rating_sc"),
            }
        battles = tables.battles
        mine = battles[(battles["model_a"] == model) | (battles["model_b"] == model)]
        row |= {"n": int(mine["p_a"].notna().sum()), "n_failed": int(mine["p_a"].isna().sum())}
        rows.append(row | answer_length(generations, model))
    return rows


def clustered_mean(values: dict[str, list[float]], n_boot: int, seed: int) -> tuple[float, list[float]]:
    """The mean of every value and its 95% percentile bootstrap CI over the groups (questions), each
    resample keeping a group's values together."""
    sums = np.array([sum(v) for v in values.values()], dtype=float)
    counts = np.array([len(v) for v in values.values()], dtype=float)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(sums), size=(n_boot, len(sums)))
    boots = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    low, high = np.percentile(boots, [2.5, 97.5])
    return float(sums.sum() / counts.sum()), [float(low), float(high)]


def mt_bench_rows(
    bench: JudgedBenchmark,
    judgments: Sequence[Judgment],
    generations: Sequence[Generation],
    models: Sequence[str],
    n_bootstrap: int,
    seed: int,
) -> list[dict[str, Any]]:
    """Each model's mean 1-10 rating over its rated turns (score) with a bootstrap CI over questions, and
    the mean per turn."""
    rows = []
    for model in models:
        mine = [j for j in judgments if j.model_a == model]
        rated = [j for j in mine if j.parse_status != "failed" and j.score is not None]
        by_question: dict[str, list[float]] = defaultdict(list)
        by_turn: dict[int, list[float]] = defaultdict(list)
        for j in rated:
            by_question[j.item_id].append(float(j.score))  # type: ignore[arg-type]
            by_turn[int(j.fields.get("turn", 1))].append(float(j.score))  # type: ignore[arg-type]
        score, ci = clustered_mean(by_question, n_bootstrap, seed) if by_question else (None, None)
        rows.append(
            {
                "benchmark": bench.name,
                "model": model,
                "score": score,
                "ci": ci,
                "n": len(rated),
                "n_failed": len(mine) - len(rated),
                "turns": {str(t): fmean(v) for t, v in sorted(by_turn.items())},
                **answer_length(generations, model),
            }
        )
    return rows
