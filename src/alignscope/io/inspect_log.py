"""Inspect AI eval logs (``.eval`` zip archives and ``.json`` logs) into alignscope records.

Read without Inspect installed: an ``.eval`` archive (deflate or, as newer Inspect writes, zstandard
compressed zip members) holds ``header.json``
(or ``_journal/start.json`` while a run is unfinished) and one ``samples/ID_epoch_N.json`` per sample; a
``.json`` log holds the same header fields and a ``samples`` list. Score values convert as Inspect's
``value_to_float`` does: C=1, I=0, P=0.5, N=0, yes/true=1, no/false=0, numbers as they are; a dict value
gives one metric per key (``SCORER.KEY``).
"""

from __future__ import annotations

import json
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alignscope.errors import DataError
from alignscope.io.imported import ImportedLog, LogBuilder
from alignscope.records import Message

_LETTERS = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}
_WORDS = {"yes": 1.0, "true": 1.0, "no": 0.0, "false": 0.0}
_ROLES = {"system", "user", "assistant"}
_ZIP_ZSTD = 93  # the zip compression method number of zstandard


def read_inspect_log(path: Path) -> ImportedLog:
    """The samples, answers and scores of one Inspect log file; DataError if it is not one."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such Inspect log file", where=str(path))
    header, samples = _read_eval(path) if path.suffix == ".eval" else _read_json(path)
    spec = header.get("eval") or {}
    if "task" not in spec or "model" not in spec:
        raise DataError("not an Inspect log (its header has no eval.task / eval.model)", where=str(path))
    task = str(spec["task"]).rsplit("/", 1)[-1]
    builder = LogBuilder("inspect", path, task, str(spec["model"]))
    for sample in samples:
        sample_id = str(sample.get("id"))
        if int(sample.get("epoch", 1)) > 1:
            sample_id += f"#epoch{sample['epoch']}"
        builder.add(
            sample_id,
            _prompt(sample, path, sample_id),
            _completion(sample),
            _scores(sample.get("scores") or {}),
            target={"target": sample.get("target")},
            error=_error(sample),
        )
    return builder.log


def _read_eval(path: Path) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise DataError("not an Inspect .eval archive (not a zip file)", where=str(path)) from None
    names = archive.namelist()
    head = next((n for n in ("header.json", "_journal/start.json") if n in names), None)
    if head is None:
        raise DataError("not an Inspect .eval archive (no header.json)", where=str(path))
    header = json.loads(_member(archive, head))
    sample_files = sorted(n for n in names if n.startswith("samples/") and n.endswith(".json"))
    return header, (json.loads(_member(archive, n)) for n in sample_files)


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes; zstandard members (which the standard library cannot read) decoded here."""
    info = archive.getinfo(name)
    if info.compress_type != _ZIP_ZSTD:
        return archive.read(name)
    import zstandard

    fp = archive.fp
    assert fp is not None
    fp.seek(info.header_offset)
    local = fp.read(30)
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    raw = fp.read(info.compress_size)
    return zstandard.ZstdDecompressor().decompress(raw, max_output_size=info.file_size)


def _read_json(path: Path) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    try:
        log = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"not a JSON Inspect log ({exc})", where=str(path)) from None
    if not isinstance(log, dict):
        raise DataError("not an Inspect log (expected a JSON object)", where=str(path))
    return log, iter(log.get("samples") or [])


def _text(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _prompt(sample: dict[str, Any], path: Path, sample_id: str) -> list[Message]:
    """The conversation as sent for the final answer: the logged messages (system prompts that solvers added
    included) without the trailing answer; the sample's ``input`` where no messages were logged."""
    messages = _messages(sample.get("messages") or [], path, sample_id)
    while messages and messages[-1].role == "assistant":
        messages.pop()
    return (
        messages
        if any(m.role == "user" for m in messages)
        else _messages(sample.get("input"), path, sample_id)
    )


def _messages(raw: Any, path: Path, sample_id: str) -> list[Message]:
    if isinstance(raw, str):
        return [Message(role="user", content=raw)]
    if isinstance(raw, list):
        return [
            Message(role=m["role"], content=_text(m.get("content")))
            for m in raw
            if isinstance(m, dict) and m.get("role") in _ROLES
        ]
    raise DataError(f"sample {sample_id}: input is neither text nor messages", where=str(path))


def _completion(sample: dict[str, Any]) -> str | None:
    choices = (sample.get("output") or {}).get("choices") or []
    if not choices:
        return None
    return _text((choices[0].get("message") or {}).get("content"))


def _error(sample: dict[str, Any]) -> str | None:
    error = sample.get("error")
    if not error:
        return None
    return str(error.get("message", error)) if isinstance(error, dict) else str(error)


def _scores(scores: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, score in scores.items():
        value = score.get("value") if isinstance(score, dict) else score
        parts = value.items() if isinstance(value, dict) else [(None, value)]
        for key, part in parts:
            number = _as_float(part)
            if number is not None:
                out[f"{name}.{key}" if key is not None else name] = number
    return out


def _as_float(value: Any) -> float | None:
    """A score value as a number, as Inspect's ``value_to_float`` converts it; None if it is not one."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        word = value.strip()
        if word in _LETTERS:
            return _LETTERS[word]
        if word.lower() in _WORDS:
            return _WORDS[word.lower()]
        try:
            return float(word)
        except ValueError:
            return None
    return None
