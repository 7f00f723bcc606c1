"""World knowledge and truthfulness: MMLU (test; dev for few-shot examples), TruthfulQA multiple choice."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from alignscope.data.io import read_json, read_jsonl
from alignscope.data.registry import bundled_path, register
from alignscope.records import Item, Message

MMLU_SOURCE = "hendrycks/test (reformatted copy in HaeChan0305/MLILAB-FedLLM @d92730e): data/test, data/dev"
MMLU_VERSION = "mmlu-hendrycks-d92730e"
TRUTHFULQA_SOURCE = "sylinrl/TruthfulQA @d71c110 (original 817-question release): data/mc_task.json"
TRUTHFULQA_VERSION = "truthfulqa-mc-817"
LETTERS = "ABCD"


def subject_name(subject: str) -> str:
    """``high_school_us_history`` -> ``high school us history`` (as lm-evaluation-harness names subjects)."""
    return subject.replace("_", " ")


def mmlu_chat_prompt(row: dict[str, Any]) -> str:
    """The question as one chat turn: subject line, question, lettered options, how to answer."""
    options = "\n".join(f"{letter}. {choice}" for letter, choice in zip(LETTERS, row["choices"], strict=True))
    return (
        f"The following is a multiple choice question about {subject_name(row['subject'])}.\n\n"
        f"{row['question'].strip()}\n{options}\nAnswer with the letter of the correct option."
    )


def _mmlu(dataset: str, split: str) -> Iterator[Item]:
    """The ``split`` questions as data set ``dataset``, in upstream order, subjects in
    alphabetical order (lm-evaluation-harness takes the first five dev questions of a subject as shots);
    ``target`` keeps the raw question and subject."""
    counters: dict[str, int] = {}
    for row in read_jsonl(bundled_path("mmlu", f"{split}.jsonl.gz")):
        subject = row["subject"]
        counters[subject] = counters.get(subject, -1) + 1
        yield Item(
            id=f"mmlu-{split}-{subject}-{counters[subject]}",
            dataset=dataset,
            category=subject,
            messages=[Message(role="user", content=mmlu_chat_prompt(row))],
            choices=list(row["choices"]),
            gold=int(row["answer"]),
            target={"subject": subject, "question": row["question"]},
            data_version=MMLU_VERSION,
        )


for _dataset, _split, _description in (
    ("mmlu", "test", "MMLU test: 14,042 four-option questions in 57 subjects; accuracy by log-likelihood"),
    ("mmlu-dev", "dev", "MMLU dev: the 5 few-shot examples of each of the 57 subjects"),
):
    register(
        _dataset,
        description=_description,
        licence="MIT",
        source=MMLU_SOURCE,
        folder="mmlu",
    )(functools.partial(_mmlu, _dataset, _split))


@register(
    "truthfulqa-mc",
    description="TruthfulQA multiple choice: 817 questions; MC1 (one true option), MC2 (several true)",
    licence="Apache-2.0",
    source=TRUTHFULQA_SOURCE,
    folder="truthfulqa",
)
def load_truthfulqa_mc() -> Iterator[Item]:
    """``choices``: the MC1 options (the true one first, gold 0); ``target``: MC2 options and labels."""
    for n, row in enumerate(read_json(bundled_path("truthfulqa", "mc_task.json.gz"))):
        yield Item(
            id=f"truthfulqa-{n}",
            dataset="truthfulqa-mc",
            messages=[Message(role="user", content=row["question"])],
            choices=list(row["mc1_targets"]),
            gold=0,
            target={
                "question": row["question"],
                "mc1_labels": list(row["mc1_targets"].values()),
                "mc2_choices": list(row["mc2_targets"]),
                "mc2_labels": list(row["mc2_targets"].values()),
            },
            data_version=TRUTHFULQA_VERSION,
        )
