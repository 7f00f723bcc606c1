"""The report of ``alignscope correlate``: the meta-analysis of a per-model table the user gave."""

from __future__ import annotations

from pathlib import Path

from alignscope.analysis.meta import MetaAnalysis
from alignscope.report.model import Report, Section
from alignscope.report.sections import meta_analysis_blocks, scores_table


def correlate_report(meta: MetaAnalysis, table: Path) -> Report:
    """The report of ``meta``, the meta-analysis of the per-model scores read from ``table``."""
    section = Section(
        id="correlate",
        title=f"Do the judge-based scores of {table.name} track its concrete scores?",
        origin="user",
        source=f"{table} ({len(meta.scores)} models)",
        blocks=[
            *meta_analysis_blocks(meta, "correlate"),
            scores_table(meta, "correlate_scores", "The table as read"),
        ],
    )
    return Report(
        title="alignscope correlate",
        subtitle="Rank correlations across models of judge-based with concrete scores, bootstrap CIs.",
        facts={
            "table": str(table),
            "judge columns": ", ".join(meta.judges),
            "concrete columns": ", ".join(meta.concrete),
        },
        sections=[section],
    )
