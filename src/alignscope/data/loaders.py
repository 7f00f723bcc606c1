"""User files (JSONL, JSON, CSV, Parquet, a ``datasets`` folder saved to disk) into Items.

A row needs the prompt as ``messages`` (a list of {role, content}), ``prompt``, ``instruction``, ``question``
or ``turns`` (a list of user turns); optional ``id`` (or ``question_id``, ``key``, ``uid``; else the row
number), ``category``, ``reference``, ``choices`` and ``gold``. Other columns go into ``target``.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from alignscope.data.io import read_json, read_jsonl
from alignscope.errors import DataError
from alignscope.records import Item, Message

PROMPT_KEYS = ("prompt", "instruction", "question")
ID_KEYS = ("id", "question_id", "key", "uid")
KNOWN = {"messages", "turns", "category", "reference", "choices", "gold", *PROMPT_KEYS, *ID_KEYS}


def read_rows(path: Path, split: str | None = None) -> Iterable[dict[str, Any]]:
    """The rows of a file, or of a saved ``datasets`` folder (its ``split``, default the first)."""
    if path.is_dir():
        try:
            import datasets
        except ImportError:  # pragma: no cover - datasets is a core dependency
            raise DataError(
                "reading a saved dataset folder needs the 'datasets' package", where=str(path)
            ) from None
        try:
            ds = datasets.load_from_disk(str(path))
        except (FileNotFoundError, ValueError) as exc:
            raise DataError(f"not a dataset saved with save_to_disk ({exc})", where=str(path)) from None
        if isinstance(ds, datasets.DatasetDict):
            if split is not None and split not in ds:
                raise DataError(f"no split '{split}' (has {', '.join(ds)})", where=str(path))
            ds = ds[split or next(iter(ds))]
        return iter(ds)
    name = path.name.removesuffix(".gz")
    if name.endswith(".jsonl"):
        return read_jsonl(path)
    if name.endswith(".json"):
        rows = read_json(path)
        if not isinstance(rows, list):
            raise DataError("expected a JSON list of objects", where=str(path))
        return rows
    if name.endswith((".csv", ".parquet")):
        import pandas as pd

        try:
            df = pd.read_csv(path) if name.endswith(".csv") else pd.read_parquet(path)
        except Exception as exc:  # pandas raises many types for unreadable files
            raise DataError(f"cannot read table ({type(exc).__name__}: {exc})", where=str(path)) from None
        return (dict(r) for r in df.to_dict(orient="records"))
    raise DataError(
        "unknown file type (use .jsonl, .json, .csv, .parquet or a saved datasets folder)", where=str(path)
    )


def _row_item(row: dict[str, Any], n: int, dataset: str, version: str) -> Item:
    turns: list[str] = []
    if "messages" in row and row["messages"] is not None:
        messages = [Message.model_validate(m) for m in row["messages"]]
    elif "turns" in row and row["turns"] is not None:
        turns = [str(t) for t in row["turns"]]
        messages = [Message(role="user", content=turns[0])]
        turns = turns[1:]
    else:
        key = next((k for k in PROMPT_KEYS if isinstance(row.get(k), str) and row[k].strip()), None)
        if key is None:
            raise ValueError(f"no prompt (give one of: messages, turns, {', '.join(PROMPT_KEYS)})")
        messages = [Message(role="user", content=row[key])]
    if not any(m.role == "user" for m in messages):
        raise ValueError("messages contain no user message")
    id_key = next((k for k in ID_KEYS if row.get(k) is not None), None)
    return Item(
        id=str(row[id_key]) if id_key else str(n),
        dataset=dataset,
        messages=messages,
        turns=turns,
        category=None if row.get("category") is None else str(row["category"]),
        reference=row.get("reference"),
        choices=row.get("choices"),
        gold=row.get("gold"),
        target={k: v for k, v in row.items() if k not in KNOWN},
        data_version=version,
    )


def load_user_items(path: Path) -> list[Item]:
    """Items from a user file or folder; a malformed row raises DataError naming file and row."""
    dataset = path.name.split(".")[0]
    fingerprint = path.read_bytes() if path.is_file() else str(path.stat().st_mtime_ns).encode()
    version = f"file-{hashlib.sha256(fingerprint).hexdigest()[:12]}"
    items = []
    seen: set[str] = set()
    for n, row in enumerate(read_rows(path)):
        try:
            item = _row_item(row, n, dataset, version)
        except (ValueError, ValidationError, TypeError) as exc:
            msg = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            raise DataError(f"row {n + 1}: {msg}", where=str(path)) from None
        if item.id in seen:
            raise DataError(f"row {n + 1}: duplicate id '{item.id}'", where=str(path))
        seen.add(item.id)
        items.append(item)
    if not items:
        raise DataError("no rows", where=str(path))
    return items


def subset(items: Sequence[Item], limit: int | None, seed: int = 0) -> list[Item]:
    """A seeded random subset of ``limit`` Items in their original order (all Items if limit is None)."""
    if limit is None or limit >= len(items):
        return list(items)
    if limit < 1:
        raise DataError(f"--limit must be at least 1 (got {limit})")
    keep = set(random.Random(seed).sample(range(len(items)), limit))
    return [it for i, it in enumerate(items) if i in keep]
