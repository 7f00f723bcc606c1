"""Instruction difficulty for the length-controlled GLM: AlpacaEval's joint fit over many models.

AlpacaEval (``notebooks/instruction_difficulty.ipynb``) fits, over every model's annotations at once,
``logit P(model wins) = a_m * tanh(std_delta_len) + b_m + d_instruction + g * not_gamed_baseline`` (one length
slope and one bias per model, one effect per instruction with the first instruction as the reference level),
L1-penalised, C chosen by 5-fold cross-validated log loss, and keeps ``d`` as the instruction difficulty.

The fit is scikit-learn's liblinear, as in AlpacaEval: near-collinear blocks (every instruction effect against
every model bias) are what coordinate descent handles well. It runs once per instruction set (the bundled
AlpacaEval difficulty was derived with it) and takes seconds to a minute; the per-model GLM that uses the
result is the fast, batched part. Input: the ``pairs`` table of :mod:`alignscope.analysis.length_control`.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from alignscope.analysis.length_control import GLMSettings, check_pairs, cv_folds, log_loss, std_delta_len
from alignscope.errors import DataError


def _l1_logistic(C: float) -> LogisticRegression:
    """liblinear's L1-penalised logistic regression without intercept (the penalty argument moved in 1.8)."""
    if inspect.signature(LogisticRegression).parameters["penalty"].default == "deprecated":
        return LogisticRegression(
            C=C, l1_ratio=1.0, solver="liblinear", fit_intercept=False, random_state=123
        )
    return LogisticRegression(C=C, penalty="l1", solver="liblinear", fit_intercept=False, random_state=123)


def _fit_soft(X: sparse.csr_matrix, y: np.ndarray, C: float) -> np.ndarray:
    """L1 fit against soft labels: each row twice, as a win weighted y and as a loss weighted 1 - y."""
    n = X.shape[0]
    model = _l1_logistic(C).fit(
        sparse.vstack([X, X]).tocsr(), np.r_[np.ones(n), np.zeros(n)], sample_weight=np.r_[y, 1.0 - y]
    )
    return model.coef_[0]


def fit_instruction_difficulty(
    pairs: pd.DataFrame, *, gamed: pd.DataFrame | None = None, settings: GLMSettings = GLMSettings()
) -> pd.Series:
    """Per-instruction difficulty (Series by instruction id) from a joint fit over all models in ``pairs``.

    Rows without a verdict or with an empty model answer are left out, as in AlpacaEval's notebook; the first
    instruction (in order of appearance) is the reference level with difficulty 0. ``gamed`` rows (the
    baseline's verbose/concise variants), when given, enter with ``not_gamed_baseline = 0``.
    """
    df = check_pairs(pairs, "pairs").assign(not_gamed=1.0)
    if gamed is not None:
        df = pd.concat([df, check_pairs(gamed, "gamed").assign(not_gamed=0.0)], ignore_index=True)
    df = df[df["p_win"].notna() & (df["len_model"] > 0)].reset_index(drop=True)
    if len(df) < settings.n_splits:
        raise DataError(
            f"pairs: {len(df)} rows with a verdict, fewer than the {settings.n_splits} cross-validation "
            "folds needed to fit instruction difficulty; judge more instructions or models"
        )
    model_codes, models = pd.factorize(df["model"].astype(str))
    instr_codes, instructions = pd.factorize(df["instruction"])
    n, M, n_instr = len(df), len(models), len(instructions)
    rows = np.arange(n)
    X = sparse.hstack(
        [
            sparse.csr_matrix((np.tanh(std_delta_len(df)), (rows, model_codes)), shape=(n, M)),
            sparse.csr_matrix((np.ones(n), (rows, model_codes)), shape=(n, M)),
            sparse.csr_matrix((np.ones(n), (rows, instr_codes)), shape=(n, n_instr))[:, 1:],
            sparse.csr_matrix(df["not_gamed"].to_numpy(dtype=float)[:, None]),
        ]
    ).tocsr()
    y = df["p_win"].to_numpy(dtype=float)
    folds = cv_folds(n, settings.n_splits)
    cs = np.asarray(settings.Cs)
    losses = np.zeros(len(cs))
    for i, C in enumerate(cs):
        for k in range(settings.n_splits):
            train, held_out = folds != k, folds == k
            beta = _fit_soft(X[train], y[train], C)
            losses[i] += log_loss(y[held_out], expit(X[held_out] @ beta)).mean()
    beta = _fit_soft(X, y, cs[int(np.argmin(losses))])
    effects = np.concatenate([[0.0], beta[2 * M : 2 * M + n_instr - 1]])
    return pd.Series(effects, index=pd.Index(instructions, name="instruction"), name="difficulty")
