"""Report blocks saying where each task of a run comes from (SOS-Bench benchmark, lm-eval task), how it
deviates from that protocol, and which SOS-Bench tasks could not run for lack of data."""

from __future__ import annotations

from collections.abc import Sequence

from alignscope.report.model import Block, Table
from alignscope.tasks.registry import get_task
from alignscope.tasks.suites import Missing, origin_text


def task_origin_blocks(task_names: Sequence[str], missing: Sequence[Missing]) -> list[Block]:
    """A table of the run's tasks with origin and deviation, and one of the SOS-Bench tasks not run."""
    tasks = [get_task(name) for name in dict.fromkeys(task_names)]
    blocks: list[Block] = [
        Table(
            name="task_origins",
            caption="Where each task comes from and how it deviates from that protocol",
            columns=["task", "origin", "deviation"],
            rows=[[t.name, origin_text(t) or "alignscope", t.deviation or ""] for t in tasks],
            long_text=True,
        )
    ]
    if missing:
        blocks.append(
            Table(
                name="sos_missing",
                caption="SOS-Bench tasks not run: no data here (their factors average the tasks that ran)",
                columns=["benchmark", "lm-eval task", "how to add it"],
                rows=[[m.benchmark, m.lm_eval, m.reason] for m in missing],
                long_text=True,
            )
        )
    return blocks
