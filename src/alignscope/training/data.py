"""Training data from files or records into ``datasets.Dataset`` in TRL's formats, plain or conversational.

Files: JSONL, JSON (a list of objects), CSV (a cell may hold a JSON list of messages), Parquet, or a
``datasets`` directory saved with ``save_to_disk``; ``.gz`` is read transparently. A bad row raises DataError
naming the file and row.

- preference rows: ``prompt``, ``chosen``, ``rejected`` (strings, or lists of {role, content} messages);
  without ``prompt``, ``chosen`` and ``rejected`` must be whole conversations sharing all but the last turn.
- SFT rows: ``messages``, or ``prompt`` + ``completion``, or ``text``.
- RL rows: ``prompt`` (or ``messages``, the conversation to continue), optionally ``item_id`` for the reward.
- Anthropic HH rows (``chosen`` / ``rejected`` whole dialogues "\\n\\nHuman: ...\\n\\nAssistant: ...", no
  ``prompt``), from a file or a shipped split (``hh_rlhf/harmless-base``, ``hh_rlhf/helpful-base``): split
  into TRL's text prompt (through the last shared "\\n\\nAssistant:") / chosen / rejected for DPO; SFT
  trains on prompt + chosen; RL takes the prompts (``alignscope.data.sets.hh_rlhf``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from datasets import Dataset

from alignscope.data.io import read_csv, read_json, read_jsonl
from alignscope.data.sets.hh_rlhf import BUNDLED_PREFIX, bundled_rows, hh_pairs, is_hh_row
from alignscope.errors import DataError
from alignscope.records import Item

ROLES = ("system", "user", "assistant")
_CHAT_COLUMNS = ("prompt", "completion", "chosen", "rejected", "messages")
Messages = list[dict[str, str]]


class _RowError(Exception):
    """A problem with one row; the caller adds file and row number."""


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL/JSON/CSV/Parquet file (or a saved ``datasets`` directory) as dicts."""
    if not path.exists():
        raise DataError("file not found", where=str(path))
    if path.is_dir():
        from datasets import load_from_disk

        try:
            return load_from_disk(str(path)).to_list()
        except FileNotFoundError:
            raise DataError("directory is not a saved datasets.Dataset", where=str(path)) from None
    suffix = path.suffixes[-2] if path.suffix == ".gz" and len(path.suffixes) > 1 else path.suffix
    if suffix == ".jsonl":
        return list(read_jsonl(path))
    if suffix == ".json":
        rows = read_json(path)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise DataError("expected a JSON list of objects", where=str(path))
        return rows
    if suffix == ".csv":
        return [{k: _maybe_json_list(v) for k, v in row.items()} for row in read_csv(path)]
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    raise DataError(
        f"unsupported file type {suffix!r} (use .jsonl, .json, .csv or .parquet)", where=str(path)
    )


def _maybe_json_list(cell: str | None) -> Any:
    if cell and cell.lstrip().startswith("["):
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            return cell
    return cell


def _messages(value: Any, field: str) -> Messages:
    if not isinstance(value, list) or not value:
        raise _RowError(f"field {field!r} must be a non-empty list of messages")
    out = []
    for j, msg in enumerate(value):
        if (
            not isinstance(msg, dict)
            or msg.get("role") not in ROLES
            or not isinstance(msg.get("content"), str)
        ):
            raise _RowError(f"{field}[{j}] must be {{role: system|user|assistant, content: text}}")
        out.append({"role": msg["role"], "content": msg["content"]})
    return out


def _text(row: dict[str, Any], field: str) -> str | Messages:
    if field not in row or row[field] is None:
        raise _RowError(f"missing field {field!r}")
    value = row[field]
    if isinstance(value, str):
        if not value.strip():
            raise _RowError(f"field {field!r} is empty")
        return value
    return _messages(value, field)


def _as_prompt(value: str | Messages) -> Messages:
    return [{"role": "user", "content": value}] if isinstance(value, str) else value


def _as_reply(value: str | Messages) -> Messages:
    return [{"role": "assistant", "content": value}] if isinstance(value, str) else value


def _preference_row(row: dict[str, Any]) -> dict[str, Any]:
    if "prompt" not in row or row["prompt"] is None:
        chosen = _messages(row.get("chosen"), "chosen")
        rejected = _messages(row.get("rejected"), "rejected")
        if chosen[:-1] != rejected[:-1] or chosen[-1]["role"] != "assistant" or len(chosen) < 2:
            raise _RowError(
                "without 'prompt', chosen and rejected must share all turns but a final assistant one"
            )
        return {"prompt": chosen[:-1], "chosen": chosen[-1:], "rejected": rejected[-1:]}
    return {field: _text(row, field) for field in ("prompt", "chosen", "rejected")}


def _sft_row(row: dict[str, Any]) -> dict[str, Any]:
    if row.get("messages") is not None:
        messages = _messages(row["messages"], "messages")
        if messages[-1]["role"] != "assistant":
            raise _RowError("'messages' must end with an assistant turn")
        return {"messages": messages}
    if row.get("prompt") is not None:
        return {"prompt": _text(row, "prompt"), "completion": _text(row, "completion")}
    if row.get("text") is not None:
        return {"text": _text(row, "text")}
    raise _RowError("expected 'messages', 'prompt' + 'completion', or 'text'")


