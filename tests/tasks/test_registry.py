"""The task registry: suites, name resolution, one-line errors, and every task's items and prompts."""

from __future__ import annotations

import pytest

from alignscope.data.registry import dataset_status
from alignscope.errors import ConfigError
from alignscope.tasks.multiple_choice import MultipleChoiceTask
from alignscope.tasks.registry import FACTORS, VERTICALS, get_task, list_tasks
from alignscope.tasks.suites import resolve_tasks, suite_task_names


def test_suites_and_their_groups() -> None:
    tasks, groups = resolve_tasks(["sos"])
    assert [t.name for t in tasks] == list(suite_task_names("sos"))
    assert groups == tuple(FACTORS)
    assert {g for t in tasks for g in t.groups} >= set(FACTORS)
    trust, trust_groups = resolve_tasks(["trust"])
    assert trust_groups == tuple(VERTICALS)
    assert {g for t in trust for g in t.groups} >= set(VERTICALS)
    everything, all_groups = resolve_tasks(["all"])
    assert (
        len(everything)
        == len({t.name for t in everything})
        == len(set(suite_task_names("sos-extended")) | set(suite_task_names("trust")))
    )
    assert set(all_groups) == set(FACTORS) | set(VERTICALS)


def test_task_lists_are_deduplicated_in_order() -> None:
    tasks, groups = resolve_tasks(["mmlu,ifeval", "mmlu", " bbq "])
    assert [t.name for t in tasks] == ["mmlu", "ifeval", "bbq"]
    assert groups == ("world_knowledge", "instruction_following", "safety", "stereotype_bias")


def test_unknown_and_empty_names_are_one_line_errors() -> None:
    with pytest.raises(ConfigError, match="unknown task 'mmlux'") as info:
        resolve_tasks(["mmlux"])
    assert "\n" not in str(info.value) and "sos" in str(info.value)
    with pytest.raises(ConfigError, match="name a suite"):
        resolve_tasks([" , "])


@pytest.mark.parametrize(
    "task", [t for t in list_tasks() if dataset_status(t.dataset).present], ids=lambda t: t.name
)
def test_every_task_with_its_data_here_loads_items_and_builds_prompts(task) -> None:
    items = task.items(limit=4, seed=1)
    assert len(items) == 4 and len({it.id for it in items}) == 4
    assert items == task.items(limit=4, seed=1)  # seeded subset
    assert 0.0 <= task.chance(items) < 1.0
    assert len(task.template_hash()) == 16 and task.groups
    if isinstance(task, MultipleChoiceTask):
        for item in items:
            prompt = task.choice_prompt(item)
            gold = task.gold(item)
            assert len(prompt.continuations) == len(prompt.choices) == len(task.options(item)) >= 2
            assert gold and all(0 <= g < len(prompt.choices) for g in gold)


def test_registry_lists_every_suite_task() -> None:
    names = {t.name for t in list_tasks()}
    for suite in ("sos", "sos-extended", "trust", "all"):
        assert set(suite_task_names(suite)) <= names
    assert get_task("mmlu-5shot").shots == 5
