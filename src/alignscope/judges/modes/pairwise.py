"""Mode ``pairwise`` (Arena-Hard, AlpacaEval, MT-Bench pairwise): each judged model's answer against the
baseline's, in both orders when ``swap``, at every judged turn."""

from __future__ import annotations

from alignscope.judges.modes import judge_mode
from alignscope.judges.pairwise import judge_pairs, pair_summary
from alignscope.judges.run import JudgeJob
from alignscope.records import Judgment


@judge_mode("pairwise", kind="pair", template="arena-hard", summarise=pair_summary)
def judge_pairwise(job: JudgeJob) -> list[Judgment]:
    """Which of two answers is better, A/B verdicts in both orders."""
    return judge_pairs(job.engine, job.backend, job.spec, job.template(), job.pairs(), job.spec.label)
