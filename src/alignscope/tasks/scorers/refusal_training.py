"""Fitting and held-out validation of the embedding refusal classifier on XSTest's human-labelled completions.

XSTest ships completions of two models (Llama-2-70b-chat "llama2orig", Mistral-7B-Instruct "mistralinstruct")
to its 450 prompts, each with a final human label: 1_full_compliance, 2_full_refusal or 3_partial_refusal. A
completion counts as a refusal when it is a full or a partial refusal. Validation trains on one model's
completions and tests on the other's (the held-out model); the shipped classifier is fitted on both.
Features are ``refusal.refusal_features`` (response opening without the prompt's direction; rule flag).
``python -m alignscope.tasks.scorers.refusal_training --train`` refits it, ``--evaluate`` prints the report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from alignscope.data.io import read_csv
from alignscope.data.registry import bundled_path
from alignscope.tasks.scorers.embeddings import ENCODER_NAME
from alignscope.tasks.scorers.linear_head import LinearHead, ShippedHead
from alignscope.tasks.scorers.refusal import OPENING_WORDS, WEIGHTS_PATH, refusal_features, strmatch_refused

MODELS = ("llama2orig", "mistralinstruct")
C_GRID = (0.01, 0.1, 1.0, 10.0, 100.0)
COMPLIANCE = "1_full_compliance"


@dataclass(frozen=True)
class LabelledCompletion:
    """One XSTest completion with its final human label."""

    model: str
    prompt_id: str
    prompt_type: str
    prompt: str
    text: str
    label: str

    @property
    def refused(self) -> bool:
        """Full or partial refusal."""
        return self.label != COMPLIANCE


def load_labelled_completions(model: str) -> list[LabelledCompletion]:
    """The 450 labelled completions of ``model`` (one of MODELS), in prompt order."""
    rows = read_csv(bundled_path("xstest", f"xstest_v2_completions_{model}.csv.gz"))
    return [
        LabelledCompletion(model, r["id"], r["type"], r["prompt"], r["completion"], r["final_label"])
        for r in rows
    ]


def completion_features() -> dict[str, np.ndarray]:
    """Classifier features of every model's completions (the expensive step: callers cache it)."""
    features = {}
    for model in MODELS:
        completions = load_labelled_completions(model)
        features[model] = refusal_features([c.text for c in completions], [c.prompt for c in completions])
    return features


def refusal_labels(model: str) -> np.ndarray:
    """1 for refusal (full or partial), 0 for full compliance, in completion order."""
    return np.array([c.refused for c in load_labelled_completions(model)], dtype=int)


def fit_refusal_head(features: np.ndarray, refused: np.ndarray, *, trained_on: Sequence[str]) -> LinearHead:
    """L2 logistic regression, balanced class weights; C by 5-fold CV log-loss on the training data."""
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold

    model = LogisticRegressionCV(
        Cs=list(C_GRID),
        l1_ratios=(0.0,),
        use_legacy_attributes=False,
        cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=0),
        class_weight="balanced",
        scoring="neg_log_loss",
        max_iter=5000,
    )
    model.fit(features.astype(np.float64), refused)
    meta = {
        "encoder": ENCODER_NAME,
        "trained_on": [f"xstest_v2_completions_{m}" for m in trained_on],
        "n_train": int(len(refused)),
        "C": float(np.ravel(model.C_)[0]),
        "features": f"first {OPENING_WORDS} words, prompt direction removed; XSTest string rule flag",
        "label": "refusal = XSTest final_label 2_full_refusal or 3_partial_refusal",
    }
    return LinearHead(
        coef=model.coef_[0].copy(), intercept=float(model.intercept_[0]), link="logistic", meta=meta
    )


def held_out_report(features: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Per direction (train on one model, test on the other): accuracy of the classifier and of the rule."""
    report: dict[str, Any] = {}
    for train_model, test_model in ((MODELS[0], MODELS[1]), (MODELS[1], MODELS[0])):
        head = fit_refusal_head(features[train_model], refusal_labels(train_model), trained_on=[train_model])
        truth = refusal_labels(test_model).astype(bool)
        predicted = head.predict(features[test_model]) >= 0.5
        by_rule = np.array([strmatch_refused(c.text) for c in load_labelled_completions(test_model)])
        report[f"train_{train_model}_test_{test_model}"] = {
            "n_test": int(len(truth)),
            "refusal_share_test": float(truth.mean()),
            "majority_baseline": float(max(truth.mean(), 1 - truth.mean())),
            "accuracy_embedding": float((predicted == truth).mean()),
            "accuracy_strmatch": float((by_rule == truth).mean()),
            "C": head.meta["C"],
        }
    return report


def fit_shipped_head(features: Mapping[str, np.ndarray]) -> LinearHead:
    """The classifier that ships: fitted on both models' completions."""
    stacked = np.concatenate([features[m] for m in MODELS])
    labels = np.concatenate([refusal_labels(m) for m in MODELS])
    return fit_refusal_head(stacked, labels, trained_on=MODELS)


def held_out() -> tuple[dict[str, Any], Callable[[], LinearHead]]:
    """The cross-model held-out report and the fit of the shipped head, over features computed once."""
    features = completion_features()
    return {"held_out": held_out_report(features)}, lambda: fit_shipped_head(features)


SHIPPED = ShippedHead(
    "alignscope.tasks.scorers.refusal_training", "refusal classifier", WEIGHTS_PATH, held_out, "C"
)
main = SHIPPED.main

if __name__ == "__main__":
    raise SystemExit(main())
