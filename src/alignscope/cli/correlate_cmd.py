"""``alignscope correlate TABLE.csv``: the meta-analysis of per-model scores a user already has, with plots
and the HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alignscope.cli.common import JsonOpt, emit_json, err_console, out_console, print_table


def correlate(
    table: Annotated[
        Path, typer.Argument(help="CSV with a 'model' column and one numeric column per score.")
    ],
    judge: Annotated[
        list[str] | None,
        typer.Option(
            "--judge", "-j", help="A judge-based column (default: headers starting 'judge:' or 'judge_')."
        ),
    ] = None,
    concrete: Annotated[
        list[str] | None,
        typer.Option("--concrete", "-c", help="A concrete column (default: every other column)."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for report.html, JSON and Parquet.")
    ] = Path("alignscope-correlate"),
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap rounds.")] = 2000,
    level: Annotated[float, typer.Option("--level", help="Confidence level of the CIs.")] = 0.95,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 0,
    json_out: JsonOpt = False,
) -> None:
    """Correlate judge-based scores with concrete scores across models (Spearman, Kendall, Pearson, CIs)."""
    from alignscope.analysis.meta import correlate_table
    from alignscope.report.model import Report, Section
    from alignscope.report.outputs import write_report_files, write_results
    from alignscope.report.sections import meta_blocks, scores_table

    meta = correlate_table(table, judges=judge, concrete=concrete, n_boot=n_boot, level=level, seed=seed)
    section = Section(
        id="correlate",
        title=f"Do the judge-based scores of {table.name} track its concrete scores?",
        origin="user",
        source=f"{table} ({len(meta.scores)} models)",
        blocks=[*meta_blocks(meta, "correlate"), scores_table(meta, "correlate_scores", "The table as read")],
    )
    report = Report(
        title="alignscope correlate",
        subtitle="Rank correlations across models of judge-based with concrete scores, bootstrap CIs.",
        facts={
            "table": str(table),
            "judge columns": ", ".join(meta.judges),
            "concrete columns": ", ".join(meta.concrete),
        },
        sections=[section],
    )
    outputs = write_report_files(report, out)
    write_results(meta.to_dict() | {"outputs": outputs}, out)
    print_table("verdicts", ["verdict"], [[v.text] for v in meta.verdicts], json_mode=json_out)
    (err_console if json_out else out_console).print(
        f"report: {outputs['html']}  (JSON and Parquet in {out})"
    )
    if json_out:
        emit_json(meta.to_dict() | {"outputs": outputs})
