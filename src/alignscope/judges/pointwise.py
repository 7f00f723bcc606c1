"""Pointwise judging (MT-Bench single-answer grading, 1-10): one Judgment per answer and judged turn, with the
reference-answer template where the item has a reference, and the multi-turn template for later turns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from alignscope.backends.base import Backend
from alignscope.engine.runner import Engine
from alignscope.judges.calls import JudgeCall, run_calls
from alignscope.judges.config import JudgeSpec
from alignscope.judges.context import answers_of, judged_turns, turn_variables
from alignscope.judges.templates import JudgeTemplate
from alignscope.records import Generation, Item, Judgment


def answer_calls(
    spec: JudgeSpec,
    base: JudgeTemplate,
    items: Mapping[tuple[str, str], Item],
    generations: Sequence[Generation],
    samples: int = 1,
) -> list[JudgeCall]:
    """The judge calls of single answers: per generation, judged turn and sample (``items`` keyed by
    (dataset, item id))."""
    calls = []
    for gen in generations:
        item = items[(gen.dataset, gen.item_id)]
        answers = answers_of(gen)
        plan = judged_turns(
            base,
            item,
            len(answers),
            all_turns=spec.turns == "all",
            use_reference=spec.use_reference,
            user_templates=spec.templates,
        )
        for turn, template in plan:
            messages = template.render(
                **turn_variables(item, turn, _=answers), logprob=spec.verdict == "logprob"
            )
            for sample in range(samples):
                calls.append(
                    JudgeCall(messages, template, item, gen.model, sample=sample, fields={"turn": turn})
                )
    return calls


def judge_answers(
    engine: Engine,
    backend: Backend,
    spec: JudgeSpec,
    base: JudgeTemplate,
    items: Mapping[tuple[str, str], Item],
    generations: Sequence[Generation],
    desc: str = "judge",
) -> list[Judgment]:
    """Pointwise Judgments (``score`` = the rating) of every answer, failures included."""
    return run_calls(
        engine, backend, spec, answer_calls(spec, base, items, generations, spec.n_samples), desc
    )


def score_summary(judgments: Sequence[Judgment]) -> dict[str, Any]:
    """One model's ``mean_score`` over its parsed scores (None when none parsed)."""
    scores = [j.score for j in judgments if j.parse_status != "failed" and j.score is not None]
    return {"mean_score": sum(scores) / len(scores) if scores else None}
