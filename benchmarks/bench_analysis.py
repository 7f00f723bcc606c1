"""Analysis speed: the batched LC GLM and bootstrapped Bradley-Terry against the obvious per-fit loops.

    .venv/bin/python benchmarks/bench_analysis.py [--rounds 1000] [--baseline-rounds 1000]

1. Length-controlled GLM over the 40 bundled AlpacaEval models (CV over 10 C values x 5 folds + refit, per
   model) against a pandas groupby loop of liblinear fits (AlpacaEval's own fit, one model and one fit at a
   time).
2. Bradley-Terry with ``--rounds`` prompt-bootstrap rounds on arena-bench-v1 (15 models, ~31k battles), plain
   and style-controlled, against a loop that resamples prompts with pandas and fits statsmodels' GLM per
   round. The loop runs ``--baseline-rounds`` rounds (default: all 1,000) and is scaled linearly to
   ``--rounds`` when fewer; short loop runs time poorly and give CIs that are too narrow.
Every comparison also checks that both sides give the same numbers.
"""

from __future__ import annotations

import argparse
import inspect
import time

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from alignscope.analysis.bradley_terry import INIT_RATING, SCALE, bradley_terry, pointwise_to_battles
from alignscope.analysis.length_control import (
    DEFAULT_CS,
    cv_folds,
    length_controlled_win_rates,
    std_delta_len,
)
from alignscope.analysis.style_features import STYLE_FEATURES, add_style_features
from alignscope.data.formats.alpaca_eval_results import bundled_instruction_difficulty, bundled_pairs
from alignscope.data.formats.arena_hard import bundled_arena_bench_answers, bundled_arena_bench_judgments

L1 = (
    {"l1_ratio": 1.0}
    if inspect.signature(LogisticRegression).parameters["penalty"].default == "deprecated"
    else {"penalty": "l1"}
)


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def lc_loop(pairs: pd.DataFrame, difficulty: pd.Series) -> pd.Series:
    """One model at a time, one liblinear fit at a time (AlpacaEval's fit_LogisticRegressionCV, spelled
    out)."""

    def fit(X, y, C):
        n = len(y)
        model = LogisticRegression(C=C, solver="liblinear", fit_intercept=False, random_state=123, **L1)
        model.fit(np.vstack([X, X]), np.r_[np.ones(n), np.zeros(n)], sample_weight=np.r_[y, 1 - y])
        return model.coef_[0]

    out = {}
    for model, rows in pairs.groupby("model"):
        if (rows["model"] == rows["baseline"]).all():
            out[model] = 50.0
            continue
        rows = rows.reset_index(drop=True)
        X = np.column_stack(
            [np.tanh(std_delta_len(rows)), rows["instruction"].map(difficulty), np.ones(len(rows))]
        )
        ok = rows["p_win"].notna().to_numpy()
        Xf, y = X[ok], rows["p_win"].to_numpy()[ok]
        folds = cv_folds(len(y), 5)
        losses = []
        for C in DEFAULT_CS:
            loss = 0.0
            for k in range(5):
                q = np.clip(expit(Xf[folds == k] @ fit(Xf[folds != k], y[folds != k], C)), 1e-15, 1 - 1e-15)
                loss -= np.mean(y[folds == k] * np.log(q) + (1 - y[folds == k]) * np.log(1 - q))
            losses.append(loss)
        beta = fit(Xf, y, DEFAULT_CS[int(np.argmin(losses))])
        out[model] = 100 * expit(X[:, 1:] @ beta[1:]).mean()
    return pd.Series(out)


def bt_loop(battles: pd.DataFrame, anchor: str, rounds: int, style: list[str], seed: int = 0) -> np.ndarray:
    """Resample prompts with pandas, fit statsmodels' binomial GLM, once per round."""
    models = sorted(set(battles["model_a"]) | set(battles["model_b"]))
    others = [m for m in models if m != anchor]
    design = pd.DataFrame(
        {m: (battles["model_a"] == m).astype(float) - (battles["model_b"] == m).astype(float) for m in others}
    )
    for column in style:
        design[column] = (battles[column] - battles[column].mean()) / battles[column].std()
    data = design.assign(
        y=battles["winner"].map({"model_a": 1.0, "model_b": 0.0, "tie": 0.5}),
        question_id=battles["question_id"],
    )
    by_prompt = dict(tuple(data.groupby("question_id")))
    prompts = np.array(list(by_prompt))
    rng = np.random.default_rng(seed)
    ratings = []
    for _ in range(rounds):
        sample = pd.concat([by_prompt[q] for q in rng.choice(prompts, size=len(prompts))], ignore_index=True)
        fit = sm.GLM(sample["y"], sample[others + style], family=sm.families.Binomial()).fit()
        ratings.append(INIT_RATING + SCALE * fit.params[others].to_numpy())
    return np.array(ratings)


def main() -> None:
    parser = argparse.ArgumentParser(description="alignscope analysis benchmark")
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--baseline-rounds", type=int, default=1000)
    args = parser.parse_args()

    pairs, difficulty = bundled_pairs(), bundled_instruction_difficulty()
    ours, t_ours = _timed(lambda: length_controlled_win_rates(pairs, difficulty)["lc_win_rate"])
    loop, t_loop = _timed(lambda: lc_loop(pairs, difficulty))
    gap = (ours - loop.reindex(ours.index)).abs().max()
    print(f"LC GLM, {pairs['model'].nunique()} models x {len(DEFAULT_CS)} C x 5 folds + refit:")
    print(f"  batched numpy   {t_ours:8.2f} s")
    print(
        f"  per-fit loop    {t_loop:8.2f} s   ratio {t_loop / t_ours:5.1f}x   (max LC difference {gap:.3f})"
    )

    battles = pointwise_to_battles(bundled_arena_bench_judgments())
    battles = add_style_features(battles, bundled_arena_bench_answers())
    anchor = "gpt-4-0314"
    for label, style in (("plain", []), ("style-controlled", list(STYLE_FEATURES))):
        result, t_bt = _timed(
            lambda s=style: bradley_terry(battles, anchor, style_columns=s, n_bootstrap=args.rounds)
        )
        base, t_base = _timed(lambda s=style: bt_loop(battles, anchor, args.baseline_rounds, s))
        scaled = t_base * args.rounds / args.baseline_rounds
        others = [m for m in sorted(set(battles["model_a"]) | set(battles["model_b"])) if m != anchor]
        sd_ours = (result.ratings.loc[others, "upper"] - result.ratings.loc[others, "lower"]).mean()
        sd_loop = (np.quantile(base, 0.975, axis=0) - np.quantile(base, 0.025, axis=0)).mean()
        print(f"Bradley-Terry {label}, {len(battles)} battles, {args.rounds} bootstrap rounds:")
        print(f"  batched numpy   {t_bt:8.2f} s")
        print(
            f"  pandas+statsmodels loop {t_base:8.2f} s for {args.baseline_rounds} rounds -> "
            f"{scaled:8.2f} s for {args.rounds}   ratio {scaled / t_bt:5.1f}x   "
            f"(mean 95% CI width {sd_ours:.1f} vs {sd_loop:.1f})"
        )


if __name__ == "__main__":
    main()
