"""BBH, MATH Level 5 and MMLU-Pro requests identical to lm-evaluation-harness's ``leaderboard`` tasks: its own
YAMLs, pointed at the shipped files, build the requests for the same questions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from alignscope.data.sets.leaderboard import BBH_CHOICES, bbh_prompt
from alignscope.records import Item
from alignscope.tasks.math_hard import MAX_NEW_TOKENS, STOP, math_context
from alignscope.tasks.mmlu_pro import shot_pools, shots_for
from alignscope.tasks.registry import get_task
from alignscope.testing.lm_eval_leaderboard import (
    bbh_configs,
    leaderboard_dir,
    math_configs,
    math_utils,
    mmlu_pro_configs,
)
from alignscope.testing.lm_eval_reference import request_contexts

PER_TASK = 3


def _bbh_sample() -> list[Item]:
    """The first example, the last, and a seeded one of each of the 24 tasks (plus the 3 whose target is not
    an option)."""
    by_task: dict[str, list[Item]] = {}
    for item in get_task("bbh").items():
        by_task.setdefault(str(item.category), []).append(item)
    picked = [it for its in by_task.values() for it in (its[0], its[len(its) // 2], its[-1])]
    return picked + [it for it in get_task("bbh").items() if it.gold == [] and it not in picked]


def test_bbh_task_list_is_lm_eval_leaderboard_group() -> None:
    group = yaml.safe_load((leaderboard_dir() / "bbh_mc" / "_leaderboard_bbh.yaml").read_text())
    assert [f"leaderboard_bbh_{t}" for t in BBH_CHOICES] == group["task"]
    assert len(BBH_CHOICES) == 24


def test_bbh_options_descriptions_and_shots_match_every_yaml() -> None:
    from lm_eval.tasks._yaml_loader import load_yaml

    for task, choices in BBH_CHOICES.items():
        cfg = load_yaml(leaderboard_dir() / "bbh_mc" / f"{task}.yaml", recursive=True)
        prompt = bbh_prompt(task)
        assert list(choices) == cfg["doc_to_choice"], task
        assert prompt.description == cfg["description"], task
        assert [{"input": q, "target": a} for q, a in prompt.shots] == cfg["fewshot_config"]["samples"], task
        assert cfg["num_fewshot"] == len(prompt.shots) == 3


def test_bbh_requests_match_lm_eval(tmp_path: Path) -> None:
    task = get_task("bbh")
    items = _bbh_sample()
    references = request_contexts(bbh_configs(items, tmp_path))
    assert len(references) == len(items) == 24 * PER_TASK + 3
    for doc, context, continuations in references:
        (item,) = [  # the three tracking_shuffled_objects tasks share a description: tell them by options
            it
            for it in items
            if it.target["input"] == doc["input"] and len(it.choices or ()) == len(continuations)
        ]
        prompt = task.choice_prompt(item)
        assert prompt.context == context
        assert (
            list(prompt.continuations) == continuations == [f" {c}" for c in BBH_CHOICES[str(item.category)]]
        )
        assert context.count("\nA: ") == 3


def test_math_hard_requests_match_lm_eval(tmp_path: Path) -> None:
    task = get_task("math-hard")
    items = task.items(limit=14, seed=5)
    references = request_contexts(math_configs(items, tmp_path))
    mine = {it.target["problem"]: it for it in items}
    assert len(references) == len(items)
    for doc, context, arguments in references:
        assert math_context(doc["problem"]) == context
        (gen_kwargs,) = arguments
        assert gen_kwargs["until"] == list(STOP)
        assert gen_kwargs["max_gen_toks"] == MAX_NEW_TOKENS
        assert gen_kwargs["do_sample"] is False
        assert context.count("Problem:\n") == 5
        assert doc["solution"] == mine[doc["problem"]].target["solution"]


def test_math_fewshot_samples_are_lm_eval_samples() -> None:
    from alignscope.tasks.math_hard import FEWSHOT

    assert [(s["problem"], s["solution"]) for s in math_utils().list_fewshot_samples()] == list(FEWSHOT)


@pytest.mark.parametrize("which", ["pool", "sample"])
def test_mmlu_pro_requests_match_lm_eval(which: str, tmp_path: Path) -> None:
    """Shots from the question's own category, never the question itself: lm-eval's first_n sampler over a
    few-shot split of the category's first 6 test questions builds the same contexts ("pool": those 6 of
    three categories, asked themselves; "sample": seeded questions of many categories)."""
    task = get_task("mmlu-pro")
    pools = shot_pools()
    if which == "pool":
        items = [it for category in ("business", "law", "physics") for it in pools[category]]
    else:
        items = task.items(limit=20, seed=9)
    configs = mmlu_pro_configs(items, pools, tmp_path)
    references = request_contexts(configs)
    mine = {it.target["question_id"]: it for pool in pools.values() for it in pool} | {
        it.target["question_id"]: it for it in items
    }
    assert len(configs) == len({it.category for it in items}) > (1 if which == "pool" else 5)
    assert {doc["question_id"] for doc, _, _ in references} >= {it.target["question_id"] for it in items}
    for doc, context, continuations in references:
        item = mine[doc["question_id"]]
        prompt = task.choice_prompt(item)
        assert prompt.context == context
        assert list(prompt.continuations) == continuations
        assert len(continuations) == len(item.choices or ())
        assert context.count("\nAnswer: ") == 5
        shots = shots_for(item)
        assert all(s.id != item.id and s.category == item.category for s in shots)
        assert all(s.target["question"] in context for s in shots)
