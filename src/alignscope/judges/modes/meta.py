"""Mode ``meta`` (Meta-Rewarding's meta-judge): per item, the answer whose stored rubric judgments vary most,
and every pair of its distinct judgments compared in both orders."""

from __future__ import annotations

from alignscope.judges.meta import meta_judge
from alignscope.judges.modes import judge_mode
from alignscope.judges.run import JudgeJob, meta_inputs
from alignscope.records import Judgment


def judged_answer(j: Judgment) -> str:
    """The answer a meta Judgment's two judgments are about."""
    return str(j.fields.get("answer_id", j.model_a))


@judge_mode("meta", kind="meta", template="meta-rewarding", subject=judged_answer)
def judge_judgments(job: JudgeJob) -> list[Judgment]:
    """Which of two judgments of one answer is better, in both orders."""
    return meta_judge(
        job.engine, job.backend, job.spec, job.template(), meta_inputs(job.inputs), job.spec.label
    )
