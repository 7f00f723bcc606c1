"""Instruction difficulty for the length-controlled GLM: AlpacaEval's joint fit over many models.

AlpacaEval (``notebooks/instruction_difficulty.ipynb``) fits, over every model's annotations at once,
``logit P(model wins) = a_m * tanh(std_delta_len) + b_m + d_instruction + g * not_gamed_baseline`` (one length
slope and one bias per model, one effect per instruction with the first instruction as the reference level),
L1-penalised, C chosen by 5-fold cross-validated log loss, and keeps ``d`` as the instruction difficulty.

The fit is scikit-learn's liblinear, as in AlpacaEval: near-collinear blocks (every instruction effect against
every model bias) are what coordinate descent handles well. It runs once per instruction set (the bundled
AlpacaEval difficulty was derived with it) and takes seconds to a minute; the per-model GLM that uses the
result is the fast, batched part. Input: the ``pairs`` table of :mod:`alignscope.analysis.length_control`.

Which difficulty the LC win rate uses is one setting, ``lc_difficulty`` (:func:`choose_difficulty`):
``alpaca_eval`` (AlpacaEval's, estimated from the shipped annotations; only for AlpacaEval's 805
instructions), ``joint`` (this joint fit over the models judged against the baseline; needs 2+ models),
``none`` (no instruction term: each model's GLM stands alone, as with one model) or ``auto`` (the default):
``alpaca_eval`` when it covers every instruction, else ``joint`` with 2+ models, else ``none``.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import expit

from alignscope.analysis.length_control import GLMSettings, check_pairs, cv_folds, log_loss, std_delta_len
from alignscope.errors import DataError


def _l1_logistic(C: float) -> Any:
    """liblinear's L1-penalised logistic regression without intercept (the penalty argument moved in 1.8)."""
    from sklearn.linear_model import LogisticRegression

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


LCDifficultyPolicy = Literal["auto", "alpaca_eval", "joint", "none"]
LC_DIFFICULTY_POLICIES: tuple[str, ...] = get_args(LCDifficultyPolicy)
DEFAULT_LC_DIFFICULTY: LCDifficultyPolicy = "auto"


@dataclass(frozen=True)
class LCDifficulty:
    """The instruction difficulty an LC fit used: the ``policy`` asked for, the ``source`` it resolved to
    (alpaca_eval, joint or none), what that means in words, and the values (instruction -> difficulty)."""

    policy: str
    source: str
    detail: str
    values: pd.Series

    def describe(self) -> str:
        """One line stating policy and source, as every output that shows an LC win rate does."""
        return f"LC difficulty (policy {self.policy}): {self.source}, {self.detail}"

    def to_dict(self) -> dict[str, str]:
        """Policy, source and detail, JSON-ready."""
        return {"policy": self.policy, "source": self.source, "detail": self.detail}


def _shipped_difficulty() -> pd.Series:
    from alignscope.data.formats.alpaca_eval_results import bundled_instruction_difficulty

    try:
        return bundled_instruction_difficulty()
    except DataError:
        return pd.Series(dtype=float)


def choose_difficulty(
    pairs: pd.DataFrame, policy: str = DEFAULT_LC_DIFFICULTY, *, settings: GLMSettings = GLMSettings()
) -> LCDifficulty:
    """The instruction difficulty of ``pairs`` (one baseline) under ``policy`` (see the module docstring).

    DataError when an explicit policy cannot be met (``alpaca_eval`` on other instructions, ``joint`` with
    one model, or a joint fit with too few verdicts).
    """
    if policy not in LC_DIFFICULTY_POLICIES:
        raise DataError(f"lc_difficulty '{policy}': choose {', '.join(LC_DIFFICULTY_POLICIES)}")
    instructions = pd.Index(pairs["instruction"].unique())
    n_models = pairs["model"].nunique()
    if policy in ("auto", "alpaca_eval"):
        shipped = _shipped_difficulty()
        covered = int(instructions.isin(shipped.index).sum())
        if len(shipped) and covered == len(instructions):
            detail = "AlpacaEval's instruction difficulty, estimated from the shipped annotations"
            return LCDifficulty(policy, "alpaca_eval", detail, shipped)
        if policy == "alpaca_eval":
            raise DataError(
                f"lc_difficulty alpaca_eval: AlpacaEval's difficulty covers {covered} of the "
                f"{len(instructions)} instructions (it knows AlpacaEval's 805 only)"
            )
    if policy == "joint" or (policy == "auto" and n_models >= 2):
        if n_models < 2:
            raise DataError("lc_difficulty joint: a joint fit needs 2+ models judged against the baseline")
        detail = f"fitted jointly over the {n_models} models' {len(instructions)} instructions"
        return LCDifficulty(policy, "joint", detail, fit_instruction_difficulty(pairs, settings=settings))
    detail = "no instruction term (one model against the baseline)" if n_models < 2 else "no instruction term"
    return LCDifficulty(policy, "none", detail, pd.Series(0.0, index=instructions))
