"""The typer options most commands share, as ``Annotated`` types (``from alignscope.cli import options as
opt``; ``workspace: opt.Workspace = None``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Workspace = Annotated[
    Path | None,
    typer.Option(
        "--workspace", "-w", help="Run store folder (default $ALIGNSCOPE_WORKSPACE or ./alignscope-runs)."
    ),
]
Json = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout; progress stays on stderr.")
]
Model = Annotated[
    list[str] | None,
    typer.Option(
        "--model",
        "-m",
        help="A model as BACKEND:MODEL[@BASE_URL[,BASE_URL...]] (e.g. hf:smollm2-135m, "
        "openai:my-model@http://127.0.0.1:8000/v1); repeatable.",
    ),
]
Limit = Annotated[int | None, typer.Option("--limit", help="Items per data set (seeded subset).")]
Seed = Annotated[int, typer.Option("--seed", help="Seed of subsets and sampling.")]
RunId = Annotated[str | None, typer.Option("--run-id", help="Run id (default: hash of the config).")]
ApiKeyEnv = Annotated[str | None, typer.Option(help="Environment variable with the API key.")]
ReportOut = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Folder for report.html, JSON and tables (default: reports/RUN)."),
]
