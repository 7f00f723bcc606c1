"""How each criterion of a multi-criteria judge (SOS-Bench) moves with its overall verdict, per judged model:
the Pearson correlation, over the model's pairs, of a criterion verdict with the overall verdict, both from
the judged model's side, with a percentile bootstrap interval that resamples prompts. (The weight of each
criterion in the overall verdict, all criteria at once, is :func:`alignscope.analysis.judge_audit.
criterion_weights`.)"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

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
    tail = (1 - level) / 2
    rows = []
    for model, part in sides.groupby("model", sort=True):
        prompts = part["item_id"].to_numpy()
        distinct = np.unique(prompts)
        members = [np.flatnonzero(prompts == p) for p in distinct]
        draws = [
            np.concatenate([members[k] for k in rng.integers(0, len(distinct), len(distinct))])
            for _ in range(n_boot)
        ]
        y = part["overall"].to_numpy()
        for name in criteria:
            x = part[name].to_numpy()
            boots = np.array([_pearson(x[d], y[d]) for d in draws])
            boots = boots[~np.isnan(boots)]
            low, high = np.quantile(boots, [tail, 1 - tail]) if len(boots) else (np.nan, np.nan)
            rows.append(
                {
                    "model": model,
                    "criterion": name,
                    "n": len(part),
                    "prompts": len(distinct),
                    "r": _pearson(x, y),
                    "lower": float(low),
                    "upper": float(high),
                }
            )
    return pd.DataFrame(rows)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])
