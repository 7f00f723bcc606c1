"""Additive 5-point rubric (Self-Rewarding / Meta-Rewarding): N sampled judgments per answer, averaged; the
unparseable ones are dropped from the mean and counted."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from alignscope.judges.pointwise import judge_answers
from alignscope.records import Judgment


@dataclass(frozen=True)
class RubricScore:
    """The averaged rubric score of one answer: ``mean`` over parsed samples (None if none parsed)."""

    dataset: str
    item_id: str
    model: str
    turn: int
    scores: tuple[float, ...]
    n_failed: int

    @property
    def mean(self) -> float | None:
        """Mean of the parsed samples."""
        return statistics.fmean(self.scores) if self.scores else None

    @property
    def variance(self) -> float:
        """Population variance of the parsed samples (0 with fewer than two)."""
        return statistics.pvariance(self.scores) if len(self.scores) > 1 else 0.0


judge_rubric = judge_answers  # ``spec.n_samples`` Judgments per answer, each sample with its own seed


def rubric_scores(judgments: Sequence[Judgment]) -> list[RubricScore]:
    """Per answer (dataset, item, model, turn): the parsed sample scores and the number of failed samples."""
    groups: dict[tuple[str, str, str, int], tuple[list[float], list[int]]] = {}
    for j in judgments:
        if j.mode != "rubric":
            continue
        scores, failed = groups.setdefault(
            (j.dataset, j.item_id, j.model_a, j.fields.get("turn", 1)), ([], [0])
        )
        if j.parse_status == "failed" or j.score is None:
            failed[0] += 1
        else:
            scores.append(j.score)
    return [RubricScore(*key, tuple(scores), failed[0]) for key, (scores, failed) in groups.items()]
