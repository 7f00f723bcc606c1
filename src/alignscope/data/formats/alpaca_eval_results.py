"""AlpacaEval result files by path (annotations of several models, leaderboards) and their bundled copies.

Annotations become the ``pairs`` table of :mod:`alignscope.analysis.winrate` and
:mod:`alignscope.analysis.length_control`: AlpacaEval shows the baseline as ``output_1`` and the judged model
as ``output_2``; ``preference`` 1 means the baseline won, 2 the model, 0 or 1.5 a draw, anything else no
verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alignscope.data.formats.alpaca_eval import read_annotations
from alignscope.data.io import read_json
from alignscope.data.registry import BUNDLED_ROOT, bundled_path
from alignscope.errors import DataError

FOLDER = "alpaca_eval"
BASELINE = "gpt4_1106_preview"
ANNOTATOR = "weighted_alpaca_eval_gpt4_turbo"
LEADERBOARD_FILE = f"{ANNOTATOR}_leaderboard.csv.gz"
LC_WEIGHTS_FILE = f"lc_weights_{ANNOTATOR}.csv.gz"
EVALUATORS_FILE = "evaluators_leaderboard.csv.gz"
BENCHMARKS_FILE = "benchmarks.csv.gz"
DIFFICULTY_FILE = "instruction_difficulty.csv.gz"
PAIR_COLUMNS = ["model", "baseline", "instruction", "p_win", "len_model", "len_baseline"]


def model_name_from_path(path: Path) -> str:
    """``results/MODEL/ANNOTATOR/annotations.json`` -> MODEL; ``MODEL.json(.gz)`` -> MODEL."""
    name = path.name.removesuffix(".gz").removesuffix(".json")
    if name == "annotations" and len(path.parts) >= 3:
        return path.parent.parent.name
    return name


def read_annotation_files(paths: Iterable[Path | str]) -> pd.DataFrame:
    """Annotations of several files in one table with a ``model`` column named after each file (see above)."""
    frames = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise DataError("no such annotations file", where=str(path))
        df = read_annotations(path)
        df["model"] = model_name_from_path(path)
        frames.append(df)
    if not frames:
        raise DataError("no AlpacaEval annotation files given")
    return pd.concat(frames, ignore_index=True)


def annotations_to_pairs(annotations: pd.DataFrame) -> pd.DataFrame:
    """The ``pairs`` table (model, baseline, instruction, p_win, len_model, len_baseline) of annotations.

    ``model`` defaults to ``generator_2`` when the table has no ``model`` column; lengths are in characters,
    as AlpacaEval measures them.
    """
    missing = [
        c
        for c in ("instruction", "output_1", "output_2", "generator_1", "preference")
        if c not in annotations
    ]
    if missing:
        raise DataError(f"annotations: missing column(s) {', '.join(missing)}")
    pref = pd.to_numeric(annotations["preference"], errors="coerce").replace({0.0: 1.5}) - 1.0
    pref = pref.where(pref.between(0.0, 1.0))
    model = annotations["model"] if "model" in annotations else annotations["generator_2"]
    return pd.DataFrame(
        {
            "model": model.astype(str).to_numpy(),
            "baseline": annotations["generator_1"].astype(str).to_numpy(),
            "instruction": annotations["instruction"].astype(str).to_numpy(),
            "p_win": pref.to_numpy(dtype=float),
            "len_model": annotations["output_2"].fillna("").astype(str).str.len().to_numpy(),
            "len_baseline": annotations["output_1"].fillna("").astype(str).str.len().to_numpy(),
        }
    )


def read_leaderboard(path: Path | str) -> pd.DataFrame:
    """An AlpacaEval leaderboard CSV indexed by model name (first column)."""
    path = Path(path)
    if not path.exists():
        raise DataError("no such leaderboard file", where=str(path))
    from alignscope.data.io import open_text

    with open_text(path) as fh:
        df = pd.read_csv(fh, index_col=0)
    df.index.name = "model"
    return df


def bundled_baseline_outputs() -> pd.DataFrame:
    """The 805 AlpacaEval instructions with the AlpacaEval 2 baseline's (gpt4_1106_preview) outputs, in
    order."""
    rows = read_json(bundled_path(FOLDER, f"{BASELINE}_model_outputs.json.gz"))
    return pd.DataFrame(rows)


def bundled_models() -> list[str]:
    """Names of the models whose GPT-4-turbo annotations are bundled."""
    folder = BUNDLED_ROOT / FOLDER / "annotations"
    return sorted(p.name.removesuffix(".json.gz") for p in folder.glob("*.json.gz"))


def _bundled_annotation_rows(models: Sequence[str] | None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Each of ``models`` (default: every bundled one) with its bundled annotation rows as stored; DataError
    for a model not bundled."""
    known = bundled_models()
    for model in known if models is None else models:
        if model not in known:
            raise DataError(
                f"no bundled AlpacaEval annotations for '{model}' (choose from {', '.join(known)})"
            )
        yield model, read_json(bundled_path(FOLDER, f"annotations/{model}.json.gz"))


