"""Meta-Rewarding pair construction (Wu et al. 2024), as pure functions over score tables.

Actor pairs use length control rho; judge pairs come from meta-judge battles between the judgments of one
response, corrected for position bias and ranked by Elo-style Bradley-Terry maximum-likelihood scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np
from scipy.optimize import minimize

ELO_SCALE = 400.0 / math.log(10.0)
ELO_BASE = 1000.0
_TOL = 1e-9

Winner = Literal["first", "second", "tie"]


class MetaComparison(NamedTuple):
    """One meta-judge verdict: judgment ``first`` was shown first, ``second`` second."""

    first: int
    second: int
    winner: Winner


def select_actor_pair(
    scores: Sequence[float | None], lengths: Sequence[int], rho: float = 0.0
) -> tuple[int, int] | None:
    """(chosen, rejected) indices under length control ``rho``, or None when the scored responses all tie.

    Chosen is the shortest response scoring in [(1-rho) S_max + rho S_min, S_max], rejected the longest in
    [S_min, (1-rho) S_min + rho S_max]; None scores (no parseable judgment) are ignored.
    """
    if not 0.0 <= rho <= 0.5:
        raise ValueError(f"rho must lie in [0, 0.5], got {rho}")
    if len(scores) != len(lengths):
        raise ValueError(f"{len(lengths)} lengths for {len(scores)} scores")
    scored = [i for i, s in enumerate(scores) if s is not None and not math.isnan(s)]
    if len(scored) < 2:
        return None
    s_max = max(scores[i] for i in scored)
    s_min = min(scores[i] for i in scored)
    if s_max - s_min <= _TOL:
        return None
    top_floor = (1 - rho) * s_max + rho * s_min - _TOL
    bottom_ceiling = (1 - rho) * s_min + rho * s_max + _TOL
    chosen = min((i for i in scored if scores[i] >= top_floor), key=lambda i: (lengths[i], -scores[i], i))
    rejected = min(
        (i for i in scored if scores[i] <= bottom_ceiling), key=lambda i: (-lengths[i], scores[i], i)
    )
    if scores[chosen] <= scores[rejected]:
        return None
    return chosen, rejected


def position_counts(comparisons: Sequence[MetaComparison]) -> tuple[int, int]:
    """(wins_as_first, wins_as_second) over meta-judge verdicts; ties count for neither."""
    first = sum(c.winner == "first" for c in comparisons)
    second = sum(c.winner == "second" for c in comparisons)
    return first, second


def position_weights(wins_as_first: int, wins_as_second: int) -> tuple[float, float]:
    """(w1, w2): w1 = wins_as_second / total weights wins in the first position, w2 the converse.

    A judge that favours the first position gets its first-position wins discounted; with no wins, 0.5 each.
    """
    if wins_as_first < 0 or wins_as_second < 0:
        raise ValueError("win counts must be non-negative")
    total = wins_as_first + wins_as_second
    if total == 0:
        return 0.5, 0.5
    return wins_as_second / total, wins_as_first / total


def battle_matrix(comparisons: Sequence[MetaComparison], n: int, w1: float, w2: float) -> np.ndarray:
    """B[m, k]: weighted wins of judgment m over k (w1 for a win shown first, w2 for a win shown second)."""
    battles = np.zeros((n, n))
    for c in comparisons:
        if not (0 <= c.first < n and 0 <= c.second < n) or c.first == c.second:
            raise ValueError(f"comparison {c} does not name two distinct judgments of {n}")
        if c.winner == "first":
            battles[c.first, c.second] += w1
        elif c.winner == "second":
            battles[c.second, c.first] += w2
    return battles


def elo_scores(battles: np.ndarray, ridge: float = 1e-4) -> np.ndarray:
    """Elo-style ratings (mean 1000, 400 points per factor 10 in odds) by Bradley-Terry maximum likelihood.

    Maximises sum_{m,k} B[m,k] log sigma(theta_m - theta_k) - ridge * |theta|^2; the small ridge keeps
    ratings finite when one judgment wins every battle and fixes the free offset.
    """
    battles = np.asarray(battles, dtype=float)
    n = battles.shape[0]
    if battles.shape != (n, n) or (battles < 0).any():
        raise ValueError("battles must be a square matrix of non-negative weights")

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        diff = theta[:, None] - theta[None, :]
        log_p = -np.logaddexp(0.0, -diff)
        p = np.exp(log_p)
        nll = -(battles * log_p).sum() + ridge * theta @ theta
        resid = battles * (1.0 - p)
        grad = -(resid.sum(axis=1) - resid.sum(axis=0)) + 2 * ridge * theta
        return nll, grad

    fit = minimize(objective, np.zeros(n), jac=True, method="L-BFGS-B", options={"gtol": 1e-10})
    theta = fit.x - fit.x.mean()
    return ELO_BASE + ELO_SCALE * theta


def select_judge_pair(
    elo: Sequence[float], lengths: Sequence[int], max_chosen_length: int | None = None
) -> tuple[int, int] | None:
    """(chosen, rejected) = (top, bottom) judgment by Elo; None on a tie or a chosen longer than the cap."""
    if len(elo) != len(lengths):
        raise ValueError(f"{len(lengths)} lengths for {len(elo)} ratings")
    if len(elo) < 2:
        return None
    top = int(np.argmax(elo))
    bottom = int(np.argmin(elo))
    if elo[top] - elo[bottom] <= 1e-6:
        return None
    if max_chosen_length is not None and lengths[top] > max_chosen_length:
        return None
    return top, bottom
