"""lm-evaluation-harness ``--log_samples`` files (``samples_TASK_DATE.jsonl``) into alignscope records.

Each row is one document: ``arguments`` holds the requests lm-eval sent (``gen_args_K`` -> ``arg_0`` the
context; for generation ``arg_1`` is the generation settings and ``resps[0][0]`` the answer), and the names in
``metrics`` are keys holding that document's metric values. The model's name comes from the run's
``results_DATE.json`` beside the samples (``model_name``, else ``pretrained=`` of ``config.model_args``), else
the folder's name, as lm-eval names its output folders after the model.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from alignscope.data.io import read_jsonl
from alignscope.errors import DataError
from alignscope.io.imported import ImportedLog, LogBuilder
from alignscope.records import Message

_NAME = re.compile(r"^samples_(?P<task>.+)_(?P<date>\d{4}-\d{2}-\d{2}T[\d\-.]+)\.jsonl$")


def read_lm_eval_samples(path: Path) -> ImportedLog:
    """The documents, answers and per-document metrics of one lm-eval samples file."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such lm-eval samples file", where=str(path))
    match = _NAME.match(path.name)
    task = match["task"] if match else path.stem.removeprefix("samples_")
    builder = LogBuilder("lm-eval", path, task, _model_name(path, match["date"] if match else None))
    for lineno, row in enumerate(read_jsonl(path), 1):
        if "doc_id" not in row or "arguments" not in row:
            raise DataError(f"line {lineno}: not an lm-eval sample (no doc_id / arguments)", where=str(path))
        requests = _requests(row["arguments"])
        if not requests:
            raise DataError(f"line {lineno}: the sample has no requests", where=str(path))
        context, second = requests[0]
        generated = isinstance(second, dict)
        builder.add(
            str(row["doc_id"]),
            [Message(role="user", content=str(context))],
            _answer(row) if generated else None,
            {m: float(row[m]) for m in row.get("metrics", []) if _is_number(row.get(m))},
            target={"target": row.get("target"), "doc": row.get("doc")},
        )
    return builder.log


def _requests(arguments: Any) -> list[tuple[Any, Any]]:
    """(context, continuation or generation settings) per request, in both layouts lm-eval has written."""
    if isinstance(arguments, dict):
        ordered = sorted(arguments.items(), key=lambda kv: int(kv[0].rsplit("_", 1)[-1]))
        return [(a.get("arg_0"), a.get("arg_1")) for _, a in ordered]
    return [(a[0], a[1] if len(a) > 1 else None) for a in arguments]


def _answer(row: dict[str, Any]) -> str:
    resps = row.get("resps") or [[""]]
    first = resps[0]
    return str(first[0] if isinstance(first, list) else first)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float)


def _model_name(path: Path, date: str | None) -> str:
    results = path.parent / f"results_{date}.json" if date else None
    if results and results.is_file():
        summary = json.loads(results.read_text(encoding="utf-8"))
        if summary.get("model_name"):
            return str(summary["model_name"])
        args = (summary.get("config") or {}).get("model_args") or ""
        if isinstance(args, dict):
            args = ",".join(f"{k}={v}" for k, v in args.items())
        found = re.search(r"pretrained=([^,]+)", str(args))
        if found:
            return found[1]
    return path.parent.name
