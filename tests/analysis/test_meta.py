"""Meta-analysis statistics against known answers: scipy on the same data, synthetic known correlations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from alignscope.analysis.meta import (
    ROW_CORRELATIONS,
    bootstrap_over_models,
    bootstrap_prompt_means,
    correlate,
    correlate_table,
    correlation,
)
from alignscope.errors import DataError

SCIPY = {"pearson": stats.pearsonr, "spearman": stats.spearmanr, "kendall": stats.kendalltau}


def _table(rng: np.random.Generator, n: int = 25) -> pd.DataFrame:
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "model": [f"m{i}" for i in range(n)],
            "judge": np.round(x + rng.normal(scale=0.8, size=n), 1),  # rounding makes ties
            "conc": np.round(0.5 * x + rng.normal(size=n), 1),
        }
    )


def test_estimates_and_p_values_equal_scipy_on_the_same_data():
    table = _table(np.random.default_rng(1))
    result = correlate(table, ["judge"], ["conc"], n_boot=200)
    for method, test in SCIPY.items():
        row = result.get("judge", "conc", method)
        expected = test(table.judge, table.conc)
        assert row.estimate == pytest.approx(expected[0], abs=1e-12)
        assert row.p_value == pytest.approx(expected[1], rel=1e-9)
        assert row.n == 25


def test_vectorised_rows_equal_scipy_row_by_row_with_ties():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 6, size=(30, 14)).astype(float)
    y = x + rng.integers(-3, 4, size=(30, 14))
    for method, fn in ROW_CORRELATIONS.items():
        got = fn(x, y)
        expected = [SCIPY[method](x[i], y[i])[0] for i in range(len(x))]
        np.testing.assert_allclose(got, expected, atol=1e-12)


def test_known_rank_correlations_of_a_permuted_ranking():
    # reversing the first k of n ranks makes k(k-1)/2 inversions: tau = 1 - 4*inv/(n(n-1)), rho from sum d^2
    n, k = 20, 6
    truth = np.arange(n, dtype=float)
    ranking = np.concatenate([truth[:k][::-1], truth[k:]])
    inversions = k * (k - 1) / 2
    d2 = float(((truth - ranking) ** 2).sum())
    assert correlation(truth, ranking, "kendall") == pytest.approx(1 - 4 * inversions / (n * (n - 1)))
    assert correlation(truth, ranking, "spearman") == pytest.approx(1 - 6 * d2 / (n * (n * n - 1)))
    assert correlation(truth, truth[::-1], "kendall") == pytest.approx(-1.0)


def test_bootstrap_over_models_covers_the_true_correlation():
    # bivariate normal with rho: Spearman = 6/pi asin(rho/2), Kendall = 2/pi asin(rho) (population values)
    rho, n, reps = 0.6, 60, 60
    truth = {
        "pearson": rho,
        "spearman": 6 / math.pi * math.asin(rho / 2),
        "kendall": 2 / math.pi * math.asin(rho),
    }
    rng = np.random.default_rng(3)
    covered = dict.fromkeys(truth, 0)
    widths = dict.fromkeys(truth, 0.0)
    for _ in range(reps):
        xy = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
        cis = bootstrap_over_models(xy[:, 0], xy[:, 1], n_boot=500, level=0.95, rng=rng)
        for method, (low, high) in cis.items():
            covered[method] += low <= truth[method] <= high
            widths[method] += (high - low) / reps
    for method in truth:
        # nominal 95%; the percentile bootstrap runs a little under at n = 60; 0.83 is ~3 binomial SDs lower
        assert covered[method] / reps >= 0.83, (method, covered[method])
        assert widths[method] < 0.5, (method, widths[method])  # informative, not trivially wide


def test_verdicts_say_yes_only_for_a_positive_ci():
    rng = np.random.default_rng(4)
    n = 40
    x = rng.normal(size=n)
    table = pd.DataFrame(
        {
            "judge": x,
            "strong": x + rng.normal(scale=0.3, size=n),
            "unrelated": rng.normal(size=n),
            "opposed": -x + rng.normal(scale=0.3, size=n),
        },
        index=[f"m{i}" for i in range(n)],
    )
    result = correlate(table, ["judge"], ["strong", "unrelated", "opposed"], n_boot=1000)
    verdicts = {v.concrete: v for v in result.verdicts}
    assert verdicts["strong"].tracks is True and "tracks strong: yes at 95%" in verdicts["strong"].text
    assert (
        verdicts["unrelated"].tracks is False
        and verdicts["unrelated"].ci_low < 0 < verdicts["unrelated"].ci_high
    )
    assert verdicts["opposed"].tracks is False and verdicts["opposed"].ci_high < 0
    assert "tracks unrelated: no at 95% (Spearman" in verdicts["unrelated"].text
    assert "tracks opposed: no at 95%, it runs against it" in verdicts["opposed"].text


def test_few_models_need_a_significant_test_as_well_as_a_ci_above_zero():
    # 5 models ranked with Spearman 0.8: p = 0.10, but the bootstrap over models puts its CI above 0
    table = pd.DataFrame({"judge": [1, 2, 3, 4, 5], "conc": [2, 1, 3, 5, 4]}, index=list("abcde"))
    result = correlate(table, ["judge"], ["conc"], n_boot=1000)
    row = result.get("judge", "conc")
    assert row.estimate == pytest.approx(0.8) and row.p_value > 0.05 and row.models_ci_low > 0
    assert result.verdicts[0].tracks is False and ": no at 95%" in result.verdicts[0].text
    table["conc"] = [1, 2, 3, 5, 4]  # Spearman 0.9, p = 0.037
    assert correlate(table, ["judge"], ["conc"], n_boot=1000).verdicts[0].tracks is True


def test_missing_values_are_dropped_pairwise_and_n_is_reported():
    table = _table(np.random.default_rng(5), n=20)
    table["other"] = table["conc"] * 2 + 1
    table.loc[[0, 3, 7], "conc"] = np.nan
    result = correlate(table, ["judge"], ["conc", "other"], n_boot=200)
    complete = table.dropna(subset=["conc"])
    assert result.get("judge", "conc").n == 17
    assert result.get("judge", "other").n == 20
    assert result.get("judge", "conc", "kendall").estimate == pytest.approx(
        stats.kendalltau(complete.judge, complete.conc)[0]
    )


def test_too_few_models_gives_no_verdict_instead_of_a_number():
    table = pd.DataFrame({"judge": [1.0, 2.0, 3.0, 4.0], "conc": [2.0, 1.0, 4.0, 3.0]}, index=list("abcd"))
    result = correlate(table, ["judge"], ["conc"], n_boot=200)
    assert math.isnan(result.get("judge", "conc").estimate)
    assert result.verdicts[0].tracks is None and "too few models" in result.verdicts[0].text


def test_seeded_and_independent_of_other_columns():
    table = _table(np.random.default_rng(6))
    first = correlate(table, ["judge"], ["conc"], n_boot=300, seed=7).get("judge", "conc")
    table["extra"] = np.arange(len(table), dtype=float)
    again = correlate(table, ["judge"], ["extra", "conc"], n_boot=300, seed=7).get("judge", "conc")
    other_seed = correlate(table, ["judge"], ["conc"], n_boot=300, seed=8).get("judge", "conc")
    assert (first.models_ci_low, first.models_ci_high) == (again.models_ci_low, again.models_ci_high)
    assert (first.models_ci_low, first.models_ci_high) != (
        other_seed.models_ci_low,
        other_seed.models_ci_high,
    )


def _long(models, prompts, metric, values):
    return pd.DataFrame(
        [(m, p, metric, values[i, j]) for i, m in enumerate(models) for j, p in enumerate(prompts)],
        columns=["model", "prompt", "metric", "value"],
    )


def test_prompt_bootstrap_point_estimate_is_the_correlation_of_per_model_means():
    rng = np.random.default_rng(9)
    models = [f"m{i}" for i in range(8)]
    long = pd.concat(
        [
            _long(models, [f"a{j}" for j in range(30)], "judge", rng.normal(size=(8, 30))),
            _long(models, [f"b{j}" for j in range(40)], "conc", rng.normal(size=(8, 40))),
        ]
    )
    result = correlate(pd.DataFrame(index=models), ["judge"], ["conc"], per_prompt=long, n_boot=200)
    means = long.groupby(["model", "metric"])["value"].mean().unstack()
    assert result.get("judge", "conc", "pearson").estimate == pytest.approx(
        stats.pearsonr(means.judge, means.conc)[0]
    )
    assert np.isfinite(result.get("judge", "conc").prompts_ci_low)


def test_prompts_shared_by_two_metrics_are_resampled_jointly():
    # identical per-prompt values on the same prompts: every resample gives identical means, so r is exactly 1
    rng = np.random.default_rng(10)
    models, prompts = [f"m{i}" for i in range(10)], [f"p{j}" for j in range(25)]
    values = rng.normal(size=(10, 25))
    long = pd.concat([_long(models, prompts, "judge", values), _long(models, prompts, "conc", values)])
    row = correlate(pd.DataFrame(index=models), ["judge"], ["conc"], per_prompt=long, n_boot=300).get(
        "judge", "conc", "pearson"
    )
    assert row.prompts_ci_low == pytest.approx(1.0) and row.prompts_ci_high == pytest.approx(1.0)


def test_resampled_means_keep_each_metric_prompt_count():
    models = ["m0", "m1"]
    long = pd.concat(
        [
            _long(models, ["a0", "a1", "a2"], "judge", np.ones((2, 3))),
            _long(models, ["b0"], "conc", np.ones((2, 1))),
        ]
    )
    long.loc[(long.model == "m1") & (long.metric == "judge"), "value"] = [0.0, 1.0, 2.0]
    draws = bootstrap_prompt_means(long, models, n_boot=400, seed=0)
    assert np.all(draws["judge"][:, 0] == 1.0) and np.all(draws["conc"] == 1.0)
    # m1's judge mean over 3 draws from {0, 1, 2}: multiples of 1/3, mean 1, variance (2/3)/3
    m1 = draws["judge"][:, 1]
    assert np.allclose(m1 * 3, np.round(m1 * 3))
    assert m1.mean() == pytest.approx(1.0, abs=0.06) and m1.var() == pytest.approx(2 / 9, rel=0.2)


def test_prompt_bootstrap_matches_the_sampling_spread_and_covers_the_truth():
    # per-model means of noisy prompts: the CI should be as wide as r's spread over fresh prompt samples, and
    # cover the correlation of the expected means (noise kept moderate: noisier means attenuate r towards 0)
    rng = np.random.default_rng(11)
    n_models, reps = 12, 40
    ability = rng.normal(size=n_models)
    other = 0.7 * ability + rng.normal(scale=0.7, size=n_models)
    truth = stats.pearsonr(ability, other)[0]
    models = [f"m{i}" for i in range(n_models)]
    estimates, lows, highs = [], [], []
    for _ in range(reps):
        judge = ability[:, None] + rng.normal(size=(n_models, 60))
        conc = other[:, None] + rng.normal(size=(n_models, 80))
        long = pd.concat(
            [
                _long(models, [f"a{j}" for j in range(60)], "judge", judge),
                _long(models, [f"b{j}" for j in range(80)], "conc", conc),
            ]
        )
        seed = int(rng.integers(1 << 30))
        row = correlate(
            pd.DataFrame(index=models), ["judge"], ["conc"], per_prompt=long, n_boot=400, seed=seed
        ).get("judge", "conc", "pearson")
        estimates.append(row.estimate)
        lows.append(row.prompts_ci_low)
        highs.append(row.prompts_ci_high)
    lows, highs = np.array(lows), np.array(highs)
    covered = np.mean((lows <= truth) & (truth <= highs))
    width_ratio = np.mean(highs - lows) / (2 * 1.96 * np.std(estimates))
    assert covered >= 0.8, covered
    assert 0.7 < width_ratio < 1.5, width_ratio


def test_metric_given_both_per_model_and_per_prompt_is_refused():
    long = _long(["a", "b"], ["p"], "judge", np.ones((2, 1)))
    with pytest.raises(DataError, match="both per model and per prompt"):
        correlate(pd.DataFrame({"judge": [1.0, 2.0]}, index=["a", "b"]), ["judge"], ["x"], per_prompt=long)


def test_correlate_table_by_naming_convention_and_by_arguments(tmp_path):
    table = _table(np.random.default_rng(12)).rename(columns={"judge": "judge:arena"})
    path = tmp_path / "scores.csv"
    table.to_csv(path, index=False)
    by_convention = correlate_table(path, n_boot=200)
    assert by_convention.judges == ["judge:arena"] and by_convention.concrete == ["conc"]
    by_arguments = correlate_table(path, judges=["conc"], concrete=["judge:arena"], n_boot=200)
    assert by_arguments.get("conc", "judge:arena").estimate == pytest.approx(
        by_convention.get("judge:arena", "conc").estimate
    )
    assert "arena tracks conc" in by_convention.verdicts[0].text


@pytest.mark.parametrize(
    ("content", "kwargs", "message"),
    [
        ("name,judge:a,b\nx,1,2\n", {}, "needs a 'model' column"),
        ("model,judge:a,b\nx,1,2\ny,oops,3\nz,2,1\n", {}, "row 3: 'oops' is not a number"),
        ("model,a,b\nx,1,2\ny,2,3\nz,3,1\n", {}, "no judge columns"),
        ("model,judge:a,b\nx,1,2\ny,2,3\nz,3,1\n", {"concrete": ["c"]}, "no column(s) c"),
        ("model,judge:a,b\nx,1,2\nx,2,3\nz,3,1\n", {}, "model 'x' appears twice"),
        ("model,judge:a,b\nx,1,2\ny,2,3\n", {}, "at least 3 models"),
        ("", {}, "not a readable CSV"),
    ],
)
def test_bad_tables_raise_one_line_data_errors(tmp_path, content, kwargs, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(DataError) as info:
        correlate_table(path, **kwargs)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        correlate_table(tmp_path / "absent.csv")


def test_verdict_needs_every_ci_above_zero():
    # the per-model means track the concrete score perfectly, but one of the two prompts says the opposite:
    # resampling prompts gives r = +1 or r = -1, so the prompt CI spans 0 and the verdict is "no"
    models = [f"m{i}" for i in range(12)]
    ability = np.linspace(0.0, 1.0, 12)
    values = np.column_stack([ability, -0.9 * ability])
    long = _long(models, ["p0", "p1"], "judge", values)
    scores = pd.DataFrame({"conc": ability}, index=models)
    result = correlate(scores, ["judge"], ["conc"], per_prompt=long, n_boot=500)
    row = result.get("judge", "conc")
    assert row.models_ci_low == pytest.approx(1.0)
    assert row.prompts_ci_low == pytest.approx(-1.0) and row.prompts_ci_high == pytest.approx(1.0)
    assert result.verdicts[0].tracks is False and result.verdicts[0].ci_low == pytest.approx(-1.0)
