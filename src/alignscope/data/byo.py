"""Where the user's own copies of data sets live (sets alignscope cannot ship: GPQA, MuSR, WMDP, ...).

A copy is found, in this order:
1. the path recorded for the set's name by ``alignscope data add NAME PATH`` (kept in
   ``$ALIGNSCOPE_DATA_DIR/sources.json``);
2. the path recorded for its copy (e.g. ``gpqa`` for ``gpqa-main``), or ``$ALIGNSCOPE_DATA_DIR/<copy>`` (a
   file with any supported suffix, or a folder).
``ALIGNSCOPE_DATA_DIR`` defaults to ``~/.alignscope/data``. A copy is a JSONL/JSON/CSV/Parquet file or a
folder saved with ``datasets``' ``save_to_disk``. A copy of a set in several parts (GPQA's diamond, extended
and main) is a folder holding one file or saved folder per part, named as upstream (``gpqa_main.csv``), or a
saved ``DatasetDict`` whose splits are the parts (MuSR); a set read from one split of its source (ToxiGen's
annotated ``test``) takes that split of a saved ``DatasetDict``, or the file itself. Nothing is copied:
alignscope reads the user's files.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from alignscope.errors import DataError

DATA_DIR_ENV = "ALIGNSCOPE_DATA_DIR"
SUFFIXES = (".jsonl", ".json", ".csv", ".parquet")


def data_dir() -> Path:
    """The folder of the user's copies and of ``sources.json``."""
    return Path(os.environ.get(DATA_DIR_ENV) or Path.home() / ".alignscope" / "data")


def _sources_file() -> Path:
    return data_dir() / "sources.json"


def added_sources() -> dict[str, str]:
    """The paths recorded by ``alignscope data add``, by name."""
    path = _sources_file()
    if not path.is_file():
        return {}
    try:
        sources = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"invalid JSON ({exc.msg}); fix or delete it", where=str(path)) from None
    return {str(k): str(v) for k, v in sources.items()} if isinstance(sources, dict) else {}


def record_source(name: str, path: Path | None) -> Path:
    """Record ``path`` (made absolute) as the copy of ``name``, or forget it (None); returns the file."""
    sources = {k: v for k, v in added_sources().items() if k != name}
    if path is not None:
        sources[name] = str(path.expanduser().resolve())
    target = _sources_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(sources, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target


def _existing(path: Path) -> Path | None:
    if path.exists():
        return path
    for suffix in SUFFIXES:
        for candidate in (path.with_name(path.name + suffix), path.with_name(path.name + suffix + ".gz")):
            if candidate.exists():
                return candidate
    return None


def _splits(folder: Path) -> list[str]:
    """The split names of a saved DatasetDict folder (empty for anything else)."""
    marker = folder / "dataset_dict.json"
    if not marker.is_file():
        return []
    return list(json.loads(marker.read_text(encoding="utf-8")).get("splits", []))


def _part(copy: Path, part: str) -> tuple[Path, str | None] | None:
    if not copy.is_dir():
        return None
    if part in _splits(copy):
        return copy, part
    for child in sorted(copy.iterdir()):
        if child.name.split(".")[0] == part:
            return child, None
    return None


def locate(name: str, copy: str, part: str | None) -> tuple[Path, str | None] | None:
    """The user's copy of set ``name`` (a part ``part`` of copy ``copy``) as (path, split), or None."""
    sources = added_sources()
    added = Path(sources[name]) if name in sources else None
    if added is not None and added.exists() and name != copy:
        return added, None  # a part added on its own
    found = Path(sources[copy]) if copy in sources else _existing(data_dir() / copy)
    if found is None or not found.exists():
        return None
    if part is None or (found.is_file() and name == copy):
        return found, None  # the set has no parts, or its one part is the file itself
    return _part(found, part)


def fingerprint(path: Path) -> str:
    """A short content hash of a copy: the file's bytes, or a saved folder's file names, sizes and state."""
    digest = hashlib.sha256()
    if path.is_file():
        digest.update(path.read_bytes())
    else:
        for child in sorted(path.rglob("*")):
            if child.is_file():
                digest.update(f"{child.relative_to(path)}:{child.stat().st_size}".encode())
                if child.name in ("state.json", "dataset_info.json", "dataset_dict.json"):
                    digest.update(child.read_bytes())
    return digest.hexdigest()[:12]
