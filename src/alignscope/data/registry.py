"""Registry of data sets: bundled ones, and ones the user brings (``alignscope.data.byo``).

Each module in ``alignscope.data.sets`` registers its data sets with :func:`register`. Bundled files live
under ``alignscope/data/bundled/<folder>/`` (gzip-compressed) next to their ``LICENSE`` and ``SOURCE.txt``; a
set the user brings has ``copy`` (and ``part``) naming where the user's copy is found, and its ``source`` says
where to get it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from alignscope.errors import DataError
from alignscope.records import Item

BUNDLED_ROOT = Path(__file__).parent / "bundled"

Loader = Callable[[], Iterator[Item]]


@dataclass(frozen=True)
class DatasetInfo:
    """A bundled data set: how to load it and where it comes from."""

    name: str
    description: str
    licence: str
    source: str
    folder: str
    loader: Loader
    version: str = "1"
    copy: str | None = None
    part: str | None = None

    def items(self) -> list[Item]:
        """All Items of the set, in a stable order."""
        return list(self.loader())

    def status(self) -> DatasetStatus:
        """Bundled, or the user's copy: found (where) or not (how to add it)."""
        if self.copy is None:
            return DatasetStatus(True, "bundled", "")
        from alignscope.data.byo import locate

        found = locate(self.name, self.copy, self.part)
        if found is not None:
            where = f"{found[0]}" + (f" (split {found[1]})" if found[1] else "")
            return DatasetStatus(True, f"your copy: {where}", "")
        how = f"bring your own copy: alignscope data add {self.copy} PATH; get it from {self.source}"
        return DatasetStatus(False, "bring your own: not added", how)


@dataclass(frozen=True)
class DatasetStatus:
    """Whether a data set's rows are here, where they come from, and (if absent) how to add them."""

    present: bool
    where: str
    how: str


_REGISTRY: dict[str, DatasetInfo] = {}
_DISCOVERED = False


def register(
    name: str,
    *,
    description: str,
    licence: str,
    source: str,
    folder: str,
    version: str = "1",
    copy: str | None = None,
    part: str | None = None,
) -> Callable[[Loader], Loader]:
    """Decorator: register ``loader`` (no arguments, yields Items) as data set ``name``: bundled, or, with
    ``copy``, read from the user's copy (its ``part``)."""

    def wrap(loader: Loader) -> Loader:
        _REGISTRY[name] = DatasetInfo(name, description, licence, source, folder, loader, version, copy, part)
        return loader

    return wrap


def _discover() -> None:
    global _DISCOVERED
    if _DISCOVERED:
        return
    import alignscope.data.sets as sets

    for mod in pkgutil.iter_modules(sets.__path__):
        importlib.import_module(f"{sets.__name__}.{mod.name}")
    _DISCOVERED = True


def list_datasets() -> list[DatasetInfo]:
    """Every registered bundled data set, sorted by name."""
    _discover()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def get_dataset(name: str) -> DatasetInfo:
    """The bundled data set called ``name``; a one-line DataError naming the choices otherwise."""
    _discover()
    if name not in _REGISTRY:
        raise DataError(
            f"unknown data set '{name}' (choose {', '.join(sorted(_REGISTRY))}, or give a file path)"
        )
    return _REGISTRY[name]


def dataset_status(source: str) -> DatasetStatus:
    """The status of a registered set, or of a user file/folder path given as a task's data set."""
    if Path(source).exists():
        return DatasetStatus(True, f"file: {source}", "")
    return get_dataset(source).status()


def bundled_path(folder: str, filename: str) -> Path:
    """Path of a bundled file; DataError if the package was installed without it."""
    path = BUNDLED_ROOT / folder / filename
    if not path.exists():
        raise DataError(f"bundled file missing: {path} (reinstall alignscope)")
    return path


def load_items(source: str, *, limit: int | None = None, seed: int = 0) -> list[Item]:
    """Items from a bundled set name or a user file/folder path, optionally a seeded subset of ``limit``."""
    from alignscope.data.loaders import load_user_items, subset

    items = load_user_items(Path(source)) if Path(source).exists() else get_dataset(source).items()
    return subset(items, limit, seed)
