"""Scenario groups: the template lists exactly the original's 11 groups with every merged Auto-J scenario,
the benchmark categories map onto groups, and the accuracy's exact values on a hand-made case."""

from __future__ import annotations

import re

import pytest

from alignscope.analysis.dissection.properties import SCENARIOS
from alignscope.analysis.dissection.scenarios import (
    CATEGORY_GROUPS,
    SCENARIO_GROUPS,
    check_groups,
    group_of,
    known_group,
    scenario_accuracy,
)
from alignscope.data import load_items
from alignscope.errors import DataError
from alignscope.judges.modes import get_judge_mode
from alignscope.judges.templates import load_template


def test_the_template_lists_the_groups_and_their_scenarios() -> None:
    template = load_template("scenario-groups")
    assert template.mode == "scenario" and get_judge_mode("scenario").template == "scenario-groups"
    check_groups(template.labels)
    assert list(template.labels) == list("ABCDEFGHIJK")
    assert list(SCENARIO_GROUPS) == list(SCENARIOS)
    for letter, group in template.labels.items():
        assert f"({letter}) {group}\n" in template.text
    listed = re.findall(r"^    - (\w+): ", template.text, flags=re.MULTILINE)
    merged = [s for names in SCENARIO_GROUPS.values() for s in names]
    assert listed == merged and len(set(merged)) == len(merged) == 60  # Auto-J's 58 + others + peer_review
    with pytest.raises(DataError, match="are not the groups"):
        check_groups({"A": "Code"})


def test_scenarios_merge_into_groups() -> None:
    assert group_of("code_generation") == "Code" and group_of("rejecting") == "Unsafe Queries"
    assert group_of("text_summarization") == "NLP Tasks" and group_of("seeking_advice") == "Advice"
    assert group_of("no_such_scenario") == "Others" and group_of("Daily Tasks") == "Daily Tasks"


def test_every_benchmark_category_has_a_group() -> None:
    for dataset, mapping in CATEGORY_GROUPS.items():
        categories = {it.category for it in load_items(dataset)}
        assert categories == set(mapping), dataset
        assert set(mapping.values()) <= set(SCENARIOS)
    assert known_group("mt_bench", "coding") == "Code" and known_group("mt_bench", "poetry") is None
    assert known_group("alpaca_eval", "writing") is None


def test_accuracy_of_a_hand_made_case() -> None:
    known = ["Code", "Code", "Code", "Advice"]
    result = scenario_accuracy(["Code", "Advice", "Code", "Advice"], known, n_boot=500)
    assert result.n == 4 and result.accuracy == 0.75
    assert (result.majority_group, result.majority_baseline) == ("Code", 0.75)
    assert result.recall == {"Advice": 1.0, "Code": pytest.approx(2 / 3)}
    assert result.confusion == {"Code": {"Code": 2, "Advice": 1}, "Advice": {"Advice": 1}}
    assert 0.0 <= result.lower <= 0.75 <= result.upper == 1.0
    with pytest.raises(DataError, match="one predicted group per query"):
        scenario_accuracy(["Code"], [])
