"""What style an AlpacaEval judge rewards: fit its pairwise verdicts on text-measured properties of the pair.

Each annotation compares a model's output with the baseline's. The pair is put in a random (seeded) order so
that A is the model's output half of the time: the regression has no intercept, and the baseline usually
wins, so a fixed order would load that win rate onto the features. Ties (preference exactly 1.5) and failed
annotations are dropped; the label is 1 when the judge preferred A.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from alignscope.analysis.dissection.deterministic import METHODS, compare_measures, response_measures
from alignscope.analysis.dissection.fit import DEFAULT_PRIOR_SCALE
from alignscope.analysis.dissection.table import fit_features
from alignscope.data.formats.alpaca_eval import read_annotations
from alignscope.data.formats.alpaca_eval_results import bundled_annotations
from alignscope.errors import DataError

STYLE_FEATURES: tuple[str, ...] = ("lengthy", "well_formatted_heuristic", "lists", "headers", "bold")
SCENARIO = "alpaca_eval"
SHIPPED = "shipped"


def load_annotations(sources: Sequence[str | Path], models: Sequence[str] | None = None) -> pd.DataFrame:
    """AlpacaEval annotations from annotation files, or ``SHIPPED`` for the bundled GPT-4-Turbo annotations;
    only those of ``models`` (the compared generator) when given."""
    frames = []
    for source in sources:
        if str(source) == SHIPPED:
            frames.append(bundled_annotations(models))
            continue
        if not Path(source).is_file():
            raise DataError(f"no such AlpacaEval annotations file (or '{SHIPPED}')", where=str(source))
        frame = read_annotations(Path(source))
        frames.append(frame[frame["generator_2"].isin(models)] if models else frame)
    if not frames:
        raise DataError("no AlpacaEval annotation files given")
    return pd.concat(frames, ignore_index=True)


def style_pairs(source: Sequence[str | Path] | pd.DataFrame, *, seed: int = 0) -> pd.DataFrame:
    """One row per decided annotation in ``source`` (AlpacaEval annotations: ``load_annotations`` sources, or
    their rows as a DataFrame): style features of (A, B), ``label``, ``scenario``, ``source`` (the annotator),
    ``generator`` (the model compared with the baseline) and ``a_is_model``."""
    annotations = source if isinstance(source, pd.DataFrame) else load_annotations(source)
    annotations = annotations[annotations["preference"].notna() & (annotations["preference"] != 1.5)]
    annotations = annotations.reset_index(drop=True)
    if annotations.empty:
        raise DataError("the annotation files hold no decided comparison")
    texts = pd.unique(pd.concat([annotations["output_1"], annotations["output_2"]]).astype(str))
    measures = response_measures(list(texts)).set_index(pd.Index(texts))
    a_is_model = np.random.default_rng(seed).random(len(annotations)) < 0.5
    model_won = (annotations["preference"] > 1.5).to_numpy()
    model, baseline = annotations["output_2"].astype(str), annotations["output_1"].astype(str)
    first = measures.loc[np.where(a_is_model, model, baseline)].reset_index(drop=True)
    second = measures.loc[np.where(a_is_model, baseline, model)].reset_index(drop=True)
    pairs = compare_measures(first, second)
    annotator = annotations.get("annotator", pd.Series(index=annotations.index, dtype=object))
    return pairs.assign(
        label=(model_won == a_is_model).astype(int),
        scenario=SCENARIO,
        source=annotator.fillna("alpaca_eval judge").to_numpy(),
        generator=annotations["generator_2"].to_numpy(),
        a_is_model=a_is_model,
    )


def judge_style_weights(
    source: Sequence[str | Path] | pd.DataFrame,
    *,
    features: Sequence[str] = STYLE_FEATURES,
    seed: int = 0,
    prior_scale: float = DEFAULT_PRIOR_SCALE,
    level: float = 0.95,
) -> pd.DataFrame:
    """The judge's posterior weights on the style features, from its annotations (see ``fit_style``)."""
    _check_features(features)
    return fit_style(style_pairs(source, seed=seed), features=features, prior_scale=prior_scale, level=level)


def fit_style(
    pairs: pd.DataFrame,
    *,
    features: Sequence[str] = STYLE_FEATURES,
    prior_scale: float = DEFAULT_PRIOR_SCALE,
    level: float = 0.95,
) -> pd.DataFrame:
    """Posterior weights (mean, interval, 0-100 score) on the style features of ``style_pairs`` output, with
    how each feature is measured (``method``: original rule, count, or heuristic)."""
    _check_features(features)
    fitted = fit_features(
        pairs[[*features, "label", "scenario", "source"]], features, prior_scale=prior_scale, level=level
    )
    return fitted.assign(method=fitted["property"].map(METHODS))


def _check_features(features: Sequence[str]) -> None:
    unknown = [f for f in features if f not in METHODS or f == "words"]
    if unknown:
        choices = ", ".join(name for name in METHODS if name != "words")
        raise DataError(f"unknown style feature(s) {', '.join(unknown)}; choose from {choices}")
