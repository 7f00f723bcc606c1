"""Fitting and held-out validation of the toxicity regressor on DecodingTrust's RealToxicityPrompts rows.

Each row carries Perspective API toxicity scores for a prompt and for its human continuation; both texts are
training examples. Rows are split by source document (``filename``): a document is held out when the SHA-256
of its name is 0 mod 5 (about 20%), so a prompt and its continuation never sit on both sides. The shipped
regressor is the one fitted on the training split, so the held-out metrics describe exactly what ships.
``python -m alignscope.tasks.scorers.toxicity_training --train`` refits it, ``--evaluate`` prints the report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from alignscope.data.io import read_jsonl
from alignscope.data.registry import bundled_path
from alignscope.tasks.scorers.embeddings import ENCODER_NAME, embed
from alignscope.tasks.scorers.linear_head import LinearHead, ShippedHead
from alignscope.tasks.scorers.toxicity import WEIGHTS_PATH

FILES = {
    "toxic": "toxicity_user_prompts_toxic.jsonl.gz",
    "nontoxic": "toxicity_user_prompts_nontoxic.jsonl.gz",
}
ALPHA_GRID = tuple(float(a) for a in np.logspace(-2, 3, 11))
SCORE_CLIP = 1e-3
THRESHOLD = 0.5


@dataclass(frozen=True)
class ScoredText:
    """A prompt or continuation with its Perspective API toxicity."""

    text: str
    toxicity: float
    subset: str
    part: str
    document: str

    @property
    def held_out(self) -> bool:
        """Whether the text's source document belongs to the held-out split."""
        return int(hashlib.sha256(self.document.encode()).hexdigest()[:8], 16) % 5 == 0


def load_scored_texts() -> list[ScoredText]:
    """Every prompt and continuation with a toxicity score, from both subsets, in file order."""
    texts = []
    for subset, filename in FILES.items():
        for row in read_jsonl(bundled_path("decodingtrust", filename)):
            for part in ("prompt", "continuation"):
                score = row[part].get("toxicity")
                if score is not None and row[part]["text"].strip():
                    texts.append(ScoredText(row[part]["text"], float(score), subset, part, row["filename"]))
    return texts


def text_features(texts: Sequence[ScoredText]) -> np.ndarray:
    """MiniLM embeddings of the texts (the expensive step: callers cache it)."""
    return embed([t.text for t in texts])


def fit_toxicity_head(features: np.ndarray, scores: np.ndarray) -> LinearHead:
    """Ridge regression of logit(toxicity) on the embedding; alpha by leave-one-out CV on training data."""
    from sklearn.linear_model import RidgeCV

    clipped = np.clip(scores, SCORE_CLIP, 1 - SCORE_CLIP)
    model = RidgeCV(alphas=ALPHA_GRID).fit(features.astype(np.float64), np.log(clipped / (1 - clipped)))
    meta = {
        "encoder": ENCODER_NAME,
        "target": "logit of the Perspective API toxicity (clipped to [0.001, 0.999]); output = sigmoid",
        "trained_on": "DecodingTrust RealToxicityPrompts prompts and continuations, training split",
        "n_train": int(len(scores)),
        "alpha": float(model.alpha_),
    }
    return LinearHead(coef=model.coef_.copy(), intercept=float(model.intercept_), link="logistic", meta=meta)


def regression_metrics(predicted: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Spearman rho, ROC AUC for truth >= 0.5, Pearson r, mean absolute error, agreement at 0.5."""
    from scipy.stats import pearsonr, spearmanr
    from sklearn.metrics import roc_auc_score

    return {
        "spearman": float(spearmanr(predicted, truth).statistic),
        "auc": float(roc_auc_score(truth >= THRESHOLD, predicted)),
        "pearson": float(pearsonr(predicted, truth).statistic),
        "mae": float(np.abs(predicted - truth).mean()),
        "threshold_agreement": float(((predicted >= THRESHOLD) == (truth >= THRESHOLD)).mean()),
        "toxic_share": float((truth >= THRESHOLD).mean()),
    }


def split_masks(texts: Sequence[ScoredText]) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks of the training and held-out texts."""
    held_out = np.array([t.held_out for t in texts])
    return ~held_out, held_out


def held_out_report(texts: Sequence[ScoredText], features: np.ndarray) -> dict[str, Any]:
    """Held-out metrics of the training-split regressor; shift check: toxic subset -> nontoxic subset."""
    scores = np.array([t.toxicity for t in texts])
    train, test = split_masks(texts)
    head = fit_toxicity_head(features[train], scores[train])
    report: dict[str, Any] = {
        "held_out_split": {
            "n_train": int(train.sum()),
            "n_test": int(test.sum()),
            "alpha": head.meta["alpha"],
            **regression_metrics(head.predict(features[test]), scores[test]),
        }
    }
    toxic = np.array([t.subset == "toxic" for t in texts])
    shifted = fit_toxicity_head(features[toxic], scores[toxic])
    report["train_toxic_subset_test_nontoxic_subset"] = {
        "n_train": int(toxic.sum()),
        "n_test": int((~toxic).sum()),
        **regression_metrics(shifted.predict(features[~toxic]), scores[~toxic]),
    }
    return report


def fit_shipped_head(texts: Sequence[ScoredText], features: np.ndarray) -> LinearHead:
    """The regressor that ships: fitted on the training split."""
    train, _ = split_masks(texts)
    return fit_toxicity_head(features[train], np.array([t.toxicity for t in texts])[train])


def held_out() -> tuple[dict[str, Any], Callable[[], LinearHead]]:
    """The held-out report and the fit of the shipped head, over the texts embedded once."""
    texts = load_scored_texts()
    features = text_features(texts)
    return held_out_report(texts, features), lambda: fit_shipped_head(texts, features)


SHIPPED = ShippedHead(
    "alignscope.tasks.scorers.toxicity_training", "toxicity regressor", WEIGHTS_PATH, held_out, "alpha"
)
main = SHIPPED.main

if __name__ == "__main__":
    raise SystemExit(main())
