"""``alignscope data list``: the bundled data sets with their licences and sources."""

from __future__ import annotations

import typer

from alignscope.cli.common import JsonOpt, emit_json, print_table
from alignscope.data import list_datasets

app = typer.Typer(help="Bundled data sets.", no_args_is_help=True)


@app.command("list")
def list_sets(json_out: JsonOpt = False) -> None:
    """Name, rows, licence and source of every bundled data set."""
    rows = [
        {
            "name": d.name,
            "rows": len(d.items()),
            "licence": d.licence,
            "source": d.source,
            "description": d.description,
        }
        for d in list_datasets()
    ]
    if json_out:
        emit_json({"datasets": rows})
        return
    print_table(
        "bundled data sets",
        ["name", "rows", "licence", "source", "description"],
        [[r["name"], r["rows"], r["licence"], r["source"], r["description"]] for r in rows],
    )
