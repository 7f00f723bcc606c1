"""The report's task provenance: each task's origin and deviation, and the SOS-Bench tasks not run."""

from __future__ import annotations

from alignscope.report.model import Table
from alignscope.report.task_origins import task_origin_blocks
from alignscope.tasks.suites import missing_sos


def test_origins_deviations_and_missing_tasks(own_data_dir) -> None:
    missing = missing_sos()
    origins, gaps = task_origin_blocks(["ifeval", "mmlu", "ifeval"], missing)
    assert isinstance(origins, Table) and isinstance(gaps, Table)
    rows = {r[0]: r for r in origins.rows}
    assert list(rows) == ["ifeval", "mmlu"]
    assert (
        rows["ifeval"][1] == "SOS-Bench IFEval; lm-eval leaderboard_ifeval"
        and "prompt-level" in rows["ifeval"][2]
    )
    assert rows["mmlu"][1:] == ["alignscope", ""]
    assert [r[0] for r in gaps.rows] == [m.benchmark for m in missing] and "GPQA" in {r[0] for r in gaps.rows}
    assert task_origin_blocks(["mmlu"], []) == [origins.model_copy(update={"rows": [rows["mmlu"]]})]
