"""Fixtures for the preference-dissection tests: synthetic comparison data with known weights."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.stats import norm


def synthetic_pairs(rng: np.random.Generator, n: int, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(X, y): n pairs with correlated features in {-1, 0, 1} (20-90% zeros per feature, two shared latent
    factors, as annotated properties co-vary) and labels drawn from sigmoid(X @ weights)."""
    d = len(weights)
    zero_share = rng.uniform(0.2, 0.9, size=d)
    loadings = rng.normal(size=(d, 2)) * np.sqrt(0.3)
    latent = rng.normal(size=(n, 2)) @ loadings.T + rng.normal(size=(n, d)) * np.sqrt(0.7)
    threshold = norm.ppf(0.5 + zero_share / 2) * np.sqrt((loadings**2).sum(axis=1) + 0.7)
    x = np.where(latent > threshold, 1.0, np.where(latent < -threshold, -1.0, 0.0))
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-x @ weights))).astype(float)
    return x, y


@pytest.fixture
def make_pairs() -> Callable[[np.random.Generator, int, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The synthetic pair generator."""
    return synthetic_pairs
