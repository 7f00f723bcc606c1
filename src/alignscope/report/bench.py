"""The report of ``alignscope bench``: concrete factor and vertical scores per model, with CIs."""

from __future__ import annotations

from collections.abc import Sequence

from alignscope.report.live_sections import factor_blocks
from alignscope.report.model import Report, Section
from alignscope.tasks.runner import BenchResult


def bench_report(
    result: BenchResult, models: Sequence[str], limit: int | None, seed: int, facts: dict[str, str]
) -> Report:
    """The report of a bench run of ``models`` (``limit`` seeded items per task, or all)."""
    items = f"{limit} seeded items per task (seed {seed})" if limit else "every item of each task"
    return Report(
        title="alignscope bench: concrete alignment metrics",
        subtitle="Ground truth without a judge: knowledge, instruction following, safety, trust verticals.",
        facts=facts,
        sections=[
            Section(
                id="factors",
                title="Concrete factor scores",
                origin="live",
                source=f"Model(s): {', '.join(models)}; {items}; small n means wide CIs.",
                blocks=factor_blocks(result),
            )
        ],
    )
