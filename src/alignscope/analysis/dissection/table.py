"""Fit preference weights from a plain table of comparison features and labels.

Input: one row per pair, one column per feature with values in {-1, 0, 1}, ``label`` (1 = A preferred,
0 = B preferred), and optional ``scenario`` and ``source`` columns; one fit per (scenario, source).
Output (tidy): one row per (scenario, source, property) with the posterior mean, sd, central interval, and
the same on the 0-100 preference-score scale; ``fits_json`` nests it per (scenario, source) for JSON, and
``read_weights`` reads it (or any weights table) back as a weights frame.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alignscope.analysis.dissection.fit import DEFAULT_PRIOR_SCALE, fit_bayes_logistic, preference_score
from alignscope.analysis.dissection.properties import PROPERTY_NAMES
from alignscope.errors import DataError

GROUP_COLUMNS = ("scenario", "source")
ALL = "all"
RESULT_COLUMNS = (
    "scenario",
    "source",
    "property",
    "n_pairs",
    "mean",
    "sd",
    "lower",
    "upper",
    "score",
    "score_lower",
    "score_upper",
    "converged",
)
STATS = ("mean", "sd", "lower", "upper", "score", "score_lower", "score_upper")


def read_feature_table(path: Path) -> pd.DataFrame:
    """A CSV (optionally .gz) or Parquet feature table as a DataFrame."""
    suffixes = "".join(path.suffixes[-2:]).lower()
    if not path.exists():
        raise DataError("file not found", where=str(path))
    try:
        if suffixes.endswith(".parquet"):
            return pd.read_parquet(path)
        if suffixes.endswith((".csv", ".csv.gz")):
            return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read table ({exc})", where=str(path)) from None
    raise DataError("expected a .csv, .csv.gz or .parquet file", where=str(path))


def fit_table(
    df: pd.DataFrame, *, prior_scale: float = DEFAULT_PRIOR_SCALE, level: float = 0.95
) -> pd.DataFrame:
    """Fit a table whose feature columns are property names (snake_case, any subset of the 29)."""
    unknown = [c for c in df.columns if c not in PROPERTY_NAMES and c != "label" and c not in GROUP_COLUMNS]
    if unknown:
        raise DataError(
            f"unknown column(s) {', '.join(map(str, unknown))}; expected property names "
            f"(e.g. {PROPERTY_NAMES[0]}, {PROPERTY_NAMES[-1]}), label, and optionally scenario, source"
        )
    features = [name for name in PROPERTY_NAMES if name in df.columns]
    return fit_features(df, features, prior_scale=prior_scale, level=level)


def fit_features(
    df: pd.DataFrame,
    features: Sequence[str],
    *,
    prior_scale: float = DEFAULT_PRIOR_SCALE,
    level: float = 0.95,
) -> pd.DataFrame:
    """Fit the named feature columns of ``df`` (values -1, 0, 1) on ``label``, per scenario and source."""
    _validate(df, features)
    groups = df.assign(**{c: df[c].astype(str) if c in df.columns else ALL for c in GROUP_COLUMNS})
    keys, designs, labels = [], [], []
    for key, part in groups.groupby(list(GROUP_COLUMNS), sort=False):
        keys.append(key)
        designs.append(part[list(features)].to_numpy(dtype=float))
        labels.append(part["label"].to_numpy(dtype=float))
    posterior = fit_bayes_logistic(designs, labels, prior_scale=prior_scale, level=level)
    rows = []
    for k, (scenario, source) in enumerate(keys):
        for j, name in enumerate(features):
            mean, lower, upper = posterior.mean[k, j], posterior.lower[k, j], posterior.upper[k, j]
            rows.append(
                (scenario, source, name, len(labels[k]), mean, posterior.sd[k, j], lower, upper)
                + tuple(float(preference_score(v)) for v in (mean, lower, upper))
                + (bool(posterior.converged[k]),)
            )
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def to_weights_frame(fitted: pd.DataFrame) -> pd.DataFrame:
    """A tidy fit result as a weights frame (scenario, source, one column of posterior means per property)."""
    wide = fitted.pivot_table(index=["scenario", "source"], columns="property", values="mean", sort=False)
    return wide[list(fitted["property"].unique())].reset_index().rename_axis(columns=None)


def fits_json(fitted: pd.DataFrame) -> list[dict[str, Any]]:
    """One entry per (scenario, source) of a tidy fit: ``n_pairs``, ``converged``, and per property its
    posterior summaries (STATS, and ``method`` where the fit says how each feature is measured)."""
    stats = [*STATS, "method"] if "method" in fitted.columns else list(STATS)
    return [
        {
            "scenario": scenario,
            "source": source,
            "n_pairs": int(part["n_pairs"].iloc[0]),
            "converged": bool(part["converged"].all()),
            "properties": {row["property"]: {s: _plain(row[s]) for s in stats} for _, row in part.iterrows()},
        }
        for (scenario, source), part in fitted.groupby(["scenario", "source"], sort=False)
    ]


def read_weights(path: Path) -> pd.DataFrame:
    """A weights frame (scenario, source, one column of weights per property) from a ``dissect fit`` result
    (its fit.json or fit.parquet) or a CSV/Parquet table of weights."""
    if path.suffix != ".json":
        frame = read_feature_table(path)
        if {"property", "mean", "scenario", "source"} <= set(frame.columns):
            return to_weights_frame(frame)
        if not {"scenario", "source"} <= set(frame.columns):
            raise DataError(
                "weights need scenario and source columns (and property or per-property columns)",
                where=str(path),
            )
        return frame
    if not path.is_file():
        raise DataError("file not found", where=str(path))
    try:
        fits = json.loads(path.read_text(encoding="utf-8"))["fits"]
        rows = [
            {
                "scenario": f["scenario"],
                "source": f["source"],
                **{p: v["mean"] for p, v in f["properties"].items()},
            }
            for f in fits
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(f"not a `dissect fit` JSON result ({exc})", where=str(path)) from None
    return pd.DataFrame(rows)


def _validate(df: pd.DataFrame, features: Sequence[str]) -> None:
    if "label" not in df.columns:
        raise DataError("missing column 'label' (1 = response A preferred, 0 = B preferred)")
    if not features:
        raise DataError("no feature columns: name at least one property column")
    missing = [f for f in features if f not in df.columns]
    if missing:
        raise DataError(f"missing feature column(s) {', '.join(missing)}")
    if df.empty:
        raise DataError("the table has no rows")
    labels = pd.to_numeric(df["label"], errors="coerce")
    bad = ~labels.isin((0, 1))
    if bad.any():
        row = int(bad.to_numpy().argmax())
        label = _plain(df["label"].iloc[row])
        raise DataError(f"data row {row + 1}: label {label!r} must be 1 (A preferred) or 0 (B preferred)")
    for name in features:
        values = pd.to_numeric(df[name], errors="coerce")
        bad = ~values.isin((-1, 0, 1))
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise DataError(
                f"column {name}, data row {row + 1}: value {_plain(df[name].iloc[row])!r} is not -1, 0 or 1"
            )
    for name in GROUP_COLUMNS:
        if name in df.columns and df[name].isna().any():
            raise DataError(f"column {name} has empty values")


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (for readable error messages)."""
    return value.item() if isinstance(value, np.generic) else value
