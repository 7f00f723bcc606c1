"""A run's report outputs: write report.html, report.json, results.json and a Parquet file per table into a
folder; store the Report with its run, and read it back (``alignscope report RUN`` rebuilds from it)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alignscope.errors import DataError, UserError
from alignscope.report.html import write_html
from alignscope.report.model import Report, Table
from alignscope.store import RunStore

HTML_FILE = "report.html"
REPORT_FILE = "report.json"
RESULTS_FILE = "results.json"
TABLES_DIR = "tables"
REPORT_ARTIFACT = "report"


def jsonable(obj: Any) -> Any:
    """``obj`` with numpy/pandas scalars as Python ones, NaN and infinities as None, tuples as lists."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, pd.DataFrame):
        return jsonable(obj.to_dict(orient="records"))
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def table_frame(table: Table) -> pd.DataFrame:
    """A report table as a DataFrame whose columns Parquet can store (mixed-type columns become text)."""
    frame = pd.DataFrame(table.rows, columns=table.columns)
    for column in frame.columns:
        values = frame[column].dropna()
        kinds = {type(v) for v in values}
        if len(kinds) > 1 and not kinds <= {int, float}:
            frame[column] = frame[column].map(lambda v: None if v is None else str(v))
    return frame


def _unique_names(tables: list[Table]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for table in tables:
        count = seen.get(table.name, 0)
        seen[table.name] = count + 1
        names.append(table.name if count == 0 else f"{table.name}_{count + 1}")
    return names


def write_report_files(report: Report, out_dir: Path) -> dict[str, Any]:
    """Write the report (HTML and JSON) and every table as Parquet; returns the paths written."""
    try:
        (out_dir / TABLES_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the output folder ({exc.strerror})", where=str(out_dir)) from None
    html = write_html(report, out_dir / HTML_FILE)
    (out_dir / REPORT_FILE).write_text(report.model_dump_json(), encoding="utf-8")
    tables = report.tables()
    parquet = []
    for table, name in zip(tables, _unique_names(tables), strict=True):
        path = out_dir / TABLES_DIR / f"{name}.parquet"
        table_frame(table).to_parquet(path, index=False)
        parquet.append(str(path))
    return {
        "html": str(html),
        "report_json": str(out_dir / REPORT_FILE),
        "tables": parquet,
        "results_json": str(out_dir / RESULTS_FILE),
    }


def publish_report(store: RunStore, run_id: str, report: Report, out_dir: Path) -> dict[str, Any]:
    """Write the report's files into ``out_dir`` and store the Report with run ``run_id`` (so that
    ``alignscope report RUN`` rebuilds it); returns the paths written."""
    outputs = write_report_files(report, out_dir)
    store.put_artifact(run_id, REPORT_ARTIFACT, report.model_dump(mode="json"))
    return outputs


def write_results(results: dict[str, Any], out_dir: Path) -> Path:
    """Write ``results`` (made JSON-safe) as results.json; returns its path."""
    path = out_dir / RESULTS_FILE
    path.write_text(json.dumps(jsonable(results), indent=2), encoding="utf-8")
    return path


def stored_report(store: RunStore, run_id: str) -> Report:
    """The Report stored with run ``run_id``; UserError if the run has none."""
    run = store.get_run(run_id)
    body = store.get_artifact(run_id, REPORT_ARTIFACT)
    if body is None:
        raise UserError(
            f"run '{run_id}' ({run['command']}) has no stored report; "
            "runs of `alignscope audit`, `bench` and `train meta-rewarding` store one"
        )
    try:
        return Report.model_validate(body)
    except ValueError as exc:
        raise DataError(
            f"the stored report of run '{run_id}' is unreadable ({str(exc).splitlines()[0]})"
        ) from None
