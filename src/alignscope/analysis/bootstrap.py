"""Percentile bootstrap of a mean: resampled means of a 1-d array and the two-sided percentile interval of
bootstrap replicates."""

from __future__ import annotations

from typing import TypedDict

import numpy as np


class BootstrapOptions(TypedDict, total=False):
    """The bootstrap keywords a function passes on unchanged: ``n_boot`` resamples, the interval's ``level``
    and the ``seed`` (each left out takes the default of the function that uses it)."""

    n_boot: int
    level: float
    seed: int


def bootstrap_means(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` means of ``values`` resampled with replacement (each resample as long as ``values``)."""
    return values[rng.integers(0, len(values), size=(n_boot, len(values)))].mean(axis=1)


def percentile_interval(replicates: np.ndarray, level: float) -> tuple[float, float]:
    """The central ``level`` percentile interval (low, high) of bootstrap ``replicates``."""
    tail = (1 - level) / 2
    low, high = np.quantile(replicates, [tail, 1 - tail])
    return float(low), float(high)


def mean_interval(values: np.ndarray, *, n_boot: int, level: float, seed: int) -> tuple[float, float]:
    """Percentile bootstrap interval at ``level`` of the mean of ``values`` (``n_boot`` resamples drawn from
    a generator seeded with ``seed``)."""
    return percentile_interval(bootstrap_means(values, n_boot, np.random.default_rng(seed)), level)