def _prompt_row(row: dict[str, Any]) -> dict[str, Any]:
    field = "prompt" if row.get("prompt") is not None else "messages"
    out = {"prompt": _text(row, field)}
    if row.get("item_id") is not None:
        out["item_id"] = str(row["item_id"])
    return out


def _unify(rows: list[dict[str, Any]], prompt_fields: Sequence[str], reply_fields: Sequence[str]) -> None:
    """Make all rows conversational when any row is (datasets needs one type per column)."""
    if not any(isinstance(v, list) for row in rows for v in row.values()):
        return
    for row in rows:
        for f in prompt_fields:
            if f in row:
                row[f] = _as_prompt(row[f])
        for f in reply_fields:
            if f in row:
                row[f] = _as_reply(row[f])


def _build(rows: Iterable[dict[str, Any]], make_row, where: str | None) -> list[dict[str, Any]]:
    out = []
    for i, row in enumerate(rows, 1):
        try:
            if not isinstance(row, dict):
                raise _RowError("expected an object")
            out.append(make_row(row))
        except _RowError as exc:
            raise DataError(f"row {i}: {exc}", where=where) from None
    if not out:
        raise DataError("no rows", where=where)
    return out


def preference_dataset(rows: Iterable[dict[str, Any]], where: str | None = None) -> Dataset:
    """A DPO dataset (prompt, chosen, rejected) from in-memory rows, e.g. pairs built by ``pairs``."""
    built = _build(rows, _preference_row, where)
    _unify(built, ["prompt"], ["chosen", "rejected"])
    return Dataset.from_list(built)


def sft_dataset(rows: Iterable[dict[str, Any]], where: str | None = None) -> Dataset:
    """An SFT dataset (messages | prompt + completion | text) from in-memory rows."""
    built = _build(rows, _sft_row, where)
    kinds = {tuple(sorted(r)) for r in built}
    if len(kinds) > 1:
        raise DataError(f"rows mix SFT formats {sorted(kinds)}; use one", where=where)
    _unify(built, ["prompt"], ["completion"])
    return Dataset.from_list(built)


def prompt_dataset(rows: Iterable[dict[str, Any]], where: str | None = None) -> Dataset:
    """An RL prompt dataset (prompt) from in-memory rows."""
    built = _build(rows, _prompt_row, where)
    _unify(built, ["prompt"], [])
    return Dataset.from_list(built)


def source_rows(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """Rows of a training file, or of a shipped HH-RLHF split when ``path`` is ``hh_rlhf/SPLIT``; and whether
    they were HH dialogues, which come back as TRL text pairs (prompt, chosen, rejected)."""
    name = path.as_posix()
    if name.startswith(BUNDLED_PREFIX) and not path.exists():
        return hh_pairs(bundled_rows(name), where=name), True
    rows = read_rows(path)
    if any(is_hh_row(r) for r in rows):
        return hh_pairs(rows, where=str(path)), True
    return rows, False


def load_preference_file(path: Path) -> Dataset:
    """A DPO dataset from a prompt/chosen/rejected file, an HH-format file or a shipped HH split (HH pairs
    are kept as they are, an empty reply included: some HH comparisons have one)."""
    rows, hh = source_rows(path)
    return Dataset.from_list(rows) if hh else preference_dataset(rows, where=str(path))


def load_sft_file(path: Path) -> Dataset:
    """An SFT dataset from a messages / prompt+completion / text file; HH pairs train on prompt + chosen."""
    rows, hh = source_rows(path)
    if hh:
        return Dataset.from_list([{"prompt": r["prompt"], "completion": r["chosen"]} for r in rows])
    return sft_dataset(rows, where=str(path))


def load_prompt_file(path: Path) -> Dataset:
    """An RL prompt dataset from a file of prompts, an HH-format file or a shipped HH split (its prompts)."""
    return prompt_dataset(source_rows(path)[0], where=str(path))


def is_conversational(dataset: Dataset) -> bool:
    """Whether the rows hold chat messages (rather than plain text)."""
    return any(isinstance(dataset[0][c], list) for c in dataset.column_names if c in _CHAT_COLUMNS)


def as_conversational(dataset: Dataset) -> Dataset:
    """Wrap plain prompt/completion/chosen/rejected columns as user/assistant messages (text rows stay)."""
    columns = [c for c in ("prompt", "completion", "chosen", "rejected") if c in dataset.column_names]
    if not columns or not isinstance(dataset[0][columns[0]], str):
        return dataset

    def wrap(row: dict[str, Any]) -> dict[str, Any]:
        return {c: _as_prompt(row[c]) if c == "prompt" else _as_reply(row[c]) for c in columns}

    return dataset.map(wrap)


def prompts_from_items(items: Iterable[Item]) -> Dataset:
    """An RL prompt dataset from alignscope Items: their chat messages and ids (``item_id``)."""
    rows = [{"prompt": [m.model_dump() for m in item.messages], "item_id": item.id} for item in items]
    if not rows:
        raise DataError("no items to train on")
    return Dataset.from_list(rows)
