"""Judge audit: position, length and criterion biases on synthetic truths; the shipped AlpacaEval findings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from alignscope.analysis.judge_audit import (
    criterion_weights,
    length_bias,
    position_consistency,
    self_preference,
    variant_families,
    verbosity_gaming,
)
from alignscope.analysis.length_control import length_controlled_win_rates
from alignscope.data.formats.alpaca_eval_results import bundled_instruction_difficulty, bundled_pairs
from alignscope.errors import DataError


def test_position_consistency_and_first_position_preference_of_a_known_judge():
    rows = []
    # 70 consistent pairs (x wins both orders), 20 where the first shown wins twice, 10 where the second does
    for q in range(100):
        kind = "consistent" if q < 70 else ("first" if q < 90 else "second")
        for first, second in (("x", "y"), ("y", "x")):
            if kind == "consistent":
                winner = "model_a" if first == "x" else "model_b"
            else:
                winner = "model_a" if kind == "first" else "model_b"
            rows.append((f"q{q}", first, second, winner))
    rows.append(("q_alone", "x", "y", "tie"))
    rows.append(("q_failed", "x", "y", None))
    df = pd.DataFrame(rows, columns=["question_id", "model_a", "model_b", "winner"])
    got = position_consistency(df)
    assert got.n_pairs == 100 and got.n_unpaired == 1 and got.n_failed == 1
    assert got.consistency == pytest.approx(0.70)
    assert got.consistency_ci[0] < 0.70 < got.consistency_ci[1]
    assert got.first_when_inconsistent == pytest.approx(20 / 30)
    assert got.first_position_rate == pytest.approx((70 + 40) / 200)


def test_length_slope_of_a_synthetic_judge_is_recovered():
    rng = np.random.default_rng(0)
    n = 4000
    len_a, len_b = rng.integers(100, 3000, n), rng.integers(100, 3000, n)
    delta = (len_a - len_b) / np.std(len_a - len_b, ddof=1)
    y = rng.binomial(1, expit(0.2 + 0.8 * delta))
    got = length_bias(
        pd.DataFrame({"winner": np.where(y == 1, "model_a", "model_b"), "len_a": len_a, "len_b": len_b})
    )
    assert got.lower < 0.8 < got.upper and got.n == n


def test_length_slope_from_one_prompt_has_a_real_interval():
    """Judgments of one prompt form one cluster, whose scores sum to zero: the CI must not collapse."""
    rng = np.random.default_rng(3)
    n = 200
    len_a, len_b = rng.integers(100, 3000, n), rng.integers(100, 3000, n)
    y = rng.binomial(1, expit(0.5 * (len_a - len_b) / 1000))
    one_prompt = pd.DataFrame(
        {"question_id": "q0", "winner": np.where(y == 1, "model_a", "model_b"), "len_a": len_a}
    ).assign(len_b=len_b)
    clustered, unclustered = length_bias(one_prompt), length_bias(one_prompt.drop(columns="question_id"))
    assert clustered.se > 0.05 and clustered.upper - clustered.lower > 0.2
    assert clustered.se == pytest.approx(unclustered.se)


def test_the_shipped_gpt4_turbo_judge_prefers_longer_answers():
    pairs = bundled_pairs()
    table = pairs.rename(
        columns={"p_win": "p_a", "len_model": "len_a", "len_baseline": "len_b", "instruction": "question_id"}
    )
    table = table[table["model"] != table["baseline"]]
    pooled = length_bias(table)
    within = length_bias(table, group="model")
    print(
        f"length slope (log-odds per sd = {pooled.unit:.0f} chars): pooled {pooled.coef:.3f} "
        f"[{pooled.lower:.3f}, {pooled.upper:.3f}], within model {within.coef:.3f} [{within.lower:.3f}, "
        f"{within.upper:.3f}]"
    )
    assert pooled.lower > 0 and within.lower > 0


def test_criterion_weights_of_a_synthetic_multi_criteria_judge():
    rng = np.random.default_rng(1)
    n = 3000
    crit = {c: rng.choice([-1, 0, 1], size=n, p=[0.4, 0.2, 0.4]) for c in ("correctness", "style", "safety")}
    weights = {"correctness": 1.5, "style": 0.7, "safety": 0.0}
    eta = 0.3 + sum(weights[c] * crit[c] for c in crit)
    overall = np.where(rng.random(n) < expit(eta), "model_a", "model_b")
    labels = {-1: "model_b", 0: "tie", 1: "model_a"}
    df = pd.DataFrame({c: [labels[v] for v in vals] for c, vals in crit.items()} | {"overall": overall})
    got = criterion_weights(df, list(crit), "overall")
    for c, w in weights.items():
        assert got.loc[c, "lower"] < w < got.loc[c, "upper"], c
    assert got.loc["intercept", "lower"] < 0.3 < got.loc["intercept", "upper"]
    with pytest.raises(DataError, match="never vary"):
        criterion_weights(df.assign(safety="tie"), list(crit), "overall")


def test_verbosity_variants_move_raw_win_rates_more_than_lc_on_the_shipped_annotations():
    out = length_controlled_win_rates(bundled_pairs(), bundled_instruction_difficulty())
    families = variant_families(list(out.index))
    assert families == {
        "alpaca-7b": ["alpaca-7b", "alpaca-7b_concise", "alpaca-7b_verbose"],
        "claude-2.1": ["claude-2.1", "claude-2.1_concise"],
    }
    gaming = verbosity_gaming(out, families)
    print(gaming.families.round(3).to_string())
    print(f"gameability raw {gaming.gameability['win_rate']:.1f}, LC {gaming.gameability['lc_win_rate']:.1f}")
    assert gaming.gameability["win_rate"] > gaming.gameability["lc_win_rate"]


def test_self_preference_of_a_synthetic_judge_is_recovered():
    rng = np.random.default_rng(2)
    n = 40
    reference = pd.Series(rng.normal(1100, 80, n), index=[f"m{i}" for i in range(n)])
    own = {f"m{i}": ("judgeco" if i < 10 else f"lab{i % 4}") for i in range(n)}
    is_own = np.array([own[m] == "judgeco" for m in reference.index])
    judge = 0.1 * (reference - 1100) + 30 + 6.0 * is_own + rng.normal(0, 1.5, n)
    got = self_preference(judge, reference, own, "judgeco")
    assert got.lower < 6.0 < got.upper and got.n_own == 10
    with pytest.raises(DataError, match="family"):
        self_preference(judge, reference, own, "nobody")
