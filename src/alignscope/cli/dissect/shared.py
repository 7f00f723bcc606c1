"""Options the ``dissect`` commands share (the weights they read and their JSON results:
``alignscope.api.dissect``; the run options of those that call a model)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from alignscope.cli import options as opt

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


@dataclass(frozen=True)
class ModelRunOptions:
    """The options of a dissect command that calls a model: its ``--api-key-env``, the seeded subset of the
    data (``--limit``, ``--seed``) and the ``--run-id``."""

    api_key_env: opt.ApiKeyEnv = None
    limit: opt.Limit = None
    seed: opt.Seed = 0
    run_id: opt.RunId = None
