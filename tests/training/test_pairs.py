"""Meta-Rewarding pair construction on hand-made score tables, synthetic meta-judge battles and hand-made
records (the path the loop takes: Generations and Judgments -> DPO rows)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import spearmanr

from alignscope.judges.meta import MetaInput
from alignscope.records import Generation, Item, Judgment, Message, Provenance
from alignscope.training.meta_pairs import actor_pairs, judge_pairs, meta_inputs
from alignscope.training.pairs import (
    ELO_SCALE,
    MetaComparison,
    battle_matrix,
    elo_scores,
    position_counts,
    position_weights,
    select_actor_pair,
    select_judge_pair,
)

# S_max = 4.5, S_min = 1.0. At rho = 0.32 the chosen band is [3.38, 4.5], the rejected band [1.0, 2.12].
SCORES = [4.5, 3.5, 3.3, 2.1, 1.0, 2.2]
LENGTHS = [100, 20, 5, 90, 10, 200]


def test_rho_zero_picks_shortest_best_and_longest_worst() -> None:
    scores = [4.0, 4.0, 2.0, 1.0, 1.0]
    lengths = [50, 30, 10, 5, 40]
    assert select_actor_pair(scores, lengths, rho=0.0) == (1, 4)


def test_rho_zero_on_table_takes_the_extremes() -> None:
    assert select_actor_pair(SCORES, LENGTHS, rho=0.0) == (0, 4)


def test_rho_032_widens_both_bands_by_length() -> None:
    # chosen: shortest of {4.5 (100), 3.5 (20)}; 3.3 is shorter but below the band.
    # rejected: longest of {2.1 (90), 1.0 (10)}; 2.2 is longer but above the band.
    assert select_actor_pair(SCORES, LENGTHS, rho=0.32) == (1, 3)


def test_band_edges_are_inclusive() -> None:
    # S_max 5, S_min 1, rho 0.25: chosen band [4, 5], rejected band [1, 2]
    scores = [5.0, 4.0, 2.0, 1.0]
    lengths = [10, 3, 50, 20]
    assert select_actor_pair(scores, lengths, rho=0.25) == (1, 2)


def test_all_tie_and_unscored_prompts_are_skipped() -> None:
    assert select_actor_pair([3.0, 3.0, 3.0], [1, 2, 3]) is None
    assert select_actor_pair([None, 4.0, None], [1, 2, 3]) is None
    assert select_actor_pair([float("nan"), 4.0, 2.0], [1, 2, 3]) == (1, 2)


def test_rho_outside_half_range_is_refused() -> None:
    with pytest.raises(ValueError, match="rho"):
        select_actor_pair([1.0, 2.0], [1, 1], rho=0.6)


def test_position_weights_discount_the_favoured_position() -> None:
    assert position_weights(30, 10) == (0.25, 0.75)
    assert position_weights(0, 0) == (0.5, 0.5)
    with pytest.raises(ValueError):
        position_weights(-1, 2)


def test_battle_matrix_weights_each_win_by_its_position() -> None:
    comparisons = [
        MetaComparison(0, 1, "first"),
        MetaComparison(1, 0, "first"),
        MetaComparison(0, 2, "second"),
        MetaComparison(2, 0, "tie"),
    ]
    assert position_counts(comparisons) == (2, 1)
    w1, w2 = position_weights(*position_counts(comparisons))
    assert (w1, w2) == pytest.approx((1 / 3, 2 / 3))
    expected = np.array([[0, w1, 0], [w1, 0, 0], [w2, 0, 0]])
    np.testing.assert_allclose(battle_matrix(comparisons, 3, w1, w2), expected)
    with pytest.raises(ValueError, match="distinct"):
        battle_matrix([MetaComparison(1, 1, "first")], 3, w1, w2)


def test_elo_two_players_matches_closed_form() -> None:
    # Bradley-Terry MLE for 3 wins to 1: theta_0 - theta_1 = log 3, i.e. 400 log10(3) Elo points
    ratings = elo_scores(np.array([[0.0, 3.0], [1.0, 0.0]]), ridge=0.0)
    assert ratings[0] - ratings[1] == pytest.approx(400 * math.log10(3), abs=1e-3)
    assert ratings.mean() == pytest.approx(1000.0)


def test_elo_stays_finite_when_one_judgment_wins_everything() -> None:
    battles = np.array([[0, 2, 2], [0, 0, 1], [0, 1, 0]], dtype=float)
    ratings = elo_scores(battles)
    assert np.isfinite(ratings).all()
    assert int(np.argmax(ratings)) == 0
    assert ratings[1] == pytest.approx(ratings[2], abs=1e-6)


def _simulate(theta: np.ndarray, per_order: int, first_bias: float, seed: int) -> list[MetaComparison]:
    """Each ordered pair shown ``per_order`` times; P(first wins) = sigmoid(theta_f - theta_s + bias)."""
    rng = np.random.default_rng(seed)
    out = []
    for f in range(len(theta)):
        for s in range(len(theta)):
            if f == s:
                continue
            p_first = 1 / (1 + math.exp(-(theta[f] - theta[s] + first_bias)))
            for win in rng.random(per_order) < p_first:
                out.append(MetaComparison(f, s, "first" if win else "second"))
    return out


def test_elo_recovers_known_strengths_without_position_bias() -> None:
    theta = np.array([0.3, -1.2, 1.5, -0.4, 0.8, 0.0])
    comparisons = _simulate(theta, per_order=200, first_bias=0.0, seed=1)
    w1, w2 = position_weights(*position_counts(comparisons))
    ratings = elo_scores(battle_matrix(comparisons, len(theta), w1, w2))
    assert list(np.argsort(ratings)) == list(np.argsort(theta))
    truth = 1000 + ELO_SCALE * (theta - theta.mean())
    # 400 battles per pair: the standard error of a rating is about 17 Elo points
    np.testing.assert_allclose(ratings, truth, atol=60)


def test_elo_recovers_ordering_under_strong_first_position_bias() -> None:
    theta = np.array([0.3, -1.2, 1.5, -0.4, 0.8, 0.0])
    comparisons = _simulate(theta, per_order=200, first_bias=1.5, seed=2)
    first, second = position_counts(comparisons)
    assert first > 2 * second  # the simulated judge really favours the first position
    w1, w2 = position_weights(first, second)
    assert w1 < 0.5 < w2
    ratings = elo_scores(battle_matrix(comparisons, len(theta), w1, w2))
    assert spearmanr(ratings, theta).statistic == pytest.approx(1.0)


def test_judge_pair_takes_top_and_bottom_and_respects_the_length_cap() -> None:
    lengths = [19, 9, 310]
    elo = [1050.0, 900.0, 1100.0]
    assert select_judge_pair(elo, lengths) == (2, 1)
    assert select_judge_pair(elo, lengths, max_chosen_length=100) is None  # the top judgment is too long
    assert select_judge_pair(elo[:2], lengths[:2], max_chosen_length=100) == (0, 1)
    assert select_judge_pair([1000.0, 1000.0], [5, 5]) is None


# -- records -> rows (what the loop runs) ----------------------------------------------------------------
PROV = Provenance(model="m", backend="hf")
ITEMS = {
    ("d", f"q{i}"): Item(id=f"q{i}", dataset="d", messages=[Message(role="user", content=f"question {i}")])
    for i in range(3)
}


def _response(item: str, index: int, text: str) -> Generation:
    return Generation(item_id=item, dataset="d", model=f"iter1/response{index}", text=text, provenance=PROV)


def _rubric(item: str, index: int, scores: list[float | None]) -> list[Judgment]:
    """One rubric Judgment per score; None is a judgment that failed to parse."""
    return [
        Judgment(
            judge="iter1/judge",
            mode="rubric",
            item_id=item,
            dataset="d",
            model_a=f"iter1/response{index}",
            score=s,
            raw=f"judgment {n} of {item}/{index}" + (f" Score: {s}" if s is not None else ""),
            parse_status="failed" if s is None else "ok",
            provenance=PROV,
        )  # fmt: skip
        for n, s in enumerate(scores)
    ]


def test_actor_pairs_from_records_average_parsed_scores_under_length_control() -> None:
    # q0: means 4.5 (100 chars), 3.5 (20), 1.0 (10), 2.1 (90); q1: all tie; q2: one response scored
    texts = {0: "a" * 100, 1: "b" * 20, 2: "c" * 10, 3: "d" * 90}
    responses = [_response("q0", i, t) for i, t in texts.items()]
    responses += [_response("q1", i, f"tie {i}") for i in range(3)]
    responses += [_response("q2", i, f"only {i}") for i in range(2)]
    rubric = [
        *_rubric("q0", 0, [4.0, 5.0, None]), *_rubric("q0", 1, [3.5, None]), *_rubric("q0", 2, [1.0]),
        *_rubric("q0", 3, [2.0, 2.2]), *_rubric("q1", 0, [3.0]), *_rubric("q1", 1, [3.0, 3.0]),
        *_rubric("q1", 2, [3.0]), *_rubric("q2", 0, [4.0]), *_rubric("q2", 1, [None, None]),
    ]  # fmt: skip
    rows, counts = actor_pairs(ITEMS, responses, rubric, rho=0.0)
    assert counts == {"tied": 1, "unscored": 1}
    assert [(r["item_id"], r["chosen"], r["rejected"]) for r in rows] == [("q0", texts[0], texts[2])]
    assert (rows[0]["chosen_score"], rows[0]["rejected_score"]) == (4.5, 1.0)
    assert rows[0]["prompt"] == [{"role": "user", "content": "question 0"}]
    # rho 0.32: chosen band [3.38, 4.5] -> the shorter 3.5; rejected band [1.0, 2.12] -> the longer 2.1
    rows, _ = actor_pairs(ITEMS, responses, rubric, rho=0.32)
    assert (rows[0]["chosen"], rows[0]["rejected"]) == (texts[1], texts[3])
    assert rows[0]["rejected_score"] == pytest.approx(2.1)


def test_meta_inputs_take_the_most_varied_response_and_its_distinct_parsed_judgments() -> None:
    responses = [_response("q0", i, f"answer {i}") for i in range(3)]
    rubric = [
        *_rubric("q0", 0, [3.0, 3.0]),
        *_rubric("q0", 1, [1.0, 5.0, None]),
        *_rubric("q0", 2, [2.0, 4.0]),
    ]
    rubric.append(rubric[3].model_copy())  # a repeated judgment is compared once
    [inp] = meta_inputs(ITEMS, responses, rubric)
    assert (inp.answer_id, inp.answer) == ("iter1/response1", "answer 1")
    assert inp.judgments == ("judgment 0 of q0/1 Score: 1.0", "judgment 1 of q0/1 Score: 5.0")


def _meta(inp: MetaInput, first: int, second: int, verdict: str | None) -> Judgment:
    return Judgment(
        judge="iter1/meta-judge", mode="meta", item_id=inp.item.id, dataset="d",
        model_a=f"{inp.answer_id}#judgment{first}", model_b=f"{inp.answer_id}#judgment{second}",
        swapped=first > second, verdict=verdict, parse_status="failed" if verdict is None else "ok",
        fields={"answer_id": inp.answer_id, "judgment_a": first, "judgment_b": second}, provenance=PROV,
    )  # fmt: skip


def test_judge_pairs_from_meta_verdicts_are_position_weighted_and_length_capped() -> None:
    # true order 1 > 0 > 2; the meta-judge favours the first position: it says A except when 1 meets 0 or
    # 0 meets 2 with the better one shown second (4 first-position wins, 2 second-position wins)
    judgments = ("Score: 3. fine", "Score: 4. thorough and long " + "x" * 50, "Score: 1.")
    inp = MetaInput(ITEMS[("d", "q0")], "answer", "iter1/response0", judgments)
    verdicts = {(0, 1): "B", (1, 0): "A", (0, 2): "A", (2, 0): "B", (1, 2): "A", (2, 1): "A"}
    meta = [_meta(inp, f, s, v) for (f, s), v in verdicts.items()]
    meta.append(_meta(inp, 0, 2, None))  # no verdict: counted, left out
    prompts = {("q0", "iter1/response0"): [Message(role="user", content="rate it")]}
    rows, counts = judge_pairs([inp], meta, prompts, length_cap=None)
    assert counts == {"no_pair": 0, "no_verdict": 1, "wins_as_first": 4, "wins_as_second": 2}
    [row] = rows
    assert row["position_weights"] == pytest.approx([2 / 6, 4 / 6])  # w1 = wins as second / all wins
    w1, w2 = row["position_weights"]
    expected = elo_scores(np.array([[0, 0, w1 + w2], [w1 + w2, 0, w1], [0, w1, 0]]))
    assert (row["chosen_elo"], row["rejected_elo"]) == pytest.approx((expected[1], expected[2]), abs=1e-3)
    assert (row["chosen"], row["rejected"]) == (judgments[1], judgments[2])
    assert row["prompt"] == [{"role": "user", "content": "rate it"}]
    rows, counts = judge_pairs([inp], meta, prompts, length_cap=40)  # the best judgment is too long
    assert rows == [] and counts["no_pair"] == 1
    # a meta-judge that always prefers the judgment shown first says nothing: weight 0, equal ratings
    always_first = [_meta(inp, f, s, "A") for f, s in verdicts]
    rows, counts = judge_pairs([inp], always_first, prompts, length_cap=None)
    assert rows == [] and counts == {"no_pair": 1, "no_verdict": 0, "wins_as_first": 6, "wins_as_second": 0}
