"""``alignscope runs list|show|export``: what the run store holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from alignscope.cli import options as opt
from alignscope.cli.common import emit_json, open_store, out_console, print_table
from alignscope.store.export import export_run

app = typer.Typer(help="List, show and export stored runs.", no_args_is_help=True)


def _when(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


@app.command("list")
def list_runs(workspace: opt.Workspace = None, json_out: opt.Json = False) -> None:
    """Runs in the store, newest first, with their record counts."""
    runs = open_store(workspace).list_runs()
    if json_out:
        emit_json({"runs": runs})
        return
    print_table(
        "runs",
        ["run", "command", "status", "created", "generations", "judgments", "scores"],
        [
            [
                r["run_id"],
                r["command"],
                r["status"],
                _when(r["created"]),
                r["generations"],
                r["judgments"],
                r["scores"],
            ]
            for r in runs
        ],
    )


@app.command("show")
def show_run(run_id: str, workspace: opt.Workspace = None, json_out: opt.Json = False) -> None:
    """One run: its config, summary and failed calls."""
    store = open_store(workspace)
    run = store.get_run(run_id)
    run["failures"] = store.failures(run_id)
    if json_out:
        emit_json(run)
        return
    out_console.print(
        f"[bold]{run_id}[/bold]  {run['command']}  {run['status']}  created {_when(run['created'])}"
    )
    out_console.print_json(data={"config": run["config"], "summary": run["summary"]})
    for f in run["failures"]:
        out_console.print(
            f"[red]failed[/red] {f['kind']} {f['model']} after {f['attempts']} attempts: {f['error']}"
        )


@app.command("export")
def export(
    run_id: str,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write to.")] = Path("export"),
    fmt: Annotated[str, typer.Option("--format", "-f", help="parquet or jsonl")] = "parquet",
    workspace: opt.Workspace = None,
    json_out: opt.Json = False,
) -> None:
    """Write a run's Generations, Judgments and Scores to Parquet or JSONL files."""
    paths = export_run(open_store(workspace), run_id, out, fmt)
    if json_out:
        emit_json({"run_id": run_id, "files": [str(p) for p in paths]})
        return
    for p in paths:
        out_console.print(str(p))
