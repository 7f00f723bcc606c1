"""``alignscope correlate TABLE.csv`` (and/or ``--from inspect:PATH``, ``--from lm-eval:PATH``): the
meta-analysis of per-model scores a user already has, with plots and the HTML report
(``alignscope.correlate``); with per-model training metadata (columns of the table or ``--metadata
META.csv``: base model, SFT data set, SFT size, preference-optimisation method, stage), also what drives
each score: a regression of every judge and concrete column on the metadata, with CIs clustered by base
model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alignscope.analysis.drivers import CLUSTER
from alignscope.api.correlate import correlate as correlate_scores
from alignscope.cli import options as opt
from alignscope.cli.common import console, emit_json, print_table
from alignscope.cli.eval_log_option import from_logs_option


def correlate(
    table: Annotated[
        Path | None, typer.Argument(help="CSV with a 'model' column and one numeric column per score.")
    ] = None,
    from_logs: Annotated[
        list[str] | None,
        from_logs_option("Per-model scores (each TASK/METRIC a column, joined with TABLE by model) of"),
    ] = None,
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
    json_out: opt.Json = False,
) -> None:
    """Correlate judge-based scores with concrete scores across models (Spearman, Kendall, Pearson, CIs);
    with metadata, regress every score on it (cluster-robust CIs)."""
    result = correlate_scores(
        table, from_logs=from_logs or (), judge=judge, concrete=concrete, metadata=metadata,
        predictor=predictor, cluster=cluster, n_boot=n_boot, level=level, seed=seed, out=out,
    )  # fmt: skip
    print_table("verdicts", ["verdict"], [[v] for v in result.verdicts], json_mode=json_out)
    if result.drivers is not None:
        frame = result.driver_table
        print_table(
            f"what drives the scores ({level * 100:g}% CIs; cluster: {result.drivers.cluster})",
            ["outcome", "term", "estimate", "CI low", "CI high", "p", "n", "covariance"],
            frame[
                ["outcome", "term", "estimate", "ci_low", "ci_high", "p_value", "n", "covariance"]
            ].values.tolist(),
            json_mode=json_out,
        )
    console(json_out).print(f"report: {result.outputs['html']}  (JSON and Parquet in {out})")
    if json_out:
        emit_json(result.to_dict())
