"""The report of ``alignscope bench``: concrete factor and vertical scores per model, with CIs."""

from __future__ import annotations

from collections.abc import Sequence

from alignscope.report.live_sections import factor_blocks
from alignscope.report.model import Report, Section
from alignscope.report.task_origins import task_origin_blocks
from alignscope.tasks.runner import BenchResult
from alignscope.tasks.suites import Missing


def bench_report(
    result: BenchResult,
    models: Sequence[str],
    limit: int | None,
    seed: int,
    facts: dict[str, str],
    missing: Sequence[Missing] = (),
) -> Report:
    """The report of a bench run of ``models`` (``limit`` seeded items per task, or all), with each task's
    origin and deviation and the SOS-Bench tasks ``missing`` for lack of data."""
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
                blocks=[*factor_blocks(result), *task_origin_blocks([t.task for t in result.tasks], missing)],
            )
        ],
    )
