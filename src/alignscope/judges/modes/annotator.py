"""Mode ``annotator`` ("Dissecting Human and LLM Preferences"): every answer annotated in all stages, each
with its bundled ``annotate_<stage>`` template; Judgments stored one variant per stage."""

from __future__ import annotations

from alignscope.judges.annotator import annotation_judgments
from alignscope.judges.modes import judge_mode
from alignscope.judges.run import JudgeInputs, JudgeJob
from alignscope.records import Judgment


def annotation_stage(j: Judgment) -> str:
    """The store variant of an annotation: its stage."""
    return str(j.fields["stage"])


@judge_mode("annotator", kind="annotator", variant=annotation_stage)
def annotate_answers(job: JudgeJob) -> list[Judgment]:
    """Structured annotations (query traits, property ratings, errors) of each answer."""
    inputs = JudgeInputs(job.inputs.items, job.generations())
    return annotation_judgments(job.engine, job.backend, job.spec, inputs)
