"""Regressions of scores on training metadata: known coefficients, CI coverage, cluster-robust vs naive."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignscope.analysis.drivers import MIN_CLUSTERS, design, fit_drivers
from alignscope.errors import DataError


def _frames(
    rng: np.random.Generator, clusters: int, per: int, slope: float, icc: bool
) -> tuple[pd.DataFrame, ...]:
    """Models in ``clusters`` base models; x and the error share a per-base-model part when ``icc``."""
    base = np.repeat(np.arange(clusters), per)
    shared_x = rng.normal(size=clusters)[base] if icc else 0.0
    shared_e = rng.normal(size=clusters)[base] if icc else 0.0
    x = shared_x + rng.normal(size=base.size)
    y = 1.0 + slope * x + shared_e + rng.normal(size=base.size)
    index = [f"m{i}" for i in range(base.size)]
    meta = pd.DataFrame({"base_model": [f"b{b}" for b in base], "x": x}, index=index)
    return pd.DataFrame({"y": y}, index=index), meta


def test_noiseless_data_gives_the_coefficients_exactly() -> None:
    index = [f"m{i}" for i in range(12)]
    size = np.array([1e3, 1e4, 1e5, 1e6] * 3)
    stage = ["sft", "sft", "sft+po", "sft"] * 3
    base = ["llama"] * 6 + ["mistral"] * 6
    meta = pd.DataFrame({"sft_size": size, "stage": stage, "base_model": base}, index=index)
    y = (
        0.2
        + 0.05 * np.log10(size)
        - 0.03 * (np.array(stage) == "sft+po")
        + 0.1 * (np.array(base) == "mistral")
    )
    scores = pd.DataFrame({"safety": y}, index=index)
    fit = fit_drivers(scores, meta, ["safety"], ["sft_size", "stage", "base_model"]).fits[0]
    got = dict(zip(fit.terms.term, fit.terms.estimate, strict=True))
    assert got == pytest.approx(
        {
            "intercept": 0.2,
            "log10(sft_size)": 0.05,
            "stage=sft+po (vs sft)": -0.03,
            "base_model=mistral (vs llama)": 0.1,
        },
        abs=1e-9,
    )
    assert fit.n == 12 and fit.n_clusters == 2 and fit.covariance.startswith("HC1 (2 cluster(s)")


def test_design_drops_rows_without_a_usable_value_and_names_levels_against_the_commonest() -> None:
    meta = pd.DataFrame(
        {"sft_size": [0, 10, 100, None], "po_method": ["DPO", "", "DPO", "KTO"]}, index=list("abcd")
    )
    X = design(meta, ["sft_size", "po_method"])
    assert list(X.columns) == ["intercept", "log10(sft_size)", "po_method=KTO (vs DPO)"]
    assert np.isnan(X.loc["a", "log10(sft_size)"]) and X.loc["c", "log10(sft_size)"] == 2.0
    assert np.isnan(X.loc["b", "po_method=KTO (vs DPO)"]) and X.loc["d", "po_method=KTO (vs DPO)"] == 1.0


def test_cluster_robust_ci_covers_the_truth_and_is_wider_than_naive_under_clustering() -> None:
    rng = np.random.default_rng(11)
    slope, trials = 0.5, 200
    covered = {"cluster": 0, "naive": 0}
    widths = {"cluster": [], "naive": []}
    for _ in range(trials):
        scores, meta = _frames(rng, clusters=30, per=10, slope=slope, icc=True)
        terms = fit_drivers(scores, meta, ["y"], ["x"]).fits[0].terms.set_index("term").loc["x"]
        covered["cluster"] += terms.ci_low <= slope <= terms.ci_high
        covered["naive"] += terms.naive_ci_low <= slope <= terms.naive_ci_high
        widths["cluster"].append(terms.ci_high - terms.ci_low)
        widths["naive"].append(terms.naive_ci_high - terms.naive_ci_low)
    assert 0.9 <= covered["cluster"] / trials <= 0.99
    assert covered["naive"] / trials < 0.85  # ignoring the shared base model overstates the evidence
    assert np.mean(widths["cluster"]) > 1.5 * np.mean(widths["naive"])


def test_without_clustering_both_intervals_agree_and_cover() -> None:
    rng = np.random.default_rng(3)
    covered, ratio = 0, []
    for _ in range(100):
        scores, meta = _frames(rng, clusters=40, per=5, slope=-0.2, icc=False)
        terms = fit_drivers(scores, meta, ["y"], ["x"]).fits[0].terms.set_index("term").loc["x"]
        covered += terms.ci_low <= -0.2 <= terms.ci_high
        ratio.append((terms.ci_high - terms.ci_low) / (terms.naive_ci_high - terms.naive_ci_low))
    assert covered >= 88
    assert 0.8 < np.median(ratio) < 1.25


def test_too_few_clusters_fall_back_to_hc1_and_bad_input_is_one_line() -> None:
    rng = np.random.default_rng(0)
    scores, meta = _frames(rng, clusters=2, per=10, slope=1.0, icc=False)
    for predictors in (["x"], ["x", "base_model"]):
        analysis = fit_drivers(scores, meta, ["y"], predictors)
        fit = analysis.fits[0]
        assert fit.covariance.startswith("HC1") and "too few for cluster-robust" in analysis.notes[-1]
        assert (fit.terms.ci_high - fit.terms.ci_low > 0.05).all()  # two clusters would collapse some to 0
    scores, meta = _frames(rng, clusters=MIN_CLUSTERS, per=4, slope=1.0, icc=False)
    assert fit_drivers(scores, meta, ["y"], ["x"]).fits[0].covariance.startswith("cluster-robust")
    with pytest.raises(DataError, match="no metadata column"):
        fit_drivers(scores, meta, ["y"], ["sft_size"])
    with pytest.raises(DataError, match="complete rows"):
        fit_drivers(scores.iloc[:2], meta, ["y"], ["x"])
