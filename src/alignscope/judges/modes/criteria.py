"""Mode ``criteria`` (SOS-Bench): pairs judged as in ``pairwise``, on correctness, completeness, safety,
conciseness and style, then overall (the overall verdict is the Judgment's; see
:func:`alignscope.judges.criteria.criteria_table`)."""

from __future__ import annotations

from alignscope.judges.modes import JudgeMode, register_judge_mode
from alignscope.judges.modes.pairwise import judge_pairwise
from alignscope.judges.pairwise import pair_summary

register_judge_mode(
    JudgeMode(
        "criteria",
        kind="pair",
        judge=judge_pairwise,
        template="sos-bench-criteria",
        summarise=pair_summary,
        description="Per-criterion and overall verdicts between two answers, in both orders.",
    )
)
