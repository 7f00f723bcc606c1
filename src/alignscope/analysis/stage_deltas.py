"""What a training stage changed: per-item metric values of a model and of its parent -> the delta of the mean
with a bootstrap interval over items (paired where both models answered the same items), and the plain
typed results of a trust study that the report renders (no training code needed to build the report).
"""

from __future__ import annotations

from collections.abc import Mapping
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
    if not child or not parent:
        raise DataError("a stage delta needs per-item values of both models")
    rng = np.random.default_rng(seed)
    shared = sorted(set(child) & set(parent))
    if len(shared) >= 2:
        diffs = np.array([child[k] - parent[k] for k in shared], dtype=float)
        low, high = percentile_interval(bootstrap_means(diffs, n_boot, rng), level)
        return Delta(Interval(float(diffs.mean()), low, high), len(shared), True)
    a, b = np.array(list(child.values()), float), np.array(list(parent.values()), float)
    replicates = bootstrap_means(a, n_boot, rng) - bootstrap_means(b, n_boot, rng)
    low, high = percentile_interval(replicates, level)
    return Delta(Interval(float(a.mean() - b.mean()), low, high), min(len(a), len(b)), False)


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


@dataclass
class TrustStudyResult:
    """A whole study: checkpoints in order with their parents, task and vertical scores, stage changes, and
    what each training stage recorded (name, loss, wall time...)."""

    checkpoints: list[str]
    parents: dict[str, str]
    tasks: list[TaskCell]
    verticals: list[VerticalCell]
    changes: list[StageChange]
    level: float = 0.95
    stages: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
