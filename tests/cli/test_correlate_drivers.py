"""``alignscope correlate`` with per-model training metadata: the regressions, printed, stored and plotted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd


def _table(path: Path, with_metadata: bool) -> pd.DataFrame:
    """24 models on 8 base models; safety = 0.3 + 0.05 log10(sft size) - 0.04 [stage sft+po] + noise."""
    rng = np.random.default_rng(5)
    base = np.repeat([f"base{b}" for b in range(8)], 3)
    size = np.tile([1e3, 1e4, 1e5], 8)
    stage = np.tile(["sft", "sft+po"], 12)  # a tie: the alphabetically first level is the reference
    safety = 0.3 + 0.05 * np.log10(size) - 0.04 * (stage == "sft+po") + rng.normal(0, 0.005, 24)
    frame = pd.DataFrame(
        {
            "model": [f"m{i}" for i in range(24)],
            "judge:arena": 10 + 3 * (stage == "sft+po") + rng.normal(0, 0.5, 24),
            "safety": safety,
            "knowledge": rng.random(24),
        }
    )
    meta = pd.DataFrame(
        {"model": frame.model, "base_model": base, "sft_size": size.astype(int), "stage": stage}
    )
    if with_metadata:
        frame = frame.merge(meta, on="model")
    frame.to_csv(path, index=False)
    return meta


def test_metadata_columns_of_the_table_are_regressed_on(cli, tmp_path: Path) -> None:
    table = tmp_path / "scores.csv"
    _table(table, with_metadata=True)
    out = tmp_path / "out"
    result = cli("correlate", str(table), "--out", str(out), "--n-boot", "200", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["concrete"] == ["safety", "knowledge"]  # metadata columns are not scores
    rows = {(r["outcome"], r["term"]): r for r in data["drivers"]["coefficients"]}
    size = rows[("safety", "log10(sft_size)")]
    po = rows[("safety", "stage=sft+po (vs sft)")]
    assert size["ci_low"] <= 0.05 <= size["ci_high"] and abs(size["estimate"] - 0.05) < 0.01
    assert po["ci_low"] <= -0.04 <= po["ci_high"] and po["ci_high"] < 0
    assert size["covariance"] == "cluster-robust (8 clusters, t with 7 df)" and size["n"] == 24
    assert rows[("judge:arena", "stage=sft+po (vs sft)")]["ci_low"] > 0
    assert any(r["term"].startswith("base_model=") for r in data["drivers"]["coefficients"])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'data-name="correlate_drivers_safety"' in html and "What drives the scores" in html
    assert "what drives the scores" in result.err  # the table goes to stderr under --json


def test_a_separate_metadata_file_and_chosen_predictors(cli, tmp_path: Path) -> None:
    table, meta_file = tmp_path / "scores.csv", tmp_path / "meta.csv"
    _table(table, with_metadata=False).to_csv(meta_file, index=False)
    args = ("correlate", str(table), "--metadata", str(meta_file), "--predictor", "stage", "--n-boot", "200")
    result = cli(*args, "--out", str(tmp_path / "o"), "--json")
    assert result.code == 0, result.err
    terms = {r["term"] for r in json.loads(result.out)["drivers"]["coefficients"]}
    assert terms == {"intercept", "stage=sft+po (vs sft)"}
    bad = cli(*args[:-2], "--predictor", "sft_data", "--out", str(tmp_path / "o2"))
    assert bad.code == 2 and "no metadata column(s) sft_data" in bad.err and bad.err.count("\n") == 1


def test_without_metadata_correlate_is_unchanged(cli, tmp_path: Path) -> None:
    table = tmp_path / "scores.csv"
    _table(table, with_metadata=False)
    result = cli("correlate", str(table), "--out", str(tmp_path / "o"), "--n-boot", "200", "--json")
    assert result.code == 0, result.err
    assert "drivers" not in json.loads(result.out)
