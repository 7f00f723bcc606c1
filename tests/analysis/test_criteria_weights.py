"""Criterion weights and per-model criterion-overall correlations on synthetic multi-criteria Judgments with
known weights (style dominating, as SOS-Bench finds): the audit recovers the weights within its CIs from the
stored verdict format, and the correlations equal their definition on a hand-checked case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignscope.analysis.criteria_weights import criterion_correlations, judged_side
from alignscope.analysis.judge_checks import criteria_check
from alignscope.analysis.judgment_tables import JudgmentTables
from alignscope.judges.parsing import CRITERIA
from alignscope.records import Judgment, Provenance

TRUE = {"correctness": 0.5, "completeness": 0.3, "safety": 0.0, "conciseness": -0.4, "style": 1.5}
VERDICT = {1: "A", 0: "tie", -1: "B"}


def synthetic_judgments(n_items: int, seed: int) -> list[Judgment]:
    """Per item and order, criterion verdicts drawn at random and an overall verdict drawn from
    sigmoid(sum of TRUE weights x criterion signs) (no position bias)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_items):
        for swapped in (False, True):
            signs = rng.choice([-1, 0, 1], size=len(CRITERIA), p=[0.4, 0.2, 0.4])
            p = 1 / (1 + np.exp(-signs @ np.array([TRUE[c] for c in CRITERIA])))
            a_wins = rng.random() < p
            first, second = ("base", "m") if not swapped else ("m", "base")
            out.append(
                Judgment(
                    judge="j",
                    mode="criteria-split",
                    item_id=str(i),
                    dataset="d",
                    model_a=first,
                    model_b=second,
                    swapped=swapped,
                    preference=1.0 if a_wins else 0.0,
                    verdict="A" if a_wins else "B",
                    parse_status="logprob",
                    fields={"criteria": {c: VERDICT[int(s)] for c, s in zip(CRITERIA, signs, strict=True)}},
                    provenance=Provenance(model="j", backend="hf"),
                )
            )
    return out


def test_audit_recovers_known_criterion_weights() -> None:
    result = criteria_check(JudgmentTables(judgments=synthetic_judgments(1500, seed=2)))
    weights = {w["criterion"]: w for w in result["weights"]}
    assert result["n"] == 3000
    for name, true in TRUE.items():
        w = weights[name]
        assert w["lower"] <= true <= w["upper"], name
        assert abs(w["coef"] - true) < 0.15, name
    assert max(CRITERIA, key=lambda c: weights[c]["coef"]) == "style"  # style dominates
    assert weights["intercept"]["lower"] <= 0 <= weights["intercept"]["upper"]
    rows = {r["criterion"]: r for r in result["correlations"]}
    assert set(rows) == set(CRITERIA) and all(r["model"] == "m" for r in rows.values())
    assert rows["style"]["r"] > rows["correctness"]["r"] > 0 > rows["conciseness"]["r"]
    assert rows["style"]["lower"] < rows["style"]["r"] < rows["style"]["upper"]


def test_too_few_verdicts_give_correlations_but_no_weights() -> None:
    result = criteria_check(JudgmentTables(judgments=synthetic_judgments(29, seed=3)))  # 58 verdicts
    assert result["weights"] == [] and result["weights_unavailable"].startswith("58 verdicts are too few")
    assert len(result["correlations"]) == len(CRITERIA)
    enough = criteria_check(JudgmentTables(judgments=synthetic_judgments(30, seed=3)))
    assert len(enough["weights"]) == len(CRITERIA) + 1 and "weights_unavailable" not in enough


def test_correlations_of_a_hand_checked_table() -> None:
    # judge's frame: unswapped rows show the baseline as A, so the judged model's side flips the signs
    table = pd.DataFrame(
        {
            "item_id": ["1", "1", "2", "2", "3", "3"],
            "model_a": ["b", "m", "b", "m", "b", "m"],
            "model_b": ["m", "b", "m", "b", "m", "b"],
            "swapped": [False, True, False, True, False, True],
            "style": [-1.0, 1.0, 1.0, 0.0, -1.0, 1.0],
            "overall": [0.0, 1.0, 1.0, 0.5, 0.2, 0.9],
        }
    )
    side = judged_side(table, ["style"])
    assert side["model"].tolist() == ["m"] * 6
    assert side["style"].tolist() == [1.0, 1.0, -1.0, 0.0, 1.0, 1.0]
    assert side["overall"].tolist() == pytest.approx([1.0, 1.0, -1.0, 0.0, 0.6, 0.8])
    got = criterion_correlations(table, ["style"], n_boot=200)
    assert got.loc[0, "r"] == pytest.approx(np.corrcoef(side["style"], side["overall"])[0, 1])
    assert (got.loc[0, "n"], got.loc[0, "prompts"]) == (6, 3)
