"""Mode ``pairwise`` (Arena-Hard, AlpacaEval, MT-Bench pairwise): each judged model's answer against the
baseline's, in both orders when ``swap``, at every judged turn."""

from __future__ import annotations

from alignscope.judges.calls import run_calls
from alignscope.judges.modes import judge_mode
from alignscope.judges.pairwise import pair_calls, pair_summary
from alignscope.judges.run import JudgeJob
from alignscope.records import Judgment


@judge_mode("pairwise", kind="pair", template="arena-hard", summarise=pair_summary)
def judge_pairwise(job: JudgeJob) -> list[Judgment]:
    """Which of two answers is better, A/B verdicts in both orders."""
    calls = pair_calls(job.spec, job.template(), job.pairs())
    return run_calls(job.engine, job.backend, job.spec, calls, job.spec.label)
