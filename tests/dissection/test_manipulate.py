"""The manipulation experiment's parts: the system prompt, the judge's most and least preferred properties
from the released weights, the bootstrap interval's coverage, and the scores of a hand-made set of verdicts.
(The end-to-end run, with the embedded SmolLM2 as actor and judge, is in tests/cli/test_dissect_cli.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from alignscope.analysis.dissection.manipulate import (
    PROMPT_PHRASES,
    Arm,
    bootstrap_interval,
    judge_profile,
    manipulation_prompt,
    preference_arms,
    score_manipulation,
)
from alignscope.analysis.dissection.properties import PROPERTY_NAMES
from alignscope.analysis.dissection.released import GPT4_TURBO, HUMAN, load_released_weights
from alignscope.errors import ConfigError, DataError
from alignscope.records import Generation, Judgment, Provenance


def test_the_system_prompt_names_the_properties() -> None:
    assert set(PROMPT_PHRASES) == set(PROPERTY_NAMES)
    assert manipulation_prompt(["well_formatted"]) == "Your responses should be well formatted."
    assert (
        manipulation_prompt(["friendly", "no_severe_errors", "lengthy"])
        == "Your responses should be friendly, free of severe errors and lengthy."
    )
    with pytest.raises(DataError, match="unknown or no properties"):
        manipulation_prompt(["sparkly"])


def test_arms_from_the_released_weights_follow_the_judges_profile() -> None:
    weights = load_released_weights()
    gpt4 = judge_profile(weights, GPT4_TURBO)
    human = judge_profile(weights, HUMAN)
    assert len(gpt4) == 29 and gpt4.is_monotonic_decreasing
    # the paper's findings: GPT-4-Turbo cares most about severe errors, more than humans; humans dislike
    # assistants that admit limitations
    assert gpt4.index[0] == "no_severe_errors" and gpt4["no_severe_errors"] > human["no_severe_errors"] + 5
    assert human["admit_limitations"] < 50 and "admit_limitations" in human.index[-3:]
    top, bottom = preference_arms(gpt4, k=3)
    assert top.name == "top" and top.properties == tuple(gpt4.index[:3])
    assert bottom.properties == tuple(gpt4.index[::-1][:3])
    assert top.system_prompt.startswith("Your responses should be free of severe errors, ")
    one_scenario = judge_profile(weights, GPT4_TURBO, ["Code"])
    row = weights[(weights["source"] == GPT4_TURBO) & (weights["scenario"] == "Code")].iloc[0]
    assert one_scenario.index[0] == max(PROPERTY_NAMES, key=lambda p: row[p])
    with pytest.raises(ConfigError, match="k must be between 1 and 14"):
        preference_arms(gpt4, k=15)
    with pytest.raises(DataError, match="no weights for source 'gpt-5'"):
        judge_profile(weights, "gpt-5")


def test_bootstrap_interval_covers_the_mean_at_its_level() -> None:
    rng = np.random.default_rng(0)
    covered = []
    for _ in range(300):
        values = rng.normal(loc=2.0, scale=3.0, size=40)
        low, high = bootstrap_interval(values, n_boot=1000, seed=int(rng.integers(1 << 30)))
        assert low < values.mean() < high
        covered.append(low <= 2.0 <= high)
    assert 0.89 <= np.mean(covered) <= 0.98  # nominal 95%; percentile intervals run a little narrow at n = 40
    width_40 = np.diff(bootstrap_interval(rng.normal(size=40), n_boot=2000))[0]
    width_640 = np.diff(bootstrap_interval(rng.normal(size=640), n_boot=2000))[0]
    assert width_640 == pytest.approx(width_40 / 4, rel=0.3)  # 1/sqrt(n)
    assert np.isnan(bootstrap_interval(np.array([1.0]))).all()


def _verdict(
    item: str, shown_first: str, shown_second: str, p_first: float | None, swapped: bool
) -> Judgment:
    """A pairwise verdict: P(the answer shown first preferred), or a failed parse when None."""
    return Judgment(
        judge="j",
        mode="pairwise",
        item_id=item,
        dataset="d",
        model_a=shown_first,
        model_b=shown_second,
        swapped=swapped,
        preference=p_first,
        parse_status="ok" if p_first is not None else "failed",
        provenance=Provenance(model="j", backend="hf"),
    )


def test_scores_of_hand_made_verdicts_in_both_orders() -> None:
    arms = [Arm("top", ("lengthy",)), Arm("bottom", ("friendly",))]
    assert [arm.model_name("m") for arm in arms] == ["m+top", "m+bottom"]
    # (item, arm model, P(original preferred) shown first, P(arm preferred) shown first)
    verdicts = [
        ("1", "m+top", 0.2, 0.8),  # P(manipulated preferred) 0.8 in both orders
        ("2", "m+top", 0.4, 0.6),  # 0.6
        ("1", "m+bottom", 0.7, 0.3),  # 0.3
        ("2", "m+bottom", 0.5, None),  # 0.5 from the first order alone
        ("3", "m+bottom", None, None),  # no verdict in either order
    ]
    judgments = [
        judgment
        for item, model, p_base, p_arm in verdicts
        for judgment in (_verdict(item, "m", model, p_base, False), _verdict(item, model, "m", p_arm, True))
    ]
    texts = {"m": "one two", "m+top": "a b c d", "m+bottom": "x"}
    generations = [
        Generation(item_id=i, dataset="d", model=m, text=t, provenance=Provenance(model=m, backend="hf"))
        for i in "123"
        for m, t in texts.items()
    ]
    result = score_manipulation(judgments, generations, arms, "m", 3, n_boot=500)
    top, bottom = result.arms.set_index("arm").loc[["top", "bottom"]].to_dict(orient="records")
    assert top["score"] == pytest.approx(70.0) and top["change"] == pytest.approx(20.0)
    assert (top["judged"], top["missing_pairs"], top["no_verdict"]) == (2, 1, 0)
    assert 10.0 <= top["change_lower"] <= top["change_upper"] <= 30.0
    assert (top["mean_words"], top["base_mean_words"]) == (4.0, 2.0)
    assert bottom["score"] == pytest.approx(40.0) and bottom["change"] == pytest.approx(-10.0)
    assert (bottom["judged"], bottom["missing_pairs"], bottom["no_verdict"]) == (2, 0, 1)
    assert bottom["model"] == "m+bottom" and bottom["system_prompt"] == "Your responses should be friendly."
    assert result.contrast is not None
    assert result.contrast["difference"] == pytest.approx(30.0) and result.contrast["items"] == 2
    with pytest.raises(DataError, match="no pairwise judgment"):
        score_manipulation([], generations, arms, "m", 3)
