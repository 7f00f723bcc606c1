"""``dissect scenarios``, ``fit --by scenario``, ``sizes`` and ``strength`` through the real entry point:
SmolLM2 labels MT-Bench queries (logprob verdicts, never unparsed) and the same prompts in a feature table
get the same groups; the size finding on the released weights; the strength of stored verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alignscope.analysis.dissection.findings import preference_strength
from alignscope.analysis.dissection.properties import SCENARIOS
from alignscope.data import load_items
from alignscope.judges.templates import load_template
from alignscope.records import Judgment, Provenance
from alignscope.store import RunStore


def test_scenarios_and_fit_by_scenario_with_smollm2(cli, tmp_path: Path, hf_smollm2) -> None:
    ws = str(tmp_path / "ws")
    result = cli("dissect", "scenarios", "mt_bench", "--limit", "2", "-w", ws, "--json")
    assert result.code == 0, result.err
    run = json.loads(result.out)
    assert run["queries"] == 2 and run["parse_failures"] == 0
    groups = {r["item_id"]: r["group"] for r in run["labels"]}
    assert set(groups.values()) <= set(SCENARIOS)
    accuracy = run["accuracy"]
    assert accuracy["n"] == 2 and accuracy["accuracy"] in (0.0, 0.5, 1.0)
    labels = load_template("scenario-groups").labels
    for j in RunStore(Path(ws)).records("judgments", run["run_id"]):
        probs = j.fields["label_probs"]
        assert j.parse_status == "logprob" and sum(probs.values()) == pytest.approx(1.0, abs=1e-4)
        assert j.verdict == labels[max(probs, key=probs.get)] == groups[j.item_id]

    # the same prompts in a feature table: labelled by the same classifier (from the call cache)
    items = {it.id: it for it in load_items("mt_bench")}
    rng = np.random.default_rng(0)
    rows = [
        {"prompt": items[i].prompt, "harmless": int(rng.choice([-1, 0, 1])), "label": int(rng.random() < 0.5)}
        for i in groups
        for _ in range(20)
    ]
    path = tmp_path / "pairs.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    fitted = cli("dissect", "fit", str(path), "--by", "scenario", "-w", ws, "--json")
    assert fitted.code == 0, fitted.err
    fits = json.loads(fitted.out)["fits"]
    assert sorted(f["scenario"] for f in fits) == sorted(set(groups.values()))
    assert sum(f["n_pairs"] for f in fits) == 40
    no_prompt = tmp_path / "bare.csv"
    pd.DataFrame(rows).drop(columns=["prompt"]).to_csv(no_prompt, index=False)
    bare = cli("dissect", "fit", str(no_prompt), "--by", "scenario", "-w", ws)
    assert bare.code == 2 and "needs a scenario column, or a prompt column" in bare.err


def test_sizes_on_the_released_weights(cli) -> None:
    result = cli("dissect", "sizes", "--bootstrap", "400", "--json")
    assert result.code == 0, result.err
    out = json.loads(result.out)
    assert [g["group"] for g in out["groups"]] == ["<=14B", ">=30B"]
    assert [g["judges"] for g in out["groups"]] == [20, 10] and len(out["scenarios"]) == 11
    assert out["difference"]["lower"] > 0
    fine = json.loads(cli("dissect", "sizes", "--split", "fine", "--bootstrap", "200", "--json").out)
    assert [g["group"] for g in fine["groups"]] == ["6-7B", "13-14B", "34B", "56-72B"]
    bad = cli("dissect", "sizes", "--split", "coarse")
    assert bad.code == 2 and "size split 'coarse'" in bad.err


def test_strength_of_stored_verdicts(cli, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    judgments = [
        Judgment(
            judge=judge,
            mode="pairwise",
            item_id=str(i),
            dataset="d",
            model_a="m1",
            model_b="m2",
            preference=float(p),
            parse_status="logprob",
            run_id="verdicts",
            provenance=Provenance(model=judge, backend="hf"),
        )
        for judge, spread in (("base", 0.1), ("chat", 0.45))
        for i, p in enumerate(0.5 + rng.uniform(-spread, spread, size=30))
    ]
    store = RunStore(tmp_path / "ws")
    store.start_run("verdicts", "judge", {})
    store.put_judgments(judgments)
    args = ["dissect", "strength", "--run", "verdicts", "--base", "base", "--aligned", "chat"]
    result = cli(*args, "-w", str(tmp_path / "ws"), "--bootstrap", "500", "--json")
    assert result.code == 0, result.err
    out = json.loads(result.out)
    expected = preference_strength(judgments, "base", "chat", n_boot=500)
    assert out["n"] == 30 and out["difference"] == pytest.approx(expected.difference)
    assert out["p_value"] == pytest.approx(expected.p_value) and out["lower"] == pytest.approx(expected.lower)
    missing = cli(*args[:-1], "gpt", "-w", str(tmp_path / "ws"))
    assert missing.code == 2 and "no verdicts of judge(s) gpt" in missing.err
