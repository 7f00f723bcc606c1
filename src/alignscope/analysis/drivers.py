"""What drives alignment: regressions of per-model scores on training metadata, cluster-robust CIs.

For each outcome (a factor score, a judge score) an ordinary least-squares fit on the chosen metadata columns:
a numeric column enters as it is, except ``sft_size`` (examples in the SFT data set), which enters as
``log10(sft_size)`` (rows with size 0 or none are left out of that fit); a text column enters as indicators
of its levels against its most frequent level (ties: alphabetical first). Rows missing the outcome or a
predictor are left out (``n`` counts the rest). Columns that are constant or linearly dependent on earlier
ones (e.g. a level present in one row set only) are dropped and named in the fit's notes.

CIs are cluster-robust (statsmodels' ``cov_type="cluster"`` with its small-sample correction, t quantiles
with G - 1 degrees of freedom for G clusters; clusters = base model, so models sharing a base model are not
counted as independent evidence). Cluster-robust variances need several clusters: the G cluster score sums
add up to zero, so with G = 2 they span one direction and some terms get zero-width intervals. With fewer
than :data:`MIN_CLUSTERS` clusters the fit uses HC1 (heteroskedasticity-robust) intervals instead, with the
base model as a term where it is one, and says so in its notes. The ordinary (homoskedastic) CIs are kept
beside them for comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from alignscope.errors import DataError

META_COLUMNS = ("base_model", "sft_dataset", "sft_size", "po_method", "stage")
LOG_COLUMNS = ("sft_size",)
CLUSTER = "base_model"
MIN_CLUSTERS = 5


@dataclass
class DriverFit:
    """One outcome's regression: per term the estimate, cluster-robust CI and p-value, and the naive CI."""

    outcome: str
    n: int
    n_clusters: int
    covariance: str
    terms: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass
class DriverAnalysis:
    """Every outcome's fit on the same predictors, at one confidence level."""

    fits: list[DriverFit]
    predictors: list[str]
    cluster: str
    level: float
    notes: list[str] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """One row per (outcome, term) with n, clusters and the covariance used."""
        rows = [
            fit.terms.assign(outcome=fit.outcome, n=fit.n, clusters=fit.n_clusters, covariance=fit.covariance)
            for fit in self.fits
        ]
        columns = [
            "outcome",
            "term",
            "estimate",
            "ci_low",
            "ci_high",
            "p_value",
            "naive_ci_low",
            "naive_ci_high",
        ]
        if not rows:
            return pd.DataFrame(columns=[*columns, "n", "clusters", "covariance"])
        return pd.concat(rows, ignore_index=True)[[*columns, "n", "clusters", "covariance"]]

    def to_dict(self) -> dict:
        """JSON-ready: settings, the coefficient table and the notes."""
        return {
            "predictors": self.predictors,
            "cluster": self.cluster,
            "level": self.level,
            "coefficients": self.frame().replace({np.nan: None}).to_dict(orient="records"),
            "notes": self.notes + [f"{fit.outcome}: {note}" for fit in self.fits for note in fit.notes],
        }


def _reference(values: pd.Series) -> str:
    counts = values.value_counts()
    return str(min(counts[counts == counts.max()].index, key=str))


def design(meta: pd.DataFrame, predictors: Sequence[str]) -> pd.DataFrame:
    """The design matrix (intercept first) of ``predictors``; NaN in a row with a missing predictor."""
    columns: dict[str, pd.Series] = {"intercept": pd.Series(1.0, index=meta.index)}
    for name in predictors:
        raw = meta[name].astype(object).replace("", np.nan)
        numeric = pd.to_numeric(raw, errors="coerce").astype(float)
        if raw.notna().any() and numeric[raw.notna()].notna().all():
            if name in LOG_COLUMNS:
                columns[f"log10({name})"] = np.log10(numeric.where(numeric > 0))
            else:
                columns[name] = numeric.astype(float)
            continue
        present = raw.notna()
        text = raw.astype(str)
        reference = _reference(text[present])
        for level in sorted(set(text[present]) - {reference}):
            columns[f"{name}={level} (vs {reference})"] = (text == level).astype(float).where(present)
    return pd.DataFrame(columns)


