"""Export stored records to Parquet or JSONL for pandas / DuckDB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from alignscope.errors import UserError
from alignscope.store.sqlite import TABLES, RunStore

# Free-form nested fields are kept as JSON text so that every row has the same Parquet schema.
JSON_COLUMNS = ("fields", "logprobs", "target")


def flatten(body: dict[str, Any]) -> dict[str, Any]:
    """One record as a flat row: provenance fields prefixed ``prov_``, free-form fields as JSON text."""
    row = {k: v for k, v in body.items() if k != "provenance"}
    for k, v in (body.get("provenance") or {}).items():
        row[f"prov_{k}"] = json.dumps(v, sort_keys=True) if isinstance(v, dict) else v
    for col in JSON_COLUMNS:
        if col in row and row[col] is not None:
            row[col] = json.dumps(row[col], sort_keys=True)
    return row


def records_frame(store: RunStore, table: str, run_id: str | None = None) -> pd.DataFrame:
    """All records of ``table`` (optionally one run) as a flat DataFrame."""
    return pd.DataFrame([flatten(json.loads(b)) for b in store.bodies(table, run_id)])


def export_run(store: RunStore, run_id: str, out_dir: Path, fmt: str = "parquet") -> list[Path]:
    """Write each non-empty record table of ``run_id`` to ``out_dir`` (Parquet or JSONL); return the paths."""
    if fmt not in ("parquet", "jsonl"):
        raise UserError(f"unknown export format '{fmt}' (choose parquet, jsonl)")
    store.get_run(run_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in TABLES:
        if fmt == "jsonl":
            bodies = store.bodies(table, run_id)
            if not bodies:
                continue
            path = out_dir / f"{table}.jsonl"
            path.write_text("".join(b + "\n" for b in bodies), encoding="utf-8")
        else:
            df = records_frame(store, table, run_id)
            if df.empty:
                continue
            path = out_dir / f"{table}.parquet"
            df.to_parquet(path, index=False)
        paths.append(path)
    return paths
