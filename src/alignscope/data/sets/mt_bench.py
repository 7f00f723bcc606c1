"""MT-Bench (80 two-turn questions with GPT-4 reference answers) and Vicuna-bench, from FastChat."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from alignscope.data.io import read_jsonl
from alignscope.data.registry import Loader, bundled_path, register
from alignscope.records import Item, Message

SOURCE = "lm-sys/FastChat @0e6d3e4: fastchat/llm_judge/data"


def fastchat_set(name: str, description: str) -> Callable[[Loader], Loader]:
    """Decorator registering data set ``name`` from FastChat's llm_judge data (Apache-2.0, bundled in
    ``mt_bench``)."""
    return register(name, description=description, licence="Apache-2.0", source=SOURCE, folder="mt_bench")


def _references() -> dict[int, list[str]]:
    rows = read_jsonl(bundled_path("mt_bench", "reference_gpt-4.jsonl.gz"))
    return {r["question_id"]: r["choices"][0]["turns"] for r in rows}


@fastchat_set("mt_bench", "MT-Bench: 80 two-turn questions in 8 categories; GPT-4 reference answers for 30")
def load_mt_bench() -> Iterator[Item]:
    """Items with the first turn as the prompt, the second in ``turns``, references in ``target``."""
    refs = _references()
    for row in read_jsonl(bundled_path("mt_bench", "question.jsonl.gz")):
        qid = row["question_id"]
        ref = refs.get(qid)
        yield Item(
            id=str(qid),
            dataset="mt_bench",
            category=row["category"],
            messages=[Message(role="user", content=row["turns"][0])],
            turns=row["turns"][1:],
            reference=ref[0] if ref else None,
            target={"reference_turns": ref} if ref else {},
            data_version="fastchat-0e6d3e4",
        )


@fastchat_set("vicuna_bench", "Vicuna-bench: 80 single-turn questions in 9 categories")
def load_vicuna_bench() -> Iterator[Item]:
    """Single-turn Items."""
    for row in read_jsonl(bundled_path("mt_bench", "vicuna_question.jsonl.gz")):
        yield Item(
            id=str(row["question_id"]),
            dataset="vicuna_bench",
            category=row["category"],
            messages=[Message(role="user", content=row["turns"][0])],
            data_version="fastchat-0e6d3e4",
        )
