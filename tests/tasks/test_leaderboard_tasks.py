"""bbh, math-hard and mmlu-pro: options and gold as lm-eval reads them, MMLU-Pro's shot choice, and each task
end to end on the embedded SmolLM2 (2 items)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from alignscope.backends.hf import HFBackend
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.data import load_items
from alignscope.data.sets.leaderboard import BBH_CHOICES, bbh_gold
from alignscope.engine import Engine
from alignscope.store import RunStore
from alignscope.tasks.math_hard import math_context
from alignscope.tasks.mmlu_pro import mmlu_pro_context, shot_pool, shot_pools, shots_for
from alignscope.tasks.registry import TaskContext, get_task


def test_bbh_gold_is_lm_eval_target_index() -> None:
    assert bbh_gold("object_counting", "12") == 12 and BBH_CHOICES["object_counting"][12] == "12"
    assert bbh_gold("boolean_expressions", "True") == 1
    assert bbh_gold("date_understanding", "(C)") == 2
    assert bbh_gold("ruin_names", "dearth, wind, & fire") == []  # not an option: never correct, as lm-eval
    items = load_items("bbh")
    assert len(items) == 5761 and {str(it.category) for it in items} == set(BBH_CHOICES)
    for item in items:
        assert item.choices == list(BBH_CHOICES[str(item.category)])
        if item.gold != []:
            assert item.choices[int(item.gold)] == item.target["target"]
    assert [it.target["target"] for it in items if it.gold == []] == [
        "Monsters, Inc",
        "dearth, wind, & fire",
        "rita, sue and bob poo",
    ]


def test_mmlu_pro_shots_are_the_first_five_other_questions_of_the_category() -> None:
    items = load_items("mmlu-pro")
    pools = shot_pools()
    categories = {str(it.category) for it in items}
    assert set(pools) == categories and len(categories) == 14
    for category in categories:
        in_file = [it for it in items if it.category == category]
        assert [it.id for it in shot_pool(category)] == [it.id for it in in_file[:6]]
    for item in [*shot_pool("law"), *items[6::997]]:
        shots = shots_for(item)
        assert len(shots) == 5 and item.id not in {s.id for s in shots}
        expected = [it for it in items if it.category == item.category and it.id != item.id][:5]
        assert [s.id for s in shots] == [s.id for s in expected]
        assert mmlu_pro_context(item) == mmlu_pro_context(item.model_copy())  # deterministic
        assert item.target["question"] + "\n" not in mmlu_pro_context(item).rsplit("\n\n", 1)[0]
    deviation = get_task("mmlu-pro").deviation or ""
    assert "own category" in deviation and "never the question itself" in deviation


def test_origins_name_lm_eval_tasks() -> None:
    assert {n: get_task(n).origin for n in ("bbh", "math-hard", "mmlu-pro")} == {
        "bbh": "leaderboard_bbh",
        "math-hard": "leaderboard_math_hard",
        "mmlu-pro": "leaderboard_mmlu_pro",
    }
    assert get_task("bbh").groups == get_task("mmlu-pro").groups == ("world_knowledge",)


@pytest.mark.parametrize("name", ["bbh", "mmlu-pro"])
def test_likelihood_tasks_end_to_end(name: str, tmp_path: Path, hf_smollm2: HFBackend) -> None:
    task = get_task(name)
    engine = Engine(RunStore(tmp_path), name, progress=False)
    items = task.items(limit=2, seed=0)
    outcome = task.evaluate(TaskContext(engine, hf_smollm2, hf_smollm2.spec), items)
    assert not outcome.failures and len(outcome.scores) == 2
    metric = "acc_norm" if name == "bbh" else "acc"
    for item, result in zip(items, outcome.results, strict=True):
        options = task.choice_prompt(item).choices
        assert len(result["lls"]) == len(options) and all(ll < 0 for ll in result["lls"])
        lls = np.array(result["lls"]) / (np.array([len(o) for o in options]) if name == "bbh" else 1.0)
        assert result["choice"] == int(np.argmax(lls))
        assert result["value"] == result[metric] == float(result["choice"] == item.gold)
    summary = task.aggregate(outcome.results)
    assert summary["n"] == 2 and summary["value"] == np.mean([r["value"] for r in outcome.results])
    assert engine.stats.calls_made == sum(len(task.choice_prompt(it).choices) for it in items)


def test_math_hard_end_to_end_continues_the_raw_prompt(tmp_path: Path, hf_smollm2: HFBackend) -> None:
    task = get_task("math-hard")
    engine = Engine(RunStore(tmp_path), "math", progress=False)
    items = task.items(limit=2, seed=0)
    outcome = task.evaluate(TaskContext(engine, hf_smollm2, hf_smollm2.spec, max_tokens=24), items)
    assert not outcome.failures and len(outcome.scores) == 2
    for item, gen in zip(items, outcome.generations["math-hard"], strict=True):
        assert gen.provenance.sampling.stop == ("Problem:",) and gen.provenance.sampling.max_tokens == 24
        assert gen.prompt_tokens == hf_smollm2.count_tokens(
            math_context(item.target["problem"])
        )  # no template
        assert gen.error is None and "Problem:" not in gen.text and gen.completion_tokens <= 24
        assert gen.finish_reason in ("stop", "length")
    assert all(r["value"] in (0.0, 1.0) for r in outcome.results)
    assert task.aggregate(outcome.results)["n"] == 2


def test_math_hard_scores_given_solutions() -> None:
    task = get_task("math-hard")
    item = task.items(limit=1, seed=3)[0]
    boxed = item.target["solution"].rsplit("\\boxed{", 1)[1]
    answer = boxed[: boxed.rfind("}")]
    right = f"Work.\nFinal Answer: The final answer is ${answer}$. I hope it is correct."
    results = task.score_texts(
        [item, item, item], [right, "Final Answer: The final answer is $-12345$. I hope it is correct.", "?"]
    )
    assert [r["value"] for r in results] == [1.0, 0.0, 0.0]
    summary = task.aggregate(results)
    assert summary["exact_match"] == pytest.approx(1 / 3) and summary["n_no_final_answer"] == 1


def test_math_hard_needs_a_backend_that_continues_raw_text(tmp_path: Path) -> None:
    spec = ModelSpec(name="chat-only", backend="openai", model="m", base_urls=["http://127.0.0.1:9/v1"])
    backend = make_backend(spec)
    engine = Engine(RunStore(tmp_path), "chat-only", progress=False)
    items = get_task("math-hard").items(limit=2, seed=0)
    outcome = get_task("math-hard").evaluate(TaskContext(engine, backend, spec), items)
    assert set(outcome.failures) == {it.id for it in items} and not outcome.scores
    assert "raw-text" in outcome.failures[items[0].id] and engine.stats.calls_made == 0


def test_raw_prompt_leaves_chat_request_keys_unchanged() -> None:
    from alignscope.backends.base import ChatRequest
    from alignscope.records import Message

    chat = ChatRequest(messages=(Message(role="user", content="hi"),))
    assert "prompt" not in chat.model_dump(mode="json")  # cache keys of chat requests are what they were
    raw = ChatRequest(messages=(), prompt="Problem:\n1+1\n\nSolution:")
    assert raw.model_dump(mode="json")["prompt"] == "Problem:\n1+1\n\nSolution:"
