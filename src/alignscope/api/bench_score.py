"""``bench_score``: score answers made elsewhere (a JSONL file of prompt or key and response, or other
tools' eval logs) with an alignscope task or free scorer (the ``alignscope bench score`` command)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from alignscope.api.bench import scorer_options
from alignscope.api.runs import close_run, open_run
from alignscope.errors import ConfigError
from alignscope.hashing import text_hash
from alignscope.io import ImportedLog
from alignscope.store import RunStore
from alignscope.tasks.responses import FREE_SCORERS, ScoredResponses, check_scoreable, read_rows, score_rows
from alignscope.tasks.scorers import ScorerSetup, get_scorer

SCORE_USAGE = (
    "usage: alignscope bench score TASK --responses FILE or --from inspect:PATH / lm-eval:PATH "
    "(see `alignscope bench list`)"
)


@dataclass
class BenchScoreResult:
    """The scored answers: one :class:`ScoredResponses` per answer file or log (``models``: each log's model,
    None for a file) and, when a scorer called a model, its ``bench-score`` run's summary (``run``)."""

    task: str
    scored: list[ScoredResponses]
    models: list[str | None]
    from_logs: list[str] = field(default_factory=list)
    run: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def aggregate(self) -> pd.DataFrame:
        """One row per answer file or log (source, model) with the task's aggregate metrics."""
        return pd.DataFrame(
            [
                {"source": s.path, "model": m, **s.aggregate}
                for s, m in zip(self.scored, self.models, strict=True)
            ]
        )

    @property
    def items(self) -> pd.DataFrame:
        """One row per scored answer (source, model, item_id and the scorer's fields)."""
        return pd.DataFrame(
            [
                {"source": s.path, "model": m, **r}
                for s, m in zip(self.scored, self.models, strict=True)
                for r in s.results
            ]
        )

    @property
    def run_id(self) -> str | None:
        """The ``bench-score`` run of a model-calling scorer; None when no model was called."""
        return self.run["run_id"] if self.run else None

    @property
    def calls(self) -> dict[str, Any]:
        """Model calls of that run (made, from the cache, failed, retried); empty without one."""
        return self.run["calls"] if self.run else {}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: for a file, its task, path, count, aggregate and items; for logs, those per log (with
        its model) under ``logs``."""
        if not self.from_logs:
            return self.scored[0].to_dict()
        return {
            "task": self.task,
            "from": self.from_logs,
            "logs": [s.to_dict() | {"model": m} for s, m in zip(self.scored, self.models, strict=True)],
        }


def bench_score(
    task: str,
    responses: Path | str | None = None,
    *,
    from_logs: Sequence[str] = (),
    scorers: Mapping[str, Mapping[str, Any]] | Sequence[str] | None = None,
    run_id: str | None = None,
    workspace: Path | str | None = None,
    progress: bool = True,
) -> BenchScoreResult:
    """Score the answers of ``responses`` (JSONL rows of ``response`` and ``prompt`` or ``key``) or of eval
    logs (``from_logs``: ``inspect:PATH`` / ``lm-eval:PATH``; each log scored on its own, its answers matched
    to the task's items by prompt, else by sample id) with ``task`` (``bench list``: scorers for answer
    files). ``scorers``: options by scorer name or ``NAME:KEY=VALUE`` texts; a scorer that calls a model
    does so in a ``bench-score`` run (cached, resumable).

    Example::

        import json
        with open("answers.jsonl", "w") as f:
            f.write(json.dumps({"key": 1001, "response": "Day one, Kyoto: temples."}) + "\\n")
        result = alignscope.bench_score("ifeval", "answers.jsonl")
        print(result.aggregate[["prompt_level_strict_acc", "inst_level_strict_acc"]])
    """
    from alignscope.io import read_logs

    if (responses is None) == (not from_logs):
        raise ConfigError(SCORE_USAGE)
    check_scoreable(task)
    options = scorer_options(scorers)
    if responses is not None:
        path = Path(responses)
        sources = [(str(path), None, read_rows(path))]
    else:
        sources = [(log.path, log.model, log_rows(task, log)) for log in read_logs(from_logs)]
    calls_models = any(get_scorer(n, **o).calls_models for n, o in options.items())
    if not calls_models:
        scored = [score_rows(task, rows, where, ScorerSetup(options)) for where, _, rows in sources]
        return BenchScoreResult(task, scored, [m for _, m, _ in sources], list(from_logs))
    answers = text_hash(json.dumps([rows for _, _, rows in sources], sort_keys=True))
    config = {"task": task, "responses": answers, "scorers": options}
    engine, _ = open_run(RunStore(Path(workspace) if workspace else None), "bench-score", config, run_id,
                         progress=progress)  # fmt: skip
    scored = [score_rows(task, rows, where, ScorerSetup(options, engine)) for where, _, rows in sources]
    result = BenchScoreResult(task, scored, [m for _, m, _ in sources], list(from_logs))
    result.run = close_run(engine, {"bench_score": [s.aggregate for s in scored]})
    return result


def log_rows(task: str, log: ImportedLog) -> list[dict[str, Any]]:
    """A log's answers as answer-file rows: for a task, matched by prompt where the prompt is one of its
    items', else by the log's sample id; for a free scorer, each answer with its prompt and sample id."""
    from alignscope.tasks.registry import get_task

    rows = log.responses()
    if task in FREE_SCORERS:
        return rows
    prompts = {item.prompt.strip() for item in get_task(task).items()}
    return [
        {"prompt": r["prompt"], "response": r["response"]}
        if r["prompt"].strip() in prompts
        else {"key": r["key"], "response": r["response"]}
        for r in rows
    ]
