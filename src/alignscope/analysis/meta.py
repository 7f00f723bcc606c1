"""Meta-analysis across models: does each judge-based score track each concrete score?

For every (judge column, concrete column) pair of a per-model table this computes Pearson, Spearman and
Kendall (tau-b) correlations on the models that have both values (pairwise deletion; ``n`` is reported per
pair), with percentile bootstrap CIs

- over models: resample the complete models with replacement, recompute the correlation;
- over prompts (optional, from a long table ``model, prompt, metric, value``): resample prompts with
  replacement, recompute every model's mean per metric, recompute the correlation. Prompts are resampled
  jointly wherever metrics share prompt ids and independently otherwise (stratified by the set of metrics
  each prompt carries). Metrics without per-prompt scores are held fixed. Means over few, noisy prompts pull
  correlations towards 0 (attenuation); this CI shows the spread from prompt sampling and shares that pull,
  so it errs towards "no" rather than "yes".

Verdict per pair: a judge *tracks* a concrete score at level L when every available L-level CI of the Spearman
correlation lies above 0 and the test of no correlation (scipy's p-value) rejects at 1 - L. The test guards
the few-models case, where a percentile bootstrap over models is too narrow (5 models ranked with
Spearman 0.8 have p = 0.10, yet most resamples repeat models and agree perfectly).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Unpack

import numpy as np
import pandas as pd
from scipy import stats

from alignscope.analysis.bootstrap import BootstrapOptions
from alignscope.errors import DataError

METHODS = ("pearson", "spearman", "kendall")
VERDICT_METHOD = "spearman"
JUDGE_PREFIXES = ("judge:", "judge_")
_KENDALL_CHUNK_BYTES = 32 * 2**20
_PROMPT_CHUNK = 250


@dataclass(frozen=True)
class Verdict:
    """Whether ``judge`` tracks ``concrete`` at ``level``, with the numbers behind it."""

    judge: str
    concrete: str
    tracks: bool | None
    estimate: float
    ci_low: float
    ci_high: float
    n: int
    level: float

    @property
    def text(self) -> str:
        """One plain-language line, e.g. 'arena_hard tracks world knowledge: no at 95% (...)'; a "no" whose
        whole CI lies below 0 says that the judge runs against the score."""
        pct = f"{self.level * 100:g}%"
        head = f"{self.judge} tracks {label(self.concrete)}"
        if self.tracks is None:
            return f"{head}: no verdict at {pct}, too few models with varying scores to say (n = {self.n})"
        answer = "yes" if self.tracks else "no"
        against = ", it runs against it" if not self.tracks and self.ci_high < 0 else ""
        return (
            f"{head}: {answer} at {pct}{against} (Spearman {self.estimate:+.2f}, {pct} CI "
            f"{self.ci_low:+.2f} to {self.ci_high:+.2f}, n = {self.n} models)"
        )


@dataclass
class MetaAnalysis:
    """Correlations of every judge column with every concrete column, their CIs and the verdicts."""

    scores: pd.DataFrame
    judges: list[str]
    concrete: list[str]
    table: pd.DataFrame
    verdicts: list[Verdict]
    level: float
    n_boot: int
    seed: int
    notes: list[str] = field(default_factory=list)

    def get(self, judge: str, concrete: str, method: str = VERDICT_METHOD) -> pd.Series:
        """The table row for one pair and method."""
        rows = self.table[
            (self.table.judge == judge) & (self.table.concrete == concrete) & (self.table.method == method)
        ]
        if rows.empty:
            raise KeyError(f"no correlation for {judge} x {concrete} ({method})")
        return rows.iloc[0]

    def matrix(self, method: str = VERDICT_METHOD) -> pd.DataFrame:
        """Judges x concrete matrix of correlation estimates."""
        sub = self.table[self.table.method == method]
        return sub.pivot(index="judge", columns="concrete", values="estimate").loc[self.judges, self.concrete]

    def to_dict(self) -> dict:
        """JSON-ready summary: settings, the correlation table and the verdict lines."""
        return {
            "level": self.level,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "judges": self.judges,
            "concrete": self.concrete,
            "correlations": self.table.replace({np.nan: None}).to_dict(orient="records"),
            "verdicts": [v.text for v in self.verdicts],
            "notes": self.notes,
        }


def label(column: str) -> str:
    """Readable name of a column: 'world_knowledge' -> 'world knowledge', judge prefixes removed."""
    for prefix in JUDGE_PREFIXES:
        if column.startswith(prefix):
            column = column[len(prefix) :]
    return column.replace("_", " ")


def _pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson r of each row pair of two (B, n) arrays; NaN where a row is constant."""
    xc = x - x.mean(axis=1, keepdims=True)
    yc = y - y.mean(axis=1, keepdims=True)
    num = (xc * yc).sum(axis=1)
    den = np.sqrt((xc * xc).sum(axis=1) * (yc * yc).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = num / den
    scale = np.sqrt((x * x).sum(axis=1) * (y * y).sum(axis=1)) + 1.0
    return np.where(den > 1e-12 * scale, np.clip(r, -1.0, 1.0), np.nan)


def _spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman rho per row: Pearson on average ranks (scipy's definition, ties included)."""
    return _pearson_rows(stats.rankdata(x, axis=1), stats.rankdata(y, axis=1))


def _kendall_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kendall tau-b per row (scipy's default variant), over all pairs, chunked to bound memory."""
    n = x.shape[1]
    i, j = np.triu_indices(n, 1)
    if i.size == 0:
        return np.full(x.shape[0], np.nan)
    rows_per_chunk = max(1, _KENDALL_CHUNK_BYTES // (2 * i.size))
    incomplete = np.isnan(x).any(axis=1) | np.isnan(y).any(axis=1)
    x, y = np.nan_to_num(x), np.nan_to_num(y)
    out = np.empty(x.shape[0])
    for start in range(0, x.shape[0], rows_per_chunk):
        xs, ys = x[start : start + rows_per_chunk], y[start : start + rows_per_chunk]
        sx = np.sign(xs[:, i] - xs[:, j]).astype(np.int8)
        sy = np.sign(ys[:, i] - ys[:, j]).astype(np.int8)
        num = (sx * sy).sum(axis=1, dtype=np.int64)
        den = np.sqrt(
            (sx * sx).sum(axis=1, dtype=np.int64).astype(float) * (sy * sy).sum(axis=1, dtype=np.int64)
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start : start + rows_per_chunk] = np.where(den > 0, num / den, np.nan)
    out[incomplete] = np.nan
    return out


ROW_CORRELATIONS = {"pearson": _pearson_rows, "spearman": _spearman_rows, "kendall": _kendall_rows}


def correlation(x: Sequence[float], y: Sequence[float], method: str) -> float:
    """One correlation of two equal-length vectors (no missing values)."""
    if method not in ROW_CORRELATIONS:
        raise ValueError(f"unknown method {method!r} (choose {', '.join(METHODS)})")
    return float(ROW_CORRELATIONS[method](np.asarray(x, float)[None, :], np.asarray(y, float)[None, :])[0])


def _p_value(x: np.ndarray, y: np.ndarray, method: str) -> float:
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    test = {"pearson": stats.pearsonr, "spearman": stats.spearmanr, "kendall": stats.kendalltau}[method]
    return float(test(x, y)[1])


def _interval(samples: np.ndarray, level: float) -> tuple[float, float]:
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return float("nan"), float("nan")
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)


def bootstrap_over_models(
    x: np.ndarray, y: np.ndarray, *, n_boot: int, level: float, rng: np.random.Generator
) -> dict[str, tuple[float, float]]:
    """Percentile CI of each method's correlation, resampling the (complete) models with replacement."""
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    xb, yb = x[idx], y[idx]
    return {method: _interval(ROW_CORRELATIONS[method](xb, yb), level) for method in METHODS}


def _check_long(per_prompt: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("model", "prompt", "metric", "value") if c not in per_prompt.columns]
    if missing:
        raise DataError(
            f"per-prompt table lacks column(s) {', '.join(missing)} (need model, prompt, metric, value)"
        )
    long = per_prompt[["model", "prompt", "metric", "value"]].copy()
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    long = long.dropna(subset=["value"])
    if long.duplicated(["model", "prompt", "metric"]).any():
        row = long[long.duplicated(["model", "prompt", "metric"], keep=False)].iloc[0]
        raise DataError(
            f"per-prompt table repeats model '{row.model}', prompt '{row.prompt}', metric '{row.metric}'"
        )
    return long


def per_prompt_means(per_prompt: pd.DataFrame) -> pd.DataFrame:
    """Models x metrics table of each model's mean over its prompts."""
    long = _check_long(per_prompt)
    return long.pivot_table(index="model", columns="metric", values="value", aggfunc="mean")


def _prompt_count_draws(strata: list[np.ndarray], n_prompts: int, n_draw: int, rng: np.random.Generator):
    """(n_draw, n_prompts) counts of how often each prompt is drawn, resampling within each stratum."""
    counts = np.zeros((n_draw, n_prompts))
    rows = np.arange(n_draw)[:, None] * n_prompts
    for members in strata:
        picks = members[rng.integers(0, members.size, size=(n_draw, members.size))]
        counts += np.bincount((picks + rows).ravel(), minlength=n_draw * n_prompts).reshape(n_draw, n_prompts)
    return counts


def bootstrap_prompt_means(
    per_prompt: pd.DataFrame, models: Sequence[str], *, n_boot: int, seed: int
) -> dict[str, np.ndarray]:
    """Per metric, an (n_boot, len(models)) array of per-model means over resampled prompts (NaN if none)."""
    long = _check_long(per_prompt)
    prompts = pd.Index(long["prompt"].unique())
    metrics = list(long["metric"].unique())
    signature = long.groupby("prompt")["metric"].agg(lambda m: tuple(sorted(set(m))))
    strata = [prompts.get_indexer(group.index) for _, group in signature.groupby(signature)]
    cubes = {}
    for metric in metrics:
        wide = long[long.metric == metric].pivot(index="model", columns="prompt", values="value")
        wide = wide.reindex(index=list(models), columns=prompts)
        cubes[metric] = (np.nan_to_num(wide.to_numpy()), wide.notna().to_numpy().astype(float))
    rng = np.random.default_rng(seed)
    out = {metric: np.empty((n_boot, len(models))) for metric in metrics}
    for start in range(0, n_boot, _PROMPT_CHUNK):
        size = min(_PROMPT_CHUNK, n_boot - start)
        counts = _prompt_count_draws(strata, len(prompts), size, rng)
        for metric, (values, present) in cubes.items():
            with np.errstate(invalid="ignore", divide="ignore"):
                out[metric][start : start + size] = (counts @ values.T) / (counts @ present.T)
    return out


def _model_scores(scores: pd.DataFrame) -> pd.DataFrame:
    if "model" in scores.columns:
        scores = scores.set_index("model")
    scores = scores.copy()
    scores.index = scores.index.map(str)
    if scores.index.duplicated().any():
        raise DataError(f"model '{scores.index[scores.index.duplicated()][0]}' appears twice")
    return scores


def correlate(
    scores: pd.DataFrame,
    judges: Sequence[str],
    concrete: Sequence[str],
    *,
    per_prompt: pd.DataFrame | None = None,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
    min_models: int = 5,
) -> MetaAnalysis:
    """Correlate every judge column with every concrete column across models (see the module docstring).

    ``scores``: one row per model (index or a ``model`` column). ``per_prompt``: optional long table of
    per-prompt scores; metrics found there get their per-model values from it (mean over prompts) and must
    not also be columns of ``scores``. Pairs with fewer than ``min_models`` complete models (or a constant
    column) get no estimate and no verdict (``tracks`` is None).
    """
    if not 0.0 < level < 1.0:
        raise DataError(f"confidence level must be between 0 and 1, got {level}")
    if n_boot < 100:
        raise DataError(f"n_boot must be at least 100 for a percentile CI, got {n_boot}")
    scores = _model_scores(scores)
    judges, concrete = list(judges), list(concrete)
    if not judges or not concrete:
        raise DataError("need at least one judge column and one concrete column")
    both = set(judges) & set(concrete)
    if both:
        raise DataError(f"column(s) {', '.join(sorted(both))} named both judge and concrete")
    prompt_draws: dict[str, np.ndarray] = {}
    if per_prompt is not None:
        means = per_prompt_means(per_prompt)
        clash = [m for m in means.columns if m in scores.columns]
        if clash:
            raise DataError(f"metric(s) {', '.join(clash)} given both per model and per prompt; give one")
        scores = scores.join(means, how="outer")
        prompt_draws = bootstrap_prompt_means(per_prompt, list(scores.index), n_boot=n_boot, seed=seed + 1)
    missing = [c for c in judges + concrete if c not in scores.columns]
    if missing:
        raise DataError(f"no column(s) {', '.join(missing)} (have {', '.join(map(str, scores.columns))})")
    values = scores[judges + concrete].apply(pd.to_numeric, errors="coerce")
    rows, verdicts = [], []
    for judge in judges:
        for conc in concrete:
            pair_rows, verdict = _correlate_pair(
                values,
                judge,
                conc,
                prompt_draws,
                n_boot=n_boot,
                level=level,
                seed=seed,
                min_models=min_models,
            )
            rows.extend(pair_rows)
            verdicts.append(verdict)
    return MetaAnalysis(
        scores=values,
        judges=judges,
        concrete=concrete,
        table=pd.DataFrame(rows),
        verdicts=verdicts,
        level=level,
        n_boot=n_boot,
        seed=seed,
    )


def _correlate_pair(
    values: pd.DataFrame,
    judge: str,
    conc: str,
    prompt_draws: dict[str, np.ndarray],
    *,
    n_boot: int,
    level: float,
    seed: int,
    min_models: int,
) -> tuple[list[dict], Verdict]:
    """One pair's rows per method (estimate, p-value, CIs over models and prompts) and its verdict."""
    x_all, y_all = values[judge].to_numpy(float), values[conc].to_numpy(float)
    keep = np.isfinite(x_all) & np.isfinite(y_all)
    x, y, n = x_all[keep], y_all[keep], int(keep.sum())
    enough = n >= max(3, min_models) and np.ptp(x) > 0 and np.ptp(y) > 0
    nan2 = (float("nan"), float("nan"))
    model_ci: dict[str, tuple[float, float]] = {}
    prompt_ci: dict[str, tuple[float, float]] = {}
    if enough:
        rng = np.random.default_rng([seed, zlib.crc32(f"{judge}\0{conc}".encode())])
        model_ci = bootstrap_over_models(x, y, n_boot=n_boot, level=level, rng=rng)
        if judge in prompt_draws or conc in prompt_draws:
            xb = prompt_draws[judge][:, keep] if judge in prompt_draws else np.broadcast_to(x, (n_boot, n))
            yb = prompt_draws[conc][:, keep] if conc in prompt_draws else np.broadcast_to(y, (n_boot, n))
            prompt_ci = {m: _interval(ROW_CORRELATIONS[m](xb, yb), level) for m in METHODS}
    rows = [
        {
            "judge": judge,
            "concrete": conc,
            "method": method,
            "n": n,
            "estimate": correlation(x, y, method) if enough else float("nan"),
            "p_value": _p_value(x, y, method) if enough else float("nan"),
            "models_ci_low": model_ci.get(method, nan2)[0],
            "models_ci_high": model_ci.get(method, nan2)[1],
            "prompts_ci_low": prompt_ci.get(method, nan2)[0],
            "prompts_ci_high": prompt_ci.get(method, nan2)[1],
        }
        for method in METHODS
    ]
    spearman = rows[METHODS.index(VERDICT_METHOD)]
    cis = [model_ci.get(VERDICT_METHOD, nan2)] + ([prompt_ci[VERDICT_METHOD]] if prompt_ci else [])
    low, high = min(c[0] for c in cis), max(c[1] for c in cis)
    verdict = Verdict(
        judge=judge,
        concrete=conc,
        tracks=bool(low > 0 and spearman["p_value"] < 1.0 - level) if enough and np.isfinite(low) else None,
        estimate=spearman["estimate"],
        ci_low=low,
        ci_high=high,
        n=n,
        level=level,
    )
    return rows, verdict


def split_columns(
    columns: Sequence[str],
    judges: Sequence[str] | None,
    concrete: Sequence[str] | None,
    exclude: Sequence[str] = (),
) -> tuple[list[str], list[str]]:
    """Judge and concrete columns: as given, or by convention (JUDGE_PREFIXES mark judges, rest concrete);
    ``exclude`` (model metadata) is neither."""
    columns = [c for c in columns if c != "model" and c not in exclude]
    if judges is None:
        judges = [
            c for c in columns if c.startswith(JUDGE_PREFIXES) and (concrete is None or c not in concrete)
        ]
    if concrete is None:
        concrete = [c for c in columns if c not in judges]
    unknown = [c for c in [*judges, *concrete] if c not in columns]
    if unknown:
        raise DataError(f"no column(s) {', '.join(unknown)} in the table (have {', '.join(columns)})")
    if not judges:
        raise DataError("no judge columns: name them with --judge, or prefix their headers with 'judge:'")
    if not concrete:
        raise DataError("no concrete columns: every numeric column besides the judges is one; none left")
    return list(judges), list(concrete)


def read_model_table(path: str | Path, *, text: bool = False) -> pd.DataFrame:
    """A user's CSV with one row per model: a ``model`` column (stripped, each model once) plus columns;
    ``text``: only empty cells are missing (metadata values such as 'None' stay text)."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", where=str(path))
    try:
        table = pd.read_csv(path, keep_default_na=False, na_values=[""]) if text else pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"not a readable CSV ({str(exc).splitlines()[0]})", where=str(path)) from None
    if "model" not in table.columns:
        raise DataError("needs a 'model' column naming each model", where=str(path))
    table["model"] = table["model"].astype(str).str.strip()
    if table["model"].duplicated().any():
        raise DataError(
            f"model '{table.model[table.model.duplicated()].iloc[0]}' appears twice", where=str(path)
        )
    return table


class TableOptions(BootstrapOptions, total=False):
    """:func:`correlate_frame`'s keywords, passed on by :func:`correlate_table`."""

    judges: Sequence[str] | None
    concrete: Sequence[str] | None
    metadata: Sequence[str]


def correlate_table(path: str | Path, **options: Unpack[TableOptions]) -> MetaAnalysis:
    """Meta-analysis of a user's CSV of per-model scores: a ``model`` column plus numeric columns.

    Judge vs concrete columns come from ``judges``/``concrete``, or by convention: headers starting with
    ``judge:`` or ``judge_`` are judge-based scores, every other column except ``metadata`` is concrete.
    Empty cells are missing values (dropped pairwise). A table that cannot be used raises DataError with one
    line. ``options`` as in :func:`correlate_frame`.
    """
    path = Path(path)
    return correlate_frame(read_model_table(path), str(path), **options)


def correlate_frame(
    table: pd.DataFrame,
    where: str,
    *,
    judges: Sequence[str] | None = None,
    concrete: Sequence[str] | None = None,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
    metadata: Sequence[str] = (),
) -> MetaAnalysis:
    """``correlate_table`` of a table already read (a ``model`` column plus score columns, one row per
    model); ``where`` names its source in errors."""
    table = table.reset_index(drop=True)
    try:
        judge_cols, concrete_cols = split_columns(list(table.columns), judges, concrete, metadata)
    except DataError as exc:
        raise DataError(str(exc), where=where) from None
    for column in judge_cols + concrete_cols:
        raw = table[column]
        numeric = pd.to_numeric(raw, errors="coerce")
        bad = raw.notna() & numeric.isna()
        if bad.any():
            row = int(bad.idxmax())
            raise DataError(f"column '{column}', row {row + 2}: '{raw[row]}' is not a number", where=where)
        table[column] = numeric
    if len(table) < 3:
        raise DataError(f"needs at least 3 models to correlate, has {len(table)}", where=where)
    return correlate(table, judge_cols, concrete_cols, n_boot=n_boot, level=level, seed=seed)
