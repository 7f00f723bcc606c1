"""ImportedLog: what an external eval log holds, as alignscope records; ``read_log`` picks the reader."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from alignscope.errors import ConfigError, DataError
from alignscope.hashing import text_hash
from alignscope.records import Generation, Item, Message, Provenance, Score

SOURCES = ("inspect", "lm-eval")


@dataclass
class ImportedLog:
    """One task run of one model read from another tool's log: Items (the prompts as sent), Generations (the
    answers; none for log-likelihood tasks) and the tool's own per-sample Scores (``task`` is
    ``TASK/METRIC``)."""

    source: str
    path: str
    task: str
    model: str
    items: list[Item] = field(default_factory=list)
    generations: list[Generation] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        """Mean of each metric's per-sample values, by ``TASK/METRIC``."""
        values: dict[str, list[float]] = defaultdict(list)
        for score in self.scores:
            values[score.task].append(score.value)
        return {name: sum(v) / len(v) for name, v in values.items()}

    def responses(self) -> list[dict[str, Any]]:
        """The answers as ``bench score`` rows: ``key`` (the sample id), ``prompt`` and ``response``."""
        prompts = {item.id: item.prompt for item in self.items}
        return [
            {"key": g.item_id, "prompt": prompts[g.item_id], "response": g.text}
            for g in self.generations
            if g.error is None
        ]


class LogBuilder:
    """Collects one log's records with a shared provenance (model, source tool, log hash)."""

    def __init__(self, source: str, path: Path, task: str, model: str) -> None:
        self.log = ImportedLog(source, str(path), task, model)
        self._provenance = Provenance(model=model, backend=source, data_version=text_hash(str(path)))

    def add(
        self,
        sample_id: str,
        messages: list[Message],
        answer: str | None,
        scores: dict[str, float],
        *,
        target: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        """One sample: its prompt, the model's answer (None for log-likelihood tasks) and its scores."""
        if not messages or not any(m.role == "user" for m in messages):
            raise DataError(f"sample {sample_id}: no user message in the prompt", where=self.log.path)
        log = self.log
        log.items.append(
            Item(
                id=sample_id,
                dataset=log.task,
                messages=messages,
                target=target or {},
                data_version=self._provenance.data_version or "",
            )  # fmt: skip
        )
        if answer is not None or error is not None:
            log.generations.append(
                Generation(
                    item_id=sample_id,
                    dataset=log.task,
                    model=log.model,
                    text=answer or "",
                    provenance=self._provenance,
                    error=error,
                )  # fmt: skip
            )
        for metric, value in scores.items():
            log.scores.append(
                Score(
                    task=f"{log.task}/{metric}",
                    item_id=sample_id,
                    model=log.model,
                    value=value,
                    fields={"metric": metric, "source": log.source},
                    provenance=self._provenance,
                )  # fmt: skip
            )


def is_log_spec(text: str) -> bool:
    """Whether ``text`` names a log as ``inspect:PATH`` or ``lm-eval:PATH`` (rather than a file)."""
    source, sep, rest = str(text).partition(":")
    return bool(sep and rest) and source in SOURCES


def check_log_specs(specs: Sequence[str]) -> list[str]:
    """``specs`` as given; ConfigError naming the first that is not ``inspect:PATH`` or ``lm-eval:PATH``."""
    for spec in specs:
        if not is_log_spec(spec):
            raise ConfigError(f"--from {spec}: expected inspect:PATH or lm-eval:PATH")
    return list(specs)


def read_logs(specs: Sequence[str]) -> list[ImportedLog]:
    """The logs of every ``inspect:PATH`` / ``lm-eval:PATH`` in ``specs``, in order."""
    return [log for spec in specs for log in read_log(spec)]


def metrics_table(logs: Sequence[ImportedLog]) -> pd.DataFrame:
    """One row per model (column ``model``) and one column per ``TASK/METRIC``: the mean per-sample value of
    each log's metrics; DataError when two logs give one model the same metric."""
    rows: dict[str, dict[str, float]] = defaultdict(dict)
    origin: dict[tuple[str, str], str] = {}
    for log in logs:
        for metric, value in log.metrics().items():
            if (log.model, metric) in origin:
                raise DataError(
                    f"two logs give model {log.model} the metric {metric} ({origin[log.model, metric]} and "
                    f"{log.path}); give one",
                    where=log.path,
                )
            origin[log.model, metric] = log.path
            rows[log.model][metric] = value
    if not rows:
        raise DataError("the logs hold no numeric metrics", where=", ".join(log.path for log in logs))
    return pd.DataFrame([{"model": model, **values} for model, values in rows.items()])


def read_log(spec: str) -> list[ImportedLog]:
    """The logs named by ``inspect:PATH`` or ``lm-eval:PATH``: one log file, or every log in a folder
    (Inspect's ``*.eval`` / ``*.json``, lm-eval's ``samples_*.jsonl``, searched recursively)."""
    from alignscope.io.inspect_log import read_inspect_log
    from alignscope.io.lm_eval_samples import read_lm_eval_samples

    check_log_specs([spec])
    source, _, text = spec.partition(":")
    path = Path(text)
    reader, patterns = (
        (read_inspect_log, ("*.eval", "*.json"))
        if source == "inspect"
        else (read_lm_eval_samples, ("samples_*.jsonl",))
    )
    if not path.is_dir():
        return [reader(path)]
    files = sorted({f for pattern in patterns for f in path.rglob(pattern)})
    if not files:
        raise DataError(f"no {source} logs in this folder ({', '.join(patterns)})", where=str(path))
    return [reader(f) for f in files]
