"""BIG-Bench Hard as lm-evaluation-harness's ``leaderboard_bbh`` (Open LLM Leaderboard v2) runs it: the 24
multiple-choice tasks ``leaderboard_bbh_<task>``, one alignscope task over all of them.

Context = description + 3 shots + question (lm-eval joins the description to the first shot with nothing
in between), where
  each shot = "Q: {input}\\nA:" + " " + "{answer}" + "\\n\\n"  (the task's 3 fixed examples, first_n)
  question  = "Q: {input}\\nA:"
continuations " " + each of the task's options (``doc_to_choice``); the headline metric is ``acc_norm`` (the
option with the highest log-likelihood per character), the mean over all examples (lm-eval's group
aggregate, weighted by task size). Examples whose target is not among the options (3 upstream) count wrong.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from alignscope.data.sets.leaderboard import BBH_CHOICES, bbh_prompt
from alignscope.records import Item
from alignscope.tasks.multiple_choice import ChoicePrompt, Loglikelihoods, MultipleChoiceTask
from alignscope.tasks.registry import Result, leaderboard_task, register_task

QUESTION = "Q: {input}\nA:"
TARGET_DELIMITER = " "
FEWSHOT_DELIMITER = "\n\n"


def bbh_context(task: str, question: str) -> str:
    """The 3-shot raw-text context of ``question`` in BBH ``task``."""
    prompt = bbh_prompt(task)
    shots = "".join(
        QUESTION.format(input=q) + TARGET_DELIMITER + a + FEWSHOT_DELIMITER for q, a in prompt.shots
    )
    return prompt.description + shots + QUESTION.format(input=question)


@dataclass(frozen=True, kw_only=True)
class BBHTask(MultipleChoiceTask):
    """The 24 BBH tasks by per-character-normalised log-likelihood of each option."""

    metric: str = "acc_norm"

    def choice_prompt(self, item: Item) -> ChoicePrompt:
        """The item's task context; continuations " " + option."""
        options = BBH_CHOICES[item.target["task"]]
        return ChoicePrompt(
            bbh_context(item.target["task"], item.target["input"]),
            tuple(TARGET_DELIMITER + o for o in options),
            options,
        )

    def template(self) -> str:
        """Question format, delimiters, and every task's description, shots and options."""
        parts = [QUESTION, repr(TARGET_DELIMITER), repr(FEWSHOT_DELIMITER)]
        for task, options in BBH_CHOICES.items():
            prompt = bbh_prompt(task)
            parts += [task, prompt.description, *(f"{q}|{a}" for q, a in prompt.shots), *options]
        return "|".join(parts)

    def score_loglikelihoods(self, item: Item, prompt: ChoicePrompt, lls: Loglikelihoods) -> Result:
        """acc and acc_norm; ``value`` and ``choice`` follow acc_norm."""
        result = super().score_loglikelihoods(item, prompt, lls)
        return result | {"value": result["acc_norm"], "choice": result["pred_norm"], "task": item.category}

    def score_choice(self, item: Item, choice: int | None) -> Result:
        """A generated answer's result, with its task."""
        return super().score_choice(item, choice) | {"task": item.category}

    def aggregate(self, results: Sequence[Result]) -> Result:
        """acc_norm over all examples, and per task."""
        summary = super().aggregate(results)
        by_task: dict[str, list[float]] = defaultdict(list)
        for r in results:
            by_task[r["task"]].append(r["value"])
        summary["by_task"] = {k: {self.metric: float(np.mean(v)), "n": len(v)} for k, v in by_task.items()}
        return summary


BBH = register_task(
    leaderboard_task(
        BBHTask,
        "bbh",
        "BIG-Bench Hard, 3-shot, options by log-likelihood (lm-eval `leaderboard_bbh`): acc_norm; the 24 "
        "multiple-choice tasks of BBH's 27 (dyck_languages, multistep_arithmetic_two and word_sorting have "
        "free-form answers and no option list, so `leaderboard_bbh` leaves them out)",
    )
)
