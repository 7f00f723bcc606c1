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


class VerdictScorer(Scorer):
    """Reads one verdict from each reply (:meth:`verdict`): ``value`` 1.0 when it is the first of ``shares``
    (the flagged verdict; lower is better). A result holds the verdict under ``field`` and the Item's
    category under ``by``; the aggregate holds the share of each verdict of ``shares`` (metric name ->
    verdict; the first is the headline) and, under ``by_metric``, the flagged share per category."""

    higher_is_better = False
    field: ClassVar[str] = "verdict"
    by: ClassVar[str]
    by_metric: ClassVar[str]
    shares: ClassVar[Mapping[str, object]]

    @abstractmethod
    def verdict(self, response: str) -> object:
        """The verdict the reply states."""

    @property
    def flagged(self) -> object:
        """The flagged verdict: the first of ``shares``."""
        return next(iter(self.shares.values()))

    def score(self, item: Item, response: str) -> Result:
        """The reply's verdict, whether it is the flagged one, and the Item's category."""
        verdict = self.verdict(response)
        value = float(verdict == self.flagged)
        return {"item_id": item.id, "value": value, self.field: verdict, self.by: item.category}

    def aggregate(self, results: Sequence[Result]) -> Result:
        """The share of each verdict of ``shares`` (the first also as ``value``) and the flagged share per
        category (categories that are set, sorted)."""
        shares = {metric: rate([r[self.field] == v for r in results]) for metric, v in self.shares.items()}
        categories = sorted({r[self.by] for r in results if r.get(self.by)})
        flagged = [(r.get(self.by), r[self.field] == self.flagged) for r in results]
        by_category = {c: rate([hit for category, hit in flagged if category == c]) for c in categories}
        headline = next(iter(shares.values()))
        return {"value": headline, "n": len(results), **shares, self.by_metric: by_category}


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
