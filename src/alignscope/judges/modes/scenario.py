"""Mode ``scenario`` ("Dissecting Human and LLM Preferences"): each query (an Item's first user turn) is
labelled with one scenario group by a classifier prompt over the groups' scenario definitions (template
``scenario-groups``); with logprob verdicts the label is the most probable group letter, so it never fails to
parse. The verdict is the group; ``label_probs`` holds the distribution over the letters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from alignscope.judges.calls import JudgeCall, run_calls
from alignscope.judges.context import turn_variables
from alignscope.judges.modes import judge_mode
from alignscope.judges.run import JudgeJob
from alignscope.records import Judgment

QUERY = "query"


def scenario_group(j: Judgment) -> str:
    """What a scenario Judgment counts under: its group (``failed`` without a verdict)."""
    return j.verdict or "failed"


def query_variant(j: Judgment) -> str:
    """One scenario Judgment per query and classifier."""
    return "scenario"


def group_counts(judgments: Sequence[Judgment]) -> dict[str, Any]:
    """How many queries went to each group (a group's summary row holds one group)."""
    return {"queries": dict(Counter(scenario_group(j) for j in judgments))}


@judge_mode(
    "scenario",
    kind="annotator",
    template="scenario-groups",
    summarise=group_counts,
    subject=scenario_group,
    variant=query_variant,
)
def classify_queries(job: JudgeJob) -> list[Judgment]:
    """The scenario group of each query (no answers needed)."""
    template = job.template()
    logprob = job.spec.verdict == "logprob"
    calls = [
        JudgeCall(template.render(**turn_variables(item, 1), logprob=logprob), template, item, QUERY)
        for item in job.inputs.items.values()
    ]
    return run_calls(job.engine, job.backend, job.spec, calls, "scenario")
