"""Named extension points (judge modes, verdict parsers, tasks, scorers, backends), all registered one way.

A :class:`Registry` maps names to objects. ``register(name, obj)`` adds one (a different object under a taken
name is a ConfigError), ``decorator(name)`` does the same as a decorator, and ``get(name)`` returns one or
raises ConfigError naming the choices. The first look-up discovers what there is to register: it imports
every module of the registry's built-in packages (``pkgutil``, so no module list is kept by hand), then the
modules that installed plugins name in the ``alignscope.plugins`` entry point group; modules register what
they define when imported.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from alignscope.errors import ConfigError

T = TypeVar("T")
ENTRY_POINT_GROUP = "alignscope.plugins"
_plugins_loaded = False


def import_submodules(package: str) -> None:
    """Import every module of ``package`` and of its subpackages."""
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        importlib.import_module(info.name)


def load_plugins() -> None:
    """Import, once per process, each module named in the ``alignscope.plugins`` entry point group."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            point.load()
        except Exception as exc:
            _plugins_loaded = False
            raise ConfigError(f"plugin {point.name!r} ({point.value}) failed to load: {exc}") from exc


class Registry(Generic[T]):
    """Objects of one kind (``what``, e.g. "judge mode") by name; built-ins found in ``packages``."""

    def __init__(self, what: str, packages: Sequence[str] = ()) -> None:
        self.what = what
        self._packages = tuple(packages)
        self._entries: dict[str, T] = {}
        self._discovered = False

    def register(self, name: str, obj: T) -> T:
        """Add ``obj`` as ``name`` and return it; ConfigError if another object already has that name."""
        known = self._entries.get(name)
        if known is not None and known != obj:
            raise ConfigError(f"{self.what} {name!r} is already registered: give yours another name")
        self._entries[name] = obj
        return obj

    def decorator(self, name: str) -> Callable[[T], T]:
        """A decorator registering what it decorates as ``name``."""
        return lambda obj: self.register(name, obj)

    def discover(self) -> None:
        """Import the built-in packages' modules and the installed plugins (once)."""
        if self._discovered:
            return
        self._discovered = True  # before importing: a module looking a name up while imported sees no loop
        try:
            for package in self._packages:
                import_submodules(package)
            load_plugins()
        except BaseException:
            self._discovered = False
            raise

    def get(self, name: str) -> T:
        """The object called ``name``; ConfigError naming the choices otherwise."""
        self.discover()
        if name not in self._entries:
            raise ConfigError(f"unknown {self.what} {name!r} (choose {', '.join(self.names())})")
        return self._entries[name]

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        self.discover()
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        self.discover()
        return name in self._entries

    def __iter__(self) -> Iterator[T]:
        """The registered objects, by name."""
        return iter([self._entries[n] for n in self.names()])
