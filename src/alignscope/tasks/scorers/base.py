"""The scorer contract every ground-truth scorer implements (documented in ``scorers/__init__.py``), and the
scorer registry: ``@register_scorer`` on a Scorer subclass adds it under its ``name``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from alignscope.errors import DataError
from alignscope.plugins import Registry
from alignscope.records import Item

if TYPE_CHECKING:
    from alignscope.backends.base import Backend
    from alignscope.engine.runner import Engine

Result = dict[str, Any]


@dataclass(frozen=True)
class ScorerSetup:
    """How a run sets up its scorers: option overrides by scorer name (``--scorer``); for scorers that call
    a model (an LLM judge) the run's ``engine``, the ``model`` whose answers are scored, and ``backends``
    already loaded (reused where a judge names the same model)."""

    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    engine: Engine | None = None
    model: str = "responses"
    backends: tuple[Backend, ...] = ()


class Scorer(ABC):
    """Scores one response to one Item (``score``) and summarises many results (``aggregate``)."""

    name: ClassVar[str]
    higher_is_better: ClassVar[bool] = True
    setup: ScorerSetup = ScorerSetup()  # until bind(): no engine, no option overrides

    @property
    def calls_models(self) -> bool:
        """Whether scoring calls a model (then it needs :meth:`bind` to a run's engine first)."""
        return False

    def bind(self, setup: ScorerSetup) -> Scorer:
        """This scorer, its model calls (if any) going through ``setup``'s engine."""
        self.setup = setup
        return self

    @abstractmethod
    def score(self, item: Item, response: str) -> Result:
        """A result dict with ``item_id``, ``value`` (float) and scorer-specific fields."""

    def score_many(self, items: Sequence[Item], responses: Sequence[str]) -> list[Result]:
        """``score`` over aligned sequences; scorers with a model override this to batch."""
        check_aligned(items, responses)
        return [self.score(item, response) for item, response in zip(items, responses, strict=True)]

    @abstractmethod
    def aggregate(self, results: Sequence[Result]) -> Result:
        """Summary metrics with ``value`` (the headline metric) and ``n`` (results summarised)."""


ScorerT = TypeVar("ScorerT", bound=type[Scorer])
SCORERS: Registry[type[Scorer]] = Registry("scorer", packages=("alignscope.tasks.scorers",))


def register_scorer(cls: ScorerT) -> ScorerT:
    """Class decorator adding a Scorer subclass to the registry under its ``name`` (ConfigError if another
    scorer has it). The modules of ``alignscope.tasks.scorers`` and of installed plugins (the
    ``alignscope.plugins`` entry points) are imported on the first look-up: a scorer module needs no list."""
    SCORERS.register(cls.name, cls)
    return cls


def check_aligned(items: Sequence[Item], responses: Sequence[str]) -> None:
    """DataError unless there is exactly one response per item."""
    if len(items) != len(responses):
        raise DataError(f"{len(items)} items but {len(responses)} responses: give one response per item")


def failed(result: Result) -> bool:
    """Whether a result is an item the scorer could not score (``error`` set, ``value`` None)."""
    return "error" in result


def rate(flags: Sequence[bool]) -> float | None:
    """Share of true flags; None for no flags (a rate over nothing is undefined, not zero)."""
    return sum(bool(f) for f in flags) / len(flags) if flags else None
