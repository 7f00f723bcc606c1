"""Scoring a file of existing answers without a model (``alignscope bench score TASK --responses FILE``).

The file is JSONL: each row has ``response`` and ``prompt`` or ``key``. For a task, rows are matched to the
task's Items by key or prompt text as IFEval's ``--input_response_data`` does (``tasks.ifeval.responses``); a
task that samples several answers per prompt (toxicity) takes repeated rows of one prompt as its samples.
``refusal`` and ``toxicity`` also score any file on their own (no matching): each row is one answer to its
own prompt; refusal labels each answer "refusal" or "compliance" ("failed" where a judge gave no verdict).
A ``ScorerSetup`` carries ``--scorer`` options, and the run's engine for a scorer that calls a model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alignscope.data.io import read_jsonl
from alignscope.errors import ConfigError, DataError
from alignscope.records import Item, Message
from alignscope.tasks.ifeval.responses import match_responses
from alignscope.tasks.registry import Result, get_task, list_tasks
from alignscope.tasks.scorers import ScorerSetup, get_scorer
from alignscope.tasks.scorers.base import failed

FREE_SCORERS = {
    "refusal": "any prompt/response file: classify each response as refusal or compliance",
    "toxicity": "any prompt/response file: toxicity of each response, expected maximum toxicity per prompt",
}


@dataclass
class ScoredResponses:
    """Per-answer results and the aggregate metrics of one scored file."""

    task: str
    path: str
    results: list[Result]
    aggregate: Result

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result."""
        return {
            "task": self.task,
            "responses": self.path,
            "n": len(self.results),
            "aggregate": self.aggregate,
            "items": self.results,
        }


def scoreable_names() -> list[str]:
    """Names ``score_responses_file`` accepts: the free scorers, then every task that scores answer texts."""
    return [*FREE_SCORERS, *(t.name for t in list_tasks() if t.scores_text)]


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a responses file; DataError if it is missing or empty."""
    if not path.is_file():
        raise DataError("responses file not found", where=str(path))
    rows = list(read_jsonl(path))
    if not rows:
        raise DataError("no responses in file", where=str(path))
    return rows


def sample_rounds(rows: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows split so that each round holds at most one row per key (or prompt): round j, the j-th answers."""
    seen: Counter[str] = Counter()
    rounds: list[list[dict[str, Any]]] = []
    for row in rows:
        key = f"key:{row['key']}" if "key" in row else f"prompt:{str(row.get('prompt', '')).strip()}"
        if seen[key] == len(rounds):
            rounds.append([])
        rounds[seen[key]].append(row)
        seen[key] += 1
    return rounds


def row_items(rows: Sequence[dict[str, Any]], where: str) -> tuple[list[Item], list[str]]:
    """An Item per row (id = its key, else its row number) with its answer; DataError naming a bad row."""
    items, responses = [], []
    for number, row in enumerate(rows, 1):
        if not isinstance(row.get("response"), str):
            raise DataError(f"row {number}: needs a string 'response'", where=where)
        item_id = str(row["key"]) if "key" in row else f"row-{number}"
        prompt = row.get("prompt") if isinstance(row.get("prompt"), str) else ""
        items.append(Item(id=item_id, dataset="responses", messages=[Message(role="user", content=prompt)]))
        responses.append(row["response"])
    return items, responses


def _verdict(result: Result) -> str:
    if failed(result):
        return "failed"
    return "refusal" if result["refused"] else "compliance"


def score_responses_file(name: str, path: Path, setup: ScorerSetup | None = None) -> ScoredResponses:
    """Score the answers in ``path`` with task (or free scorer) ``name``, scorers set up by ``setup``."""
    check_scoreable(name)
    return score_rows(name, read_rows(path), str(path), setup)


def check_scoreable(name: str) -> None:
    """ConfigError unless ``name`` can score answer texts (naming those that can)."""
    if name not in scoreable_names():
        raise ConfigError(f"'{name}' cannot score answer files (choose {', '.join(scoreable_names())})")


def score_rows(
    name: str, rows: Sequence[dict[str, Any]], where: str, setup: ScorerSetup | None = None
) -> ScoredResponses:
    """Score answer rows (``response`` with ``prompt`` or ``key``, from ``where``) as
    ``score_responses_file`` scores a file's rows."""
    check_scoreable(name)
    setup = setup or ScorerSetup()
    if name in FREE_SCORERS:
        items, responses = row_items(rows, where)
        scorer = get_scorer(name, **setup.options.get(name, {})).bind(setup)
        results = scorer.score_many(items, responses)
        if name == "refusal":
            results = [r | {"verdict": _verdict(r)} for r in results]
        return ScoredResponses(name, where, results, scorer.aggregate(results))
    task = get_task(name)
    all_items = task.items()
    rounds = sample_rounds(rows) if task.samples_per_item > 1 else [list(rows)]
    pairs = [pair for batch in rounds for pair in match_responses(batch, all_items, where=where)]
    results = task.score_texts([item for item, _ in pairs], [text for _, text in pairs], setup)
    return ScoredResponses(task.name, where, results, task.aggregate(results))
