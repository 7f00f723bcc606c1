"""``alignscope correlate TABLE.csv``: the meta-analysis of per-model scores a user already has, with plots
and the HTML report; with per-model training metadata (columns of the table or ``--metadata META.csv``: base
model, SFT data set, SFT size, preference-optimisation method, stage), also what drives each score: a
regression of every judge and concrete column on the metadata, with CIs clustered by base model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from alignscope.analysis.drivers import CLUSTER, META_COLUMNS, DriverAnalysis
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
    metadata: Annotated[
        Path | None,
        typer.Option(
            "--metadata",
            help="CSV of per-model training metadata ('model' plus e.g. base_model, sft_dataset, sft_size, "
            "po_method, stage; default: those columns of TABLE). Empty cells are unknown (write 'none' for "
            "no preference optimisation).",
        ),
    ] = None,
    predictor: Annotated[
        list[str] | None,
        typer.Option(
            "--predictor",
            "-p",
            help="A metadata column to regress the scores on (default: stage, sft_size, po_method and "
            "base_model, where present; sft_size enters as log10).",
        ),
    ] = None,
    cluster: Annotated[
        str, typer.Option("--cluster", help="Metadata column whose models share errors (CI clusters).")
    ] = CLUSTER,
    json_out: JsonOpt = False,
) -> None:
    """Correlate judge-based scores with concrete scores across models (Spearman, Kendall, Pearson, CIs);
    with metadata, regress every score on it (cluster-robust CIs)."""
    from alignscope.analysis.meta import correlate_table, read_model_table
    from alignscope.report.correlate import correlate_report
    from alignscope.report.drivers import drivers_blocks
    from alignscope.report.outputs import write_report_files, write_results

    info = read_model_table(metadata or table, text=True).set_index("model")
    columns = list(info.columns) if metadata else [c for c in META_COLUMNS if c in info.columns]
    meta = correlate_table(
        table, judges=judge, concrete=concrete, n_boot=n_boot, level=level, seed=seed, metadata=columns
    )
    drivers = _drivers(meta.scores, info[columns], predictor, cluster, level, meta.judges + meta.concrete)
    report = correlate_report(meta, table)
    if drivers is not None:
        report.sections[0].blocks += drivers_blocks(drivers, "correlate_drivers", "What drives the scores")
    results = meta.to_dict() | ({"drivers": drivers.to_dict()} if drivers else {})
    outputs = write_report_files(report, out)
    write_results(results | {"outputs": outputs}, out)
    print_table("verdicts", ["verdict"], [[v.text] for v in meta.verdicts], json_mode=json_out)
    if drivers is not None:
        frame = drivers.frame()
        print_table(
            f"what drives the scores ({level * 100:g}% CIs; cluster: {drivers.cluster})",
            ["outcome", "term", "estimate", "CI low", "CI high", "p", "n", "covariance"],
            frame[
                ["outcome", "term", "estimate", "ci_low", "ci_high", "p_value", "n", "covariance"]
            ].values.tolist(),
            json_mode=json_out,
        )
    (err_console if json_out else out_console).print(
        f"report: {outputs['html']}  (JSON and Parquet in {out})"
    )
    if json_out:
        emit_json(results | {"outputs": outputs})


def _drivers(
    scores: pd.DataFrame,
    info: pd.DataFrame,
    predictors: list[str] | None,
    cluster: str,
    level: float,
    outcomes: list[str],
) -> DriverAnalysis | None:
    """The regressions on the metadata, or None when there is none and none was asked for."""
    from alignscope.analysis.drivers import fit_drivers

    default = [c for c in ("stage", "sft_size", "po_method", "base_model") if c in info.columns]
    chosen = predictors if predictors is not None else default
    if not chosen:
        return None
    return fit_drivers(
        scores, info, outcomes, chosen, cluster=cluster if cluster in info.columns else None, level=level
    )
