"""``alignscope audit``: judges vs concrete metrics across models, plus the published meta-analyses, as one
self-contained HTML report with JSON and Parquet of every table (``alignscope.auditing``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alignscope.api.audit import AuditResult
from alignscope.api.audit import audit as run_audit_api
from alignscope.cli import options as opt
from alignscope.cli.common import console, emit_json, print_table


def audit(
    config: Annotated[
        Path | None,
        typer.Argument(help="YAML audit config (models, judges, suites). Default: the embedded demo."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", help="Items per task and prompts of the judge data set (seeded subsets)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder for report.html, JSON and Parquet.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of subsets, sampling and bootstraps.")
    ] = None,
    max_tokens: Annotated[
        int | None,
        typer.Option("--max-tokens", help="Cap on every generated answer's tokens (judge prompts, tasks)."),
    ] = None,
    no_published: Annotated[
        bool, typer.Option("--no-published", help="Leave out the analyses of shipped published results.")
    ] = False,
    run_id: opt.RunId = None,
    workspace: opt.Workspace = None,
    json_out: opt.Json = False,
) -> None:
    """Evaluate models with LLM judges and concrete factors, correlate them, audit the judges, report."""
    result = run_audit_api(
        config, limit=limit, seed=seed, max_tokens=max_tokens, published=not no_published, out=out,
        run_id=run_id, workspace=workspace,
    )  # fmt: skip
    _print_summary(result, json_out)
    if json_out:
        emit_json(result.to_dict())
    if result.failed:
        raise typer.Exit(1)


def _print_summary(result: AuditResult, json_mode: bool) -> None:
    summary = result.to_dict()
    print_table(
        "stage timings",
        ["stage", "wall s", "cpu s"],
        [[s["stage"], s["wall_s"], s["cpu_s"]] for s in summary["stage_timings"]],
        json_mode=json_mode,
    )
    shown = [
        [v["part"], v["verdict"]]
        for v in summary["verdicts"]
        if not v["part"].startswith("published: alpaca")
    ]
    if summary["verdicts"]:
        print_table(
            "verdicts (all of them are in the report)", ["part", "verdict"], shown[:40], json_mode=json_mode
        )
    calls = summary["calls"]
    lines = console(json_mode)
    lines.print(
        f"model calls made: {calls['calls_made']}, answered from cache: {calls['cache_hits']}, failures: "
        f"{calls['failures']}; total {summary['total_wall_s']:.1f} s"
    )
    lines.print(f"report: {result.outputs['html']}  (JSON and Parquet in {summary['out']})")