def _independent(X: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``X`` without constant or linearly dependent columns (the earlier column of a dependent set stays)."""
    kept: list[str] = []
    dropped: list[str] = []
    for column in X.columns:
        if column != "intercept" and np.ptp(X[column].to_numpy()) == 0:
            dropped.append(column)
            continue
        trial = X[[*kept, column]].to_numpy()
        if np.linalg.matrix_rank(trial) == len(kept) + 1:
            kept.append(column)
        else:
            dropped.append(column)
    return X[kept], dropped


def fit_outcome(
    y: pd.Series, X: pd.DataFrame, clusters: pd.Series | None, level: float, outcome: str
) -> DriverFit:
    """OLS of ``y`` on ``X`` (complete rows), cluster-robust by ``clusters`` (see the module docstring)."""
    import statsmodels.api as sm

    rows = y.notna() & X.notna().all(axis=1) & (clusters.notna() if clusters is not None else True)
    y, X = y[rows].astype(float), X[rows]
    X, dropped = _independent(X)
    notes = [f"dropped {', '.join(dropped)}: constant or collinear in the rows fitted"] if dropped else []
    n = len(y)
    if n <= X.shape[1] + 1:
        raise DataError(f"{outcome}: {n} complete rows for {X.shape[1]} coefficients; give more models")
    codes = pd.factorize(clusters[rows])[0] if clusters is not None else None
    n_clusters = int(codes.max() + 1) if codes is not None else 0
    model = sm.OLS(y.to_numpy(), X.to_numpy())
    naive = model.fit()
    if n_clusters >= MIN_CLUSTERS:
        robust = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
        covariance = f"cluster-robust ({n_clusters} clusters, t with {n_clusters - 1} df)"
    else:
        robust = model.fit(cov_type="HC1", use_t=True)
        covariance = f"HC1 ({n_clusters} cluster(s), fewer than {MIN_CLUSTERS})"
    alpha = 1 - level
    ci, naive_ci = robust.conf_int(alpha), naive.conf_int(alpha)
    terms = pd.DataFrame(
        {
            "term": list(X.columns),
            "estimate": robust.params,
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "p_value": robust.pvalues,
            "naive_ci_low": naive_ci[:, 0],
            "naive_ci_high": naive_ci[:, 1],
        }
    )
    return DriverFit(outcome, n, n_clusters, covariance, terms, notes)


def fit_drivers(
    scores: pd.DataFrame,
    meta: pd.DataFrame,
    outcomes: Sequence[str],
    predictors: Sequence[str],
    *,
    cluster: str | None = CLUSTER,
    level: float = 0.95,
) -> DriverAnalysis:
    """Regress each outcome column of ``scores`` on the ``predictors`` columns of ``meta`` (both indexed by
    model; models in both are used), clustering by ``meta[cluster]``."""
    if not 0.0 < level < 1.0:
        raise DataError(f"confidence level must be between 0 and 1, got {level}")
    if not predictors:
        raise DataError("no metadata columns to regress on (e.g. stage, sft_size, po_method, base_model)")
    missing = [c for c in [*predictors, *([cluster] if cluster else [])] if c not in meta.columns]
    if missing:
        raise DataError(
            f"no metadata column(s) {', '.join(missing)} (have {', '.join(map(str, meta.columns))})"
        )
    models = [m for m in scores.index if m in meta.index]
    if not models:
        raise DataError("no model appears in both the scores and the metadata (match the 'model' names)")
    meta = meta.loc[models]
    X = design(meta, predictors)
    clusters = meta[cluster].replace("", np.nan) if cluster else None
    fits = [
        fit_outcome(pd.to_numeric(scores.loc[models, o], errors="coerce"), X, clusters, level, o)
        for o in outcomes
    ]
    unmatched = [m for m in scores.index if m not in meta.index]
    notes = [f"no metadata for: {', '.join(map(str, unmatched))}"] if unmatched else []
    few = sorted({fit.n_clusters for fit in fits if fit.n_clusters < MIN_CLUSTERS})
    if few:
        what = cluster or "cluster"
        notes.append(
            f"{' or '.join(map(str, few))} {what} value(s) are too few for cluster-robust CIs (they need "
            f"{MIN_CLUSTERS}+; with 2 clusters the cluster score sums are each other's negative and some "
            "intervals collapse to zero width): heteroskedasticity-robust (HC1) CIs instead, which count "
            f"models sharing a {what} as independent beyond its own term"
        )
    return DriverAnalysis(fits, list(predictors), cluster or "", level, notes)
