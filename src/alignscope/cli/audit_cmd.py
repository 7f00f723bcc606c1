"""``alignscope audit``: judges vs concrete metrics across models, plus the published meta-analyses, as one
self-contained HTML report with JSON and Parquet of every table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from alignscope.cli.common import (
    JsonOpt,
    RunIdOpt,
    WorkspaceOpt,
    emit_json,
    err_console,
    open_store,
    out_console,
    print_table,
)

if TYPE_CHECKING:
    from alignscope.audit.run import AuditOutcome


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
    run_id: RunIdOpt = None,
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Evaluate models with LLM judges and concrete factors, correlate them, audit the judges, report."""
    from alignscope.audit.config import load_audit_config, with_overrides
    from alignscope.audit.default import default_config
    from alignscope.audit.run import run_audit

    base = load_audit_config(config) if config is not None else default_config(limit, seed or 0)
    cfg = with_overrides(
        base,
        limit=limit,
        seed=seed,
        out=str(out) if out else None,
        max_tokens=max_tokens,
        published=False if no_published else None,
        where=str(config or "command line"),
    )
    store = open_store(workspace)
    command = "alignscope audit" + (f" {config}" if config else "")
    outcome = run_audit(cfg, store, run_id=run_id, command=command, progress=True)
    _print_summary(outcome, json_out)
    if json_out:
        emit_json(_json_summary(outcome))
    if outcome.failures:
        raise typer.Exit(1)


def _verdicts(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    live = (results.get("live") or {}).get("meta_analysis")
    if live:
        rows += [["live", v] for v in live["verdicts"]]
    for name, part in (results.get("published") or {}).items():
        rows += [[f"published: {name}", v] for v in part.get("verdicts", [])]
    return rows


def _print_summary(outcome: AuditOutcome, json_mode: bool) -> None:
    results = outcome.results
    print_table(
        "stage timings",
        ["stage", "wall s", "cpu s"],
        [[s["stage"], s["wall_s"], s["cpu_s"]] for s in results["stage_timings"]],
        json_mode=json_mode,
    )
    rows = _verdicts(results)
    if rows:
        shown = [r for r in rows if not r[0].startswith("published: alpaca")][:40]
        print_table(
            "verdicts (all of them are in the report)", ["part", "verdict"], shown, json_mode=json_mode
        )
    calls = results["calls"]
    console = err_console if json_mode else out_console
    console.print(
        f"model calls made: {calls['calls_made']}, answered from cache: {calls['cache_hits']}, failures: "
        f"{calls['failures']}; total {results['total_wall_s']:.1f} s"
    )
    console.print(f"report: {outcome.outputs['html']}  (JSON and Parquet in {outcome.out_dir})")


def _json_summary(outcome: AuditOutcome) -> dict[str, Any]:
    results = outcome.results
    return {
        "run_id": outcome.run_id,
        "out": str(outcome.out_dir),
        "outputs": outcome.outputs,
        "stage_timings": results["stage_timings"],
        "total_wall_s": results["total_wall_s"],
        "calls": results["calls"],
        "verdicts": [{"part": part, "verdict": text} for part, text in _verdicts(results)],
    }
