"""AlpacaEval ``annotations.json``: rows of instruction, baseline output_1, model output_2, preference."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from alignscope.data.io import read_json
from alignscope.errors import DataError

REQUIRED = ("instruction", "output_1", "output_2", "generator_1", "generator_2", "preference")


def read_annotations(path: Path) -> pd.DataFrame:
    """Annotations as a DataFrame with at least the REQUIRED columns.

    ``preference`` is AlpacaEval's scale: 1 = output_1 preferred, 2 = output_2 preferred, continuous in
    between for weighted (logprob) annotators; rows whose preference is missing (annotation failures) are
    kept as NaN.
    ``path`` may be gzip-compressed.
    """
    rows = read_json(path)
    if not isinstance(rows, list) or (rows and not isinstance(rows[0], dict)):
        raise DataError("expected a JSON list of annotation objects", where=str(path))
    df = pd.DataFrame(rows)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise DataError(f"missing field(s) {', '.join(missing)} (AlpacaEval annotations)", where=str(path))
    df["preference"] = pd.to_numeric(df["preference"], errors="coerce")
    bad = df["preference"].notna() & ~df["preference"].between(0.0, 2.0 + 1e-6)
    if bad.any():
        row = int(bad.idxmax())
        raise DataError(f"row {row}: preference {df.at[row, 'preference']} outside [1, 2]", where=str(path))
    return df
