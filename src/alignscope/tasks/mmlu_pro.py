"""MMLU-Pro as lm-evaluation-harness's ``leaderboard_mmlu_pro`` (Open LLM Leaderboard v2) runs it, except for
where the 5 shots come from.

Context = 5 shots + question, where
  question  = "{question}\\n" + "A. {option 1}\\n" + ... (up to J) + "Answer:"
  each shot = the question format of a shot + " " + "{answer letter}" + "\\n\\n"
continuations " A", " B", ... (one per option); ``acc`` (the option with the highest log-likelihood).

Shots: lm-eval gives every question the same 5 shots, the first 5 questions of the validation split
(``fewshot_split: validation``, ``sampler: first_n``). That 70-question split is not available here, so a
question's shots are the first 5 questions of its own category in the test file, skipping the question
itself (then the category's sixth takes its place): what lm-eval's first_n sampler gives when the few-shot
split is the category's test questions. Those questions stay in the test set, each asked with the others.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass

from alignscope.data import load_items
from alignscope.records import Item
from alignscope.tasks.multiple_choice import ChoicePrompt, MultipleChoiceTask
from alignscope.tasks.registry import leaderboard_task, register_task

SHOTS = 5
TARGET_DELIMITER = " "
FEWSHOT_DELIMITER = "\n\n"
DEVIATION = (
    "5 shots from the test set: lm-eval uses the first 5 of the 70 validation questions (not available here) "
    "for every question; alignscope uses the first 5 test questions of the question's own category, never "
    "the question itself"
)


def question_text(item: Item) -> str:
    """lm-eval's ``doc_to_text``: the question, each option as "A. ..." on its own line, then "Answer:"."""
    lines = "".join(f"{string.ascii_uppercase[k]}. {o}\n" for k, o in enumerate(item.choices or ()))
    return f"{item.target['question']}\n{lines}Answer:"


@functools.lru_cache(maxsize=1)
def shot_pools() -> dict[str, tuple[Item, ...]]:
    """Per category, its first ``SHOTS + 1`` test questions in file order (its questions' shots)."""
    pools: dict[str, list[Item]] = {}
    for item in load_items("mmlu-pro"):
        pool = pools.setdefault(str(item.category), [])
        if len(pool) <= SHOTS:
            pool.append(item)
    return {category: tuple(pool) for category, pool in pools.items()}


def shot_pool(category: str) -> tuple[Item, ...]:
    """The first ``SHOTS + 1`` test questions of ``category``."""
    return shot_pools()[category]


def shots_for(item: Item) -> tuple[Item, ...]:
    """The first 5 questions of ``item``'s category that are not ``item`` itself (lm-eval's first_n sampler
    over a few-shot split holding the category's questions)."""
    return tuple(shot for shot in shot_pool(str(item.category)) if shot.id != item.id)[:SHOTS]


def mmlu_pro_context(item: Item) -> str:
    """The 5-shot raw-text context of ``item``."""
    demos = "".join(
        question_text(shot) + TARGET_DELIMITER + shot.target["answer"] + FEWSHOT_DELIMITER
        for shot in shots_for(item)
    )
    return demos + question_text(item)


@dataclass(frozen=True, kw_only=True)
class MMLUProTask(MultipleChoiceTask):
    """MMLU-Pro by the log-likelihood of the answer letter after 5 shots."""

    def choice_prompt(self, item: Item) -> ChoicePrompt:
        """Context with the 5 shots; continuations " A" ... one per option."""
        letters = tuple(string.ascii_uppercase[: len(item.choices or ())])
        return ChoicePrompt(mmlu_pro_context(item), tuple(TARGET_DELIMITER + x for x in letters), letters)

    def template(self) -> str:
        """Question format, delimiters and the shots' ids."""
        pools = ";".join(f"{c}:{','.join(s.id for s in pool)}" for c, pool in sorted(shot_pools().items()))
        delimiters = f"{TARGET_DELIMITER!r}|{FEWSHOT_DELIMITER!r}"
        return f"question|A. option|Answer:|{delimiters}|shots={SHOTS} of {pools}"


MMLU_PRO = register_task(
    leaderboard_task(
        MMLUProTask,
        "mmlu-pro",
        "MMLU-Pro (2024 test), 5-shot, up to 10 options by log-likelihood (lm-eval `leaderboard_mmlu_pro`): "
        "accuracy",
        deviation=DEVIATION,
    )
)
