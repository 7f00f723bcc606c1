"""Options the ``dissect`` commands share (the weights they read and their JSON results:
``alignscope.api.dissect``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

OutOpt = Annotated[Path | None, typer.Option("--out", help="Folder for JSON/Parquet results and SVG plots.")]
WeightsOpt = Annotated[
    Path | None,
    typer.Option(
        "--weights",
        help="Fitted weights: the fit.json or fit.parquet of `dissect fit --out`, or a CSV/Parquet with "
        "scenario, source and one column per property (default: the original's released weights).",
    ),
]
ScenarioOpt = Annotated[
    list[str] | None,
    typer.Option("--scenario", help="Scenario(s) to average over (default: the original's 11, else all)."),
]
