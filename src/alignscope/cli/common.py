"""Output and run helpers shared by commands (their shared options: ``alignscope.cli.options``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from alignscope.api.runs import close_run, open_run
from alignscope.engine import Engine
from alignscope.store import RunStore

err_console = Console(stderr=True)
out_console = Console()


def open_store(workspace: Path | None) -> RunStore:
    """The run store of ``workspace`` (or the default one)."""
    return RunStore(workspace)


def emit_json(obj: dict[str, Any]) -> None:
    """The one JSON object of ``--json`` on stdout."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")


def print_table(title: str, columns: list[str], rows: list[list[Any]], *, json_mode: bool = False) -> None:
    """A rich table on stdout, or on stderr under --json so that stdout holds only the JSON object."""
    table = Table(title=title)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*[_fmt(v) for v in row])
    console(json_mode).print(table)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    return "" if v is None else str(v)


def begin_run(
    store: RunStore, command: str, config: dict[str, Any], run_id: str | None, *, progress: bool = True
) -> Engine:
    """Open (or resume) the run of ``config`` (``api.runs.open_run``), say which, and return its Engine."""
    engine, resumed = open_run(store, command, config, run_id, progress=progress)
    err_console.print(f"[dim]run {engine.run_id} ({'resumed' if resumed else 'new'}) in {store.path}[/dim]")
    return engine


def end_run(engine: Engine, summary: dict[str, Any], *, json_mode: bool) -> dict[str, Any]:
    """Store the run's summary (``api.runs.close_run``), print the call line, return the full summary."""
    full = close_run(engine, summary)
    print_calls(full, json_mode=json_mode)
    return full


def print_calls(summary: dict[str, Any], *, json_mode: bool) -> None:
    """The line every model-calling command ends with: calls made, from the cache, failed, retried."""
    s = summary["calls"]
    line = (
        f"model calls made: {s['calls_made']}, answered from cache: {s['cache_hits']}, "
        f"failures: {s['failures']}, retries: {s['retries']}"
    )
    console(json_mode).print(line)


def console(json_mode: bool) -> Console:
    """Where a command's human-readable lines go: stderr under --json (stdout holds only the JSON)."""
    return err_console if json_mode else out_console


def print_notes(notes: list[str]) -> None:
    """A command's notes (what could not be computed, and why), dimmed on stderr."""
    for note in notes:
        err_console.print(f"[dim]note: {note}[/dim]")


def finish(summary: dict[str, Any], *, json_mode: bool, result: dict[str, Any] | None = None) -> None:
    """The end of a model-calling command: the call line of ``summary`` and, under --json, ``result``
    (default: the summary itself)."""
    print_calls(summary, json_mode=json_mode)
    if json_mode:
        emit_json(summary if result is None else result)


def finish_report(html: Any, summary: dict[str, Any], result: dict[str, Any], *, json_mode: bool) -> None:
    """The end of a command that published a report: its path, the call line, and under --json ``result``."""
    console(json_mode).print(f"report: {html}")
    finish(summary, json_mode=json_mode, result=result)
