"""What a training stage changed: per-item metric values of a model and of its parent -> the delta of the mean
with a bootstrap interval over items (paired where both models answered the same items), the same for a
vertical's normalised score over its tasks, and the plain typed results of a trust study that the report
renders (no training code needed to build the report).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from alignscope.analysis.bootstrap import bootstrap_means, percentile_interval
from alignscope.errors import DataError


@dataclass(frozen=True)
class Interval:
    """A point estimate with its bootstrap interval at ``level``."""

    value: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly above or wholly below 0."""
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class Delta:
    """child mean - parent mean over items, its interval, how many items it rests on and whether it paired."""

    estimate: Interval
    n: int
    paired: bool


@dataclass(frozen=True)
class _Means:
    """A child's and its parent's mean and their bootstrap replicates (drawn together if paired)."""

    child: float
    parent: float
    child_replicates: np.ndarray
    parent_replicates: np.ndarray
    n: int
    paired: bool


def _resampled_means(
    child: Mapping[str, float], parent: Mapping[str, float], n_boot: int, rng: np.random.Generator
) -> _Means:
    """Over the items both have (2 or more), means and replicates of the same resampled items; otherwise each
    side's own items resampled on their own. DataError with no values."""
    if not child or not parent:
        raise DataError("a stage delta needs per-item values of both models")
    shared = sorted(set(child) & set(parent))
    if len(shared) >= 2:
        both = np.array([[child[k], parent[k]] for k in shared], dtype=float)
        replicates = bootstrap_means(both, n_boot, rng)
        return _Means(
            float(both[:, 0].mean()), float(both[:, 1].mean()), replicates[:, 0], replicates[:, 1],
            len(shared), True,
        )  # fmt: skip
    a, b = np.array(list(child.values()), float), np.array(list(parent.values()), float)
    return _Means(
        float(a.mean()), float(b.mean()), bootstrap_means(a, n_boot, rng), bootstrap_means(b, n_boot, rng),
        min(len(a), len(b)), False,
    )  # fmt: skip


def stage_delta(
    child: Mapping[str, float],
    parent: Mapping[str, float],
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> Delta:
    """The delta of the mean per-item value (by item id) from ``parent`` to ``child``: over the items both
    have, the mean of the paired differences with a paired percentile bootstrap; with fewer than 2 shared
    items, the difference of the two means with each side resampled on its own. DataError with no values."""
    m = _resampled_means(child, parent, n_boot, np.random.default_rng(seed))
    low, high = percentile_interval(m.child_replicates - m.parent_replicates, level)
    return Delta(Interval(m.child - m.parent, low, high), m.n, m.paired)


Scale = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class TaskItems:
    """One task of a vertical: per-item values of the child and of its parent, the benchmark the task counts
    under (a benchmark's tasks are averaged first) and the scale from a mean to its normalised score."""

    benchmark: str
    child: Mapping[str, float]
    parent: Mapping[str, float]
    scale: Scale


def vertical_delta(
    tasks: Sequence[TaskItems], *, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> Delta:
    """The change of a vertical score (mean over benchmarks of the mean normalised score of their tasks) from
    parent to child: each task's items resampled as in :func:`stage_delta`, tasks independently (a
    stratified bootstrap), every replicate normalised before averaging. DataError with no tasks."""
    if not tasks:
        raise DataError("a vertical delta needs at least one task")
    rng = np.random.default_rng(seed)
    points: dict[str, list[float]] = {}
    replicates: dict[str, list[np.ndarray]] = {}
    n, paired = 0, True
    for task in tasks:
        m = _resampled_means(task.child, task.parent, n_boot, rng)
        points.setdefault(task.benchmark, []).append(
            float(task.scale(np.asarray(m.child)) - task.scale(np.asarray(m.parent)))
        )
        replicates.setdefault(task.benchmark, []).append(
            task.scale(m.child_replicates) - task.scale(m.parent_replicates)
        )
        n, paired = n + m.n, paired and m.paired
    value = float(np.mean([np.mean(v) for v in points.values()]))
    low, high = percentile_interval(np.mean([np.mean(r, axis=0) for r in replicates.values()], axis=0), level)
    return Delta(Interval(value, low, high), n, paired)


@dataclass(frozen=True)
class TaskCell:
    """One checkpoint's score on one task: the headline metric (mean of per-item values) with its interval."""

    checkpoint: str
    task: str
    vertical: str
    metric: str
    higher_is_better: bool
    n: int
    estimate: Interval


@dataclass(frozen=True)
class VerticalCell:
    """One checkpoint's vertical score (its tasks' mean normalised score, 0 = chance or worst, 1 = best)."""

    checkpoint: str
    vertical: str
    estimate: Interval


@dataclass(frozen=True)
class StageChange:
    """What stage ``checkpoint`` changed against ``parent`` on one task."""

    checkpoint: str
    parent: str
    task: str
    vertical: str
    metric: str
    higher_is_better: bool
    delta: Delta


@dataclass(frozen=True)
class VerticalChange:
    """What stage ``checkpoint`` changed against ``parent`` on one vertical's normalised score."""

    checkpoint: str
    parent: str
    vertical: str
    delta: Delta


@dataclass
class TrustStudyResult:
    """A whole study: checkpoints in order with their parents, task and vertical scores, stage changes per
    task and per vertical, and what each training stage recorded (name, loss, wall time...)."""

    checkpoints: list[str]
    parents: dict[str, str]
    tasks: list[TaskCell]
    verticals: list[VerticalCell]
    changes: list[StageChange]
    vertical_changes: list[VerticalChange] = field(default_factory=list)
    level: float = 0.95
    stages: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
