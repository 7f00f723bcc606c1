"""The Open LLM Leaderboard v2 world-knowledge sets: BIG-Bench Hard (the 24 multiple-choice tasks of
lm-evaluation-harness's ``leaderboard_bbh``), MATH Level 5 and MMLU-Pro (2024 test release)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from alignscope.data.io import open_text, read_json, read_jsonl
from alignscope.data.registry import bundled_path, register
from alignscope.errors import DataError
from alignscope.records import Item, Message

BBH_SOURCE = "suzgunmirac/BIG-Bench-Hard @9ee07bd: bbh/*.json, cot-prompts/*.txt"
BBH_VERSION = "bbh-9ee07bd"
MATH_SOURCE = "hendrycks/math test split (copy in LightChen233/ECM @aac9ae2): Level 5"
MATH_VERSION = "math-test-level5"
MMLU_PRO_SOURCE = "TIGER-AI-Lab/MMLU-Pro @ff991b5 (2024-05-20 test release)"
MMLU_PRO_VERSION = "mmlu-pro-2024-ff991b5"


def _letters(n: int) -> tuple[str, ...]:
    return tuple(f"({chr(ord('A') + k)})" for k in range(n))


# The options of each task, as lm-eval's tasks/leaderboard/bbh_mc/TASK.yaml ``doc_to_choice`` lists them.
BBH_CHOICES: dict[str, tuple[str, ...]] = {
    "boolean_expressions": ("False", "True"),
    "causal_judgement": ("Yes", "No"),
    "date_understanding": _letters(6),
    "disambiguation_qa": _letters(3),
    "formal_fallacies": ("valid", "invalid"),
    "geometric_shapes": _letters(11),
    "hyperbaton": _letters(2),
    "logical_deduction_five_objects": _letters(5),
    "logical_deduction_seven_objects": _letters(7),
    "logical_deduction_three_objects": _letters(3),
    "movie_recommendation": _letters(6),
    "navigate": ("Yes", "No"),
    "object_counting": tuple(str(k) for k in range(19)),
    "penguins_in_a_table": _letters(5),
    "reasoning_about_colored_objects": _letters(18),
    "ruin_names": _letters(6),
    "salient_translation_error_detection": _letters(6),
    "snarks": _letters(2),
    "sports_understanding": ("yes", "no"),
    "temporal_sequences": _letters(4),
    "tracking_shuffled_objects_five_objects": _letters(5),
    "tracking_shuffled_objects_seven_objects": _letters(7),
    "tracking_shuffled_objects_three_objects": _letters(3),
    "web_of_lies": ("Yes", "No"),
}


@dataclass(frozen=True)
class BBHPrompt:
    """A BBH task's few-shot material from its chain-of-thought prompt file: the task description and the
    (question, final answer) of each worked example, in order."""

    description: str
    shots: tuple[tuple[str, str], ...]


@functools.cache
def bbh_prompt(task: str) -> BBHPrompt:
    """The description and 3 shots of BBH ``task``: the text after the canary's ``-----`` line up to the first
    question, and each example's ``Q:`` text with the answer its solution ends on ("So the answer is X.")."""
    with open_text(bundled_path("bbh", f"cot-prompts/{task}.txt.gz")) as f:
        text = f.read()
    header, *blocks = text.split("\n\nQ: ")
    shots = []
    for block in blocks:
        question, solution = block.split("\nA: ", 1)
        answer = re.search(r"So the answer is (.*)\.\s*$", solution.strip())
        if answer is None:
            raise DataError(f"BBH prompt {task}: a worked example without 'So the answer is ...'")
        shots.append((question, answer.group(1)))
    return BBHPrompt(header.split("-----\n", 1)[1], tuple(shots))


def bbh_gold(task: str, target: str) -> int | list[int]:
    """The index of ``target`` among the task's options, as lm-eval reads ``doc_to_target``: a digit string is
    an index; a target that is not an option (3 upstream examples) matches none (``[]``: never correct)."""
    choices = BBH_CHOICES[task]
    if target.isdigit():
        index = int(target)
        return index if index < len(choices) else []
    return choices.index(target) if target in choices else []


def bbh_chat_prompt(task: str, question: str) -> str:
    """One BBH question as a chat turn: the task description, the question and the options to answer with."""
    options = ", ".join(BBH_CHOICES[task])
    return f"{bbh_prompt(task).description}\n\n{question}\n\nAnswer with one of: {options}."


@register(
    "bbh",
    description="BIG-Bench Hard: the 24 multiple-choice tasks of the Open LLM Leaderboard (5,761 examples)",
    licence="MIT",
    source=BBH_SOURCE,
    folder="bbh",
)
def load_bbh() -> Iterator[Item]:
    """Examples of the 24 tasks, tasks in alphabetical order; ``category`` is the task, ``choices`` its
    options; ``target`` keeps the raw input and target."""
    for task in BBH_CHOICES:
        for n, row in enumerate(read_json(bundled_path("bbh", f"tasks/{task}.json.gz"))["examples"]):
            yield Item(
                id=f"bbh-{task}-{n}",
                dataset="bbh",
                category=task,
                messages=[Message(role="user", content=bbh_chat_prompt(task, row["input"]))],
                choices=list(BBH_CHOICES[task]),
                gold=bbh_gold(task, row["target"]),
                target={"task": task, "input": row["input"], "target": row["target"]},
                data_version=BBH_VERSION,
            )


@register(
    "math-hard",
    description="MATH Level 5: 1,324 competition problems (test split, 7 subjects), answers in \\boxed{}",
    licence="MIT",
    source=MATH_SOURCE,
    folder="math",
)
def load_math_hard() -> Iterator[Item]:
    """Level 5 test problems in upstream order; ``category`` is the subject; ``target`` keeps the problem and
    the reference solution."""
    for n, row in enumerate(read_jsonl(bundled_path("math", "test_level5.jsonl.gz"))):
        yield Item(
            id=f"math-hard-{n}",
            dataset="math-hard",
            category=row["type"],
            messages=[Message(role="user", content=row["problem"])],
            target={"problem": row["problem"], "solution": row["solution"], "type": row["type"]},
            data_version=MATH_VERSION,
        )


def mmlu_pro_chat_prompt(question: str, options: list[str]) -> str:
    """The question as one chat turn: question, lettered options, how to answer."""
    lines = [f"{chr(ord('A') + k)}. {option}" for k, option in enumerate(options)]
    return "\n".join([question, *lines, "Answer with the letter of the correct option."])


@register(
    "mmlu-pro",
    description="MMLU-Pro test (2024 release): 12,032 questions with up to 10 options in 14 categories",
    licence="Apache-2.0",
    source=MMLU_PRO_SOURCE,
    folder="mmlu_pro",
)
def load_mmlu_pro() -> Iterator[Item]:
    """Test questions in upstream order; ``category`` is the category; ``target`` keeps the raw row."""
    for row in read_jsonl(bundled_path("mmlu_pro", "test.jsonl.gz")):
        yield Item(
            id=f"mmlu-pro-{row['question_id']}",
            dataset="mmlu-pro",
            category=row["category"],
            messages=[Message(role="user", content=mmlu_pro_chat_prompt(row["question"], row["options"]))],
            choices=list(row["options"]),
            gold=int(row["answer_index"]),
            target={
                "question_id": row["question_id"],
                "question": row["question"],
                "answer": row["answer"],
                "category": row["category"],
            },
            data_version=MMLU_PRO_VERSION,
        )