def bundled_annotations(models: Sequence[str] | None = None) -> pd.DataFrame:
    """Bundled annotations in AlpacaEval's layout (instruction, output_1/2, generator_1/2, preference, model).

    The bundle stores each model's outputs and preferences once and the shared baseline outputs once; this
    rebuilds the original rows.
    """
    base = bundled_baseline_outputs()
    frames = []
    for model, raw in _bundled_annotation_rows(models):
        rows = pd.DataFrame(raw)
        idx = rows["instruction_index"].to_numpy()
        df = pd.DataFrame(
            {
                "instruction": base["instruction"].to_numpy()[idx],
                "dataset": base["dataset"].to_numpy()[idx],
                "output_1": base["output"].to_numpy()[idx],
                "generator_1": BASELINE,
                "output_2": rows["output_2"].to_numpy(),
                "generator_2": rows["generator_2"].to_numpy(),
                "preference": pd.to_numeric(rows["preference"], errors="coerce").to_numpy(),
                "annotator": ANNOTATOR,
                "model": model,
            }
        )
        if "glm_preference" in rows:
            df["glm_preference"] = pd.to_numeric(rows["glm_preference"], errors="coerce").to_numpy()
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def bundled_pairs(models: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`annotations_to_pairs` of the bundled annotations, built without materialising the texts."""
    base = bundled_baseline_outputs()
    base_len = np.array([len(t) for t in base["output"]])
    instructions = base["instruction"].to_numpy(dtype=object)
    frames = []
    for model, rows in _bundled_annotation_rows(models):
        idx = np.array([r["instruction_index"] for r in rows])
        pref = pd.to_numeric(pd.Series([r["preference"] for r in rows], dtype=object), errors="coerce")
        p_win = (pref.replace({0.0: 1.5}) - 1.0).where(lambda s: s.between(0.0, 1.0))
        frames.append(
            pd.DataFrame(
                {
                    "model": model,
                    "baseline": BASELINE,
                    "instruction": instructions[idx],
                    "p_win": p_win.to_numpy(dtype=float),
                    "len_model": [len(r["output_2"] or "") for r in rows],
                    "len_baseline": base_len[idx],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[PAIR_COLUMNS]


def bundled_leaderboard(file: str = LEADERBOARD_FILE) -> pd.DataFrame:
    """A bundled AlpacaEval table: the GPT-4-turbo leaderboard (default), LC weights, evaluators or
    benchmarks."""
    return read_leaderboard(bundled_path(FOLDER, file))


def bundled_instruction_difficulty() -> pd.Series:
    """Instruction difficulty of the 805 instructions, estimated from the bundled annotations (instruction
    index)."""
    with_text = read_leaderboard(bundled_path(FOLDER, DIFFICULTY_FILE))
    return pd.Series(with_text["difficulty"].to_numpy(dtype=float), index=with_text["instruction"].to_numpy())


def difficulty_frame(difficulty: pd.Series) -> pd.DataFrame:
    """A difficulty Series (indexed by instruction text) as the table the bundle stores."""
    values = np.asarray(difficulty.to_numpy(), dtype=float)
    return pd.DataFrame({"instruction": difficulty.index.astype(str), "difficulty": values})
