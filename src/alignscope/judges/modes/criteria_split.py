"""Mode ``criteria-split`` (SOS-Bench's criteria, one call each): per pair and order, the judge gives a
verdict on each of correctness, completeness, safety, conciseness and style, then overall, each in its own
call (template ``sos-bench-criterion``: A, B or C for a tie), so that small judges give every verdict from
next-token probabilities. The Judgment is the overall verdict with the criterion verdicts in
``fields["criteria"]`` (and their label probabilities in ``fields["criteria_probs"]`` with logprob verdicts),
as the ``criteria`` mode stores them. The first turn is judged."""

from __future__ import annotations

from alignscope.judges.calls import JudgeCall, run_calls
from alignscope.judges.context import answers_of, turn_variables
from alignscope.judges.modes import judge_mode
from alignscope.judges.pairwise import pair_summary
from alignscope.judges.parsing import CRITERIA
from alignscope.judges.run import JudgeJob
from alignscope.records import Judgment

OVERALL = "overall"
ASKED = (*CRITERIA, OVERALL)


@judge_mode("criteria-split", kind="pair", template="sos-bench-criterion", summarise=pair_summary)
def judge_criteria_split(job: JudgeJob) -> list[Judgment]:
    """Each criterion, then overall, asked separately for two answers, in both orders."""
    spec, template = job.spec, job.template()
    calls = []
    for pair in job.pairs():
        orders = [(pair.first, pair.second, False)] + ([(pair.second, pair.first, True)] if spec.swap else [])
        for gen_a, gen_b, swapped in orders:
            variables = turn_variables(pair.item, 1, a=answers_of(gen_a), b=answers_of(gen_b))
            for name in ASKED:
                messages = template.render(**variables, criterion=name, logprob=spec.verdict == "logprob")
                fields = {"turn": 1, "criterion": name}
                calls.append(
                    JudgeCall(messages, template, pair.item, gen_a.model, gen_b.model, swapped, 0, fields)
                )
    verdicts = run_calls(job.engine, job.backend, spec, calls, "criteria")
    return [_merge(verdicts[k : k + len(ASKED)]) for k in range(0, len(verdicts), len(ASKED))]


def _merge(group: list[Judgment]) -> Judgment:
    """One Judgment from the criterion verdicts and the overall one (failed if any failed)."""
    *criteria, overall = group
    fields = {k: v for k, v in overall.fields.items() if k != "criterion"}
    fields["criteria"] = {c.fields["criterion"]: c.verdict for c in criteria if c.parse_status != "failed"}
    if any("label_probs" in c.fields for c in criteria):
        fields["criteria_probs"] = {c.fields["criterion"]: c.fields.get("label_probs") for c in criteria}
    failed = [c.fields["criterion"] for c in group if c.parse_status == "failed"]
    if failed:
        reasons = "; ".join(
            f"{c.fields['criterion']}: {c.fields.get('error', 'no verdict')}"
            for c in group
            if c.parse_status == "failed"
        )
        fields |= {"failure": "parse", "error": reasons}
        return overall.model_copy(update={"fields": fields, "parse_status": "failed"})
    return overall.model_copy(update={"fields": fields})
