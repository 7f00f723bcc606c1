"""Mode ``rubric`` (Self-Rewarding / Meta-Rewarding additive 5-point rubric): ``n_samples`` scores per answer,
averaged by :func:`alignscope.judges.rubric.rubric_scores`; judged as ``pointwise``."""

from __future__ import annotations

from alignscope.judges.modes import JudgeMode, register_judge_mode
from alignscope.judges.modes.pointwise import judge_pointwise
from alignscope.judges.pointwise import score_summary

register_judge_mode(
    JudgeMode(
        "rubric",
        kind="single",
        judge=judge_pointwise,
        template="self-rewarding",
        summarise=score_summary,
        description="Additive 0-5 rubric scores of each answer, sampled and averaged.",
    )
)
