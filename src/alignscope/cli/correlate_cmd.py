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
    from alignscope.report.correlate import correlate_report
    from alignscope.report.outputs import write_report_files, write_results

    meta = correlate_table(table, judges=judge, concrete=concrete, n_boot=n_boot, level=level, seed=seed)
    report = correlate_report(meta, table)
    outputs = write_report_files(report, out)
    write_results(meta.to_dict() | {"outputs": outputs}, out)
    print_table("verdicts", ["verdict"], [[v.text] for v in meta.verdicts], json_mode=json_out)
    (err_console if json_out else out_console).print(
        f"report: {outputs['html']}  (JSON and Parquet in {out})"
    )
    if json_out:
        emit_json(meta.to_dict() | {"outputs": outputs})
