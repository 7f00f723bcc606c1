"""Each benchmark's number from synthetic judgments with known answers: Arena-Hard's Bradley-Terry win rate
of one model against the anchor is the weighted share of its wins (a strong verdict three times),
AlpacaEval's win rate the mean preference over both orders with AlpacaEval's own instruction difficulty for
the LC fit, MT-Bench the mean rating over every rated turn with a CI over questions."""

from __future__ import annotations

import numpy as np
import pytest

from alignscope.data import load_items
from alignscope.evaluation.benchmarks import ALPACA_EVAL, ARENA_HARD, MT_BENCH, comparability
from alignscope.evaluation.run import baseline_generations
from alignscope.evaluation.scores import (
    alpaca_eval_rows,
    arena_hard_rows,
    clustered_mean,
    mt_bench_rows,
)
from alignscope.judges.parsing import preference_of
from alignscope.records import Generation, Judgment, Provenance

PROV = Provenance(model="judge", backend="file")


def _gen(item_id: str, dataset: str, model: str, text: str, turns: list[str] | None = None) -> Generation:
    return Generation(item_id=item_id, dataset=dataset, model=model, text=text, turns=turns or [],
                      provenance=Provenance(model=model, backend="file"))  # fmt: skip


def _pair_judgment(
    item_id: str, dataset: str, first: str, second: str, verdict: str, swapped: bool
) -> Judgment:
    return Judgment(judge="j", mode="pairwise", item_id=item_id, dataset=dataset, model_a=first,
                    model_b=second, swapped=swapped, verdict=verdict, preference=preference_of(verdict),
                    fields={"turn": 1}, provenance=PROV)  # fmt: skip


def test_arena_hard_win_rate_is_the_weighted_share_of_wins_against_the_anchor() -> None:
    base, model = "gpt-4-0314", "m"
    rng = np.random.default_rng(3)
    verdicts = ["A>>B", "A>B", "A=B", "B>A", "B>>A"]
    judgments, gens = [], []
    wins = weights = 0.0
    for q in range(40):
        qid = f"q{q}"
        gens += [_gen(qid, "arena-hard-v0.1", base, "x" * int(rng.integers(50, 500))),
                 _gen(qid, "arena-hard-v0.1", model, "y" * int(rng.integers(50, 500)) + "\n# h")]  # fmt: skip
        for swapped in (False, True):
            v = verdicts[int(rng.integers(0, 5))]
            first, second = (model, base) if swapped else (base, model)
            judgments.append(_pair_judgment(qid, "arena-hard-v0.1", first, second, v, swapped))
            p_first = preference_of(v)
            p_model = p_first if swapped else 1 - p_first
            w = 3.0 if v in ("A>>B", "B>>A") else 1.0
            wins, weights = wins + w * p_model, weights + w
    notes: list[str] = []
    (row,) = arena_hard_rows(ARENA_HARD, judgments, gens, [model], n_bootstrap=200, seed=0, notes=notes)
    assert row["score"] == pytest.approx(100 * wins / weights, abs=0.05)
    assert row["ci"][0] < row["score"] < row["ci"][1]
    assert row["rating"] == pytest.approx(1000 + 400 * np.log10(wins / (weights - wins)), abs=0.5)
    assert row["score_sc"] is not None and row["ci_sc"][0] <= row["score_sc"] <= row["ci_sc"][1]
    assert row["n"] == 80 and row["n_failed"] == 0


def test_alpaca_eval_win_rate_averages_both_orders_and_lc_uses_alpaca_evals_difficulty() -> None:
    items = load_items("alpaca_eval", limit=12, seed=1)
    rng = np.random.default_rng(0)
    gens = baseline_generations(items)
    judgments, expected = [], []
    for it in items:
        gens.append(_gen(it.id, "alpaca_eval", "m", "z" * int(rng.integers(20, 2000))))
        p_first, p_swapped = rng.uniform(), rng.uniform()  # P(shown first preferred)
        judgments += [
            Judgment(judge="j", mode="pairwise", item_id=it.id, dataset="alpaca_eval",
                     model_a="gpt4_1106_preview", model_b="m", swapped=False, preference=p_first,
                     parse_status="logprob", provenance=PROV),
            Judgment(judge="j", mode="pairwise", item_id=it.id, dataset="alpaca_eval", model_a="m",
                     model_b="gpt4_1106_preview", swapped=True, preference=p_swapped,
                     parse_status="logprob", provenance=PROV),
        ]  # fmt: skip
        expected.append(((1 - p_first) + p_swapped) / 2)
    notes: list[str] = []
    (row,) = alpaca_eval_rows(ALPACA_EVAL, judgments, gens, items, ["m"], "auto", notes)
    assert row["win_rate"] == pytest.approx(100 * np.mean(expected), abs=1e-6)
    assert row["lc_difficulty"]["difficulty"][0]["source"] == "alpaca_eval"
    assert row["score"] == row["lc_win_rate"] is not None and row["ci"][0] < row["score"] < row["ci"][1]
    assert row["length_chars"] == pytest.approx(np.mean([len(g.text) for g in gens if g.model == "m"]))


def test_mt_bench_is_the_mean_rating_of_every_rated_turn() -> None:
    ratings = {"81": [8.0, 6.0], "82": [3.0], "83": [10.0, 9.0]}
    judgments = [
        Judgment(judge="j", mode="pointwise", item_id=q, dataset="mt_bench", model_a="m", score=s,
                 fields={"turn": t}, provenance=PROV)
        for q, scores in ratings.items() for t, s in enumerate(scores, 1)
    ]  # fmt: skip
    judgments.append(Judgment(judge="j", mode="pointwise", item_id="82", dataset="mt_bench", model_a="m",
                              parse_status="failed", fields={"turn": 2}, provenance=PROV))  # fmt: skip
    gens = [_gen(q, "mt_bench", "m", "ab", turns=["abcd", "ab"]) for q in ratings]
    (row,) = mt_bench_rows(MT_BENCH, judgments, gens, ["m"], n_bootstrap=500, seed=0)
    assert row["score"] == pytest.approx(36 / 5) and row["n"] == 5 and row["n_failed"] == 1
    assert row["turns"] == {"1": pytest.approx(7.0), "2": pytest.approx(7.5)}
    assert row["length_chars"] == 3.0
    assert 3.0 <= row["ci"][0] < 36 / 5 < row["ci"][1] <= 9.5


def test_clustered_mean_keeps_a_questions_ratings_together() -> None:
    mean, ci = clustered_mean({"a": [4.0, 4.0], "b": [4.0]}, 100, 0)
    assert (mean, ci) == (4.0, [4.0, 4.0])
    # two questions: every resample is a, b or both -> the CI lies within the question means
    mean, ci = clustered_mean({"a": [2.0, 2.0, 2.0], "b": [8.0]}, 2000, 0)
    assert mean == pytest.approx(3.5) and ci == [pytest.approx(2.0), pytest.approx(8.0)]


def test_comparability_says_when_the_judge_is_not_the_benchmarks_own() -> None:
    assert "not comparable" in comparability(ARENA_HARD, "smollm2-135m")
    assert "not gpt-4-1106-preview" in comparability(ARENA_HARD, "smollm2-135m")
    assert "not comparable" not in comparability(MT_BENCH, "gpt-4")
