"""What the ``dissect`` commands share: options, the weights they read, and writing a JSON result that lists
its files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
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


def load_weights(path: Path | None) -> pd.DataFrame:
    """The weights at ``path`` (see WeightsOpt), or the original's released weights."""
    from alignscope.analysis.dissection.released import load_released_weights
    from alignscope.analysis.dissection.table import read_weights

    return load_released_weights() if path is None else read_weights(path)


def write_result(path: Path, result: dict[str, Any], files: Sequence[Path]) -> list[str]:
    """Write ``result`` to ``path`` as JSON, listing under ``files`` the paths of ``path`` and ``files``;
    return that list."""
    paths = [str(path), *(str(f) for f in files)]
    path.write_text(json.dumps({**result, "files": paths}, indent=2, default=str), encoding="utf-8")
    return paths
