"""An audit with a base and an aligned judge: their preference strength on the same pairs, recomputed from
the stored verdicts, in the results and in the report's live dissection section."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from alignscope.store import RunStore

CONFIG = """
models:
  - {name: plain, model: smollm2-135m}
  - {name: terse, model: smollm2-135m, system_prompt: "Answer in five words at most."}
judges:
  - model: {name: base-judge, model: smollm2-135m}
    name: base-judge
    mode: pairwise
    template: alpaca-eval
    verdict: logprob
  - model: {name: aligned-judge, model: smollm2-135m, system_prompt: "You are a decisive, exacting judge."}
    name: aligned-judge
    mode: pairwise
    template: alpaca-eval
    verdict: logprob
baseline: plain
judge_data: mt_bench
limit: 3
published: false
sampling: {max_tokens: 12}
strength: {base: base-judge, aligned: aligned-judge}
"""


def test_audit_compares_the_preference_strength_of_its_base_and_aligned_judges(cli, tmp_path: Path) -> None:
    config = tmp_path / "audit.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    out, ws = tmp_path / "out", tmp_path / "ws"
    done = cli("audit", str(config), "--out", str(out), "-w", str(ws), "--json")
    assert done.code == 0, done.err
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    strength = results["live"]["preference_strength"]
    assert results["live"]["preference_strength_note"] is None
    assert (strength["base"], strength["aligned"], strength["n"]) == ("base-judge", "aligned-judge", 6)

    judgments = RunStore(ws).records("judgments", results["run_id"])
    by_judge = {
        name: {(j.item_id, j.swapped): abs(2 * j.preference - 1) for j in judgments if j.judge == name}
        for name in ("base-judge", "aligned-judge")
    }
    keys = sorted(by_judge["base-judge"])
    assert len(keys) == 6 and sorted(by_judge["aligned-judge"]) == keys  # 3 prompts x both orders
    diff = [by_judge["aligned-judge"][k] - by_judge["base-judge"][k] for k in keys]
    assert strength["difference"] == pytest.approx(np.mean(diff))
    assert strength["lower"] <= strength["difference"] <= strength["upper"]
    means = {r["judge"]: r["mean"] for r in strength["summary"]}
    assert means["base-judge"] == pytest.approx(np.mean(list(by_judge["base-judge"].values())))

    html = Path(results["outputs"]["html"]).read_text(encoding="utf-8")
    assert "live-dissection-strength" in html and "Paired difference aligned-judge - base-judge" in html
