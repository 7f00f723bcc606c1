"""Arena-Hard v0.1 (500 hard prompts, gpt-4-0314 baseline answers) and arena-bench-v1 (300 questions, GPT-4
reference answers), from lmarena/arena-hard-auto."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from alignscope.data.io import read_jsonl
from alignscope.data.registry import Loader, bundled_path, register
from alignscope.records import Item, Message

FOLDER = "arena_hard"
BASELINE = "gpt-4-0314"


def arena_set(name: str, source: str, description: str) -> Callable[[Loader], Loader]:
    """Decorator registering data set ``name`` from lmarena/arena-hard-auto (Apache-2.0, bundled in
    ``arena_hard``); ``source`` is the commit and path in that repository."""
    return register(
        name,
        description=description,
        licence="Apache-2.0",
        source=f"lmarena/arena-hard-auto {source}",
        folder=FOLDER,
    )


def _baseline_answers() -> dict[str, str]:
    rows = read_jsonl(bundled_path(FOLDER, "v0.1/model_answer_gpt-4-0314.jsonl.gz"))
    return {r["uid"]: r["messages"][-1]["content"]["answer"] for r in rows}


@arena_set(
    "arena-hard-v0.1",
    "@196f6b8: data/arena-hard-v0.1",
    "Arena-Hard-Auto v0.1: 500 hard prompts; target holds the gpt-4-0314 baseline answer",
)
def load_arena_hard_v01() -> Iterator[Item]:
    """Items with category = the topic cluster and the baseline's answer in ``target``."""
    answers = _baseline_answers()
    for row in read_jsonl(bundled_path(FOLDER, "v0.1/question.jsonl.gz")):
        yield Item(
            id=row["uid"],
            dataset="arena-hard-v0.1",
            category=row.get("cluster"),
            messages=[Message(role="user", content=row["prompt"])],
            target={"baseline_model": BASELINE, "baseline_output": answers[row["uid"]]},
            data_version="arena-hard-auto-196f6b8",
        )


@arena_set(
    "arena-bench-v1",
    "history @4a705dd: data/arena-bench-v1",
    "arena-bench-v1: 300 questions with GPT-4 reference answers (single-answer grading)",
)
def load_arena_bench_v1() -> Iterator[Item]:
    """Items with the GPT-4 reference answer its judge was given in ``reference``."""
    refs = {
        r["question_id"]: r["choices"][0]["turns"][0]
        for r in read_jsonl(bundled_path(FOLDER, "arena-bench-v1/reference_answer_gpt-4.jsonl.gz"))
    }
    for row in read_jsonl(bundled_path(FOLDER, "arena-bench-v1/question.jsonl.gz")):
        yield Item(
            id=row["question_id"],
            dataset="arena-bench-v1",
            category=row.get("category"),
            messages=[Message(role="user", content=row["turns"][0])],
            turns=row["turns"][1:],
            reference=refs.get(row["question_id"]),
            data_version="arena-hard-auto-4a705dd",
        )
