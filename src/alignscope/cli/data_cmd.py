"""``alignscope data list``: every data set with its licence, source and whether it is here;
``alignscope data add NAME PATH``: use your own copy of a set alignscope does not ship (GPQA, MuSR, WMDP...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alignscope.cli import options as opt
from alignscope.cli.common import emit_json, out_console, print_table
from alignscope.data import list_datasets
from alignscope.errors import DataError

app = typer.Typer(
    help="Data sets: bundled, and your own copies of sets alignscope does not ship.", no_args_is_help=True
)


@app.command("list")
def list_sets(json_out: opt.Json = False) -> None:
    """Name, rows, licence, source and status (bundled, your copy, or bring your own) of every data set."""
    rows = []
    for d in list_datasets():
        status = d.status()
        rows.append(
            {
                "name": d.name,
                "rows": len(d.items()) if status.present else None,
                "licence": d.licence,
                "source": d.source,
                "status": status.where,
                "how_to_add": status.how or None,
                "description": d.description,
            }
        )
    if json_out:
        emit_json({"datasets": rows})
        return
    print_table(
        "data sets",
        ["name", "rows", "status", "licence", "source", "description"],
        [[r["name"], r["rows"], r["status"], r["licence"], r["source"], r["description"]] for r in rows],
    )
    if any(r["how_to_add"] for r in rows):
        out_console.print("Add your own copy of a set with: alignscope data add NAME PATH (see --help).")


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A set to bring (e.g. gpqa, musr, wmdp, wildguardtest).")],
    path: Annotated[
        Path, typer.Argument(help="Your copy: a JSONL/JSON/CSV/Parquet file or a `save_to_disk` folder.")
    ],
    json_out: opt.Json = False,
) -> None:
    """Record PATH as your copy of NAME (nothing is copied) after reading every set that uses it; the tasks
    on those sets then join their suites (``bench sos``). The record lives in
    $ALIGNSCOPE_DATA_DIR/sources.json (default ~/.alignscope/data)."""
    from alignscope.data.byo import added_sources, record_source

    if not path.exists():
        raise DataError("no such file or folder", where=str(path))
    users = [d for d in list_datasets() if d.copy is not None and name in (d.name, d.copy)]
    if not users:
        brought = sorted(
            {d.copy for d in list_datasets() if d.copy} | {d.name for d in list_datasets() if d.copy}
        )
        raise DataError(f"'{name}' is not a set to bring (choose {', '.join(brought)})")
    previous = added_sources().get(name)
    sources = record_source(name, path)
    try:
        counts = {info.name: len(info.items()) for info in users if info.status().present}
        if not counts:
            parts = ", ".join(info.part or info.name for info in users)
            raise DataError(f"holds none of {name}'s parts ({parts})", where=str(path))
    except DataError:
        record_source(name, None if previous is None else Path(previous))
        raise
    if json_out:
        emit_json({"name": name, "path": str(path.resolve()), "rows": counts, "sources": str(sources)})
        return
    print_table(f"{name}: {path}", ["data set", "rows"], [[k, v] for k, v in counts.items()])
    out_console.print(f"recorded in {sources}")
