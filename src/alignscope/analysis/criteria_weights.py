"""How each criterion of a multi-criteria judge (SOS-Bench) moves with its overall verdict, per judged model:
the Pearson correlation, over the model's pairs, of a criterion verdict with the overall verdict, both from
the judged model's side, with a percentile bootstrap interval that resamples prompts. (The weight of each
criterion in the overall verdict, all criteria at once, is :func:`alignscope.analysis.judge_audit.
criterion_weights`.)"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from alignscope.analysis.bootstrap import percentile_interval
from alignscope.errors import DataError


def judged_side(table: pd.DataFrame, criteria: Sequence[str]) -> pd.DataFrame:
    """A criteria table (judge's frame: criteria +1 A better .. -1 B better, ``overall`` = P(A preferred))
    from the judged model's side: ``model`` (the answer not shown first unswapped), each criterion and
    ``overall`` as +1 (judged model better) .. -1."""
    sign = np.where(table["swapped"].astype(bool), 1.0, -1.0)  # unswapped: the baseline is A
    out = pd.DataFrame(
        {
            "item_id": table["item_id"].to_numpy(),
            "model": np.where(table["swapped"].astype(bool), table["model_a"], table["model_b"]),
        }
    )
    for name in criteria:
        out[name] = sign * table[name].to_numpy(dtype=float)
    out["overall"] = sign * (2.0 * table["overall"].to_numpy(dtype=float) - 1.0)
    return out


def criterion_correlations(
    table: pd.DataFrame,
    criteria: Sequence[str],
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Per judged model and criterion: pairs, Pearson r of the criterion with the overall verdict, and its
    prompt-bootstrap interval (r NaN where either never varies)."""
    if table.empty:
        raise DataError("no multi-criteria verdicts")
    sides = judged_side(table, criteria)
    rng = np.random.default_rng(seed)
    rows = []
    for model, part in sides.groupby("model", sort=True):
        codes, prompts = pd.factorize(part["item_id"])
        # a resample draws prompts with replacement: each prompt's pairs count as often as it is drawn
        counts = rng.multinomial(len(prompts), np.full(len(prompts), 1 / len(prompts)), size=n_boot)
        y = part["overall"].to_numpy()
        for name in criteria:
            x = part[name].to_numpy()
            boots = _weighted_pearson(counts, _sums(codes, len(prompts), x, y))
            boots = boots[~np.isnan(boots)]
            low, high = percentile_interval(boots, level) if len(boots) else (np.nan, np.nan)
            rows.append(
                {
                    "model": model,
                    "criterion": name,
                    "n": len(part),
                    "prompts": len(prompts),
                    "r": _pearson(x, y),
                    "lower": low,
                    "upper": high,
                }
            )
    return pd.DataFrame(rows)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def _sums(codes: np.ndarray, k: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per prompt (k rows): pairs, sum x, sum y, sum xy, sum x^2, sum y^2."""
    terms = np.column_stack([np.ones_like(x), x, y, x * y, x * x, y * y])
    out = np.zeros((k, terms.shape[1]))
    np.add.at(out, codes, terms)
    return out


def _weighted_pearson(counts: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """Pearson r of each resample (``counts``: times each prompt is drawn) from per-prompt sums."""
    n, sx, sy, sxy, sxx, syy = (counts @ sums).T
    cov = sxy - sx * sy / n
    var = (sxx - sx**2 / n) * (syy - sy**2 / n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var > 1e-12, cov / np.sqrt(np.where(var > 1e-12, var, 1.0)), np.nan)
