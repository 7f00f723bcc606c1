"""Mode ``pointwise`` (MT-Bench single-answer grading): a 1-10 rating of each judged model's answer at every
judged turn, with the reference-answer template where the item has a reference."""

from __future__ import annotations

from alignscope.judges.modes import judge_mode
from alignscope.judges.pointwise import judge_answers, score_summary
from alignscope.judges.run import JudgeJob
from alignscope.records import Judgment


@judge_mode("pointwise", kind="single", template="mt-bench-single", summarise=score_summary)
def judge_pointwise(job: JudgeJob) -> list[Judgment]:
    """A score of each answer, ``n_samples`` times."""
    spec = job.spec
    return judge_answers(
        job.engine, job.backend, spec, job.template(), job.inputs.items, job.generations(), spec.label
    )
