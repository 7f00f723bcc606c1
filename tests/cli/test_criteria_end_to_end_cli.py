"""SOS-Bench's multi-criteria judge end to end: two system-prompt variants of SmolLM2 answer 2 MT-Bench
prompts, ``judge --mode criteria-split --logprob`` gives every criterion and the overall verdict of each pair
in both orders (never unparsed), and ``audit-judge`` reports each criterion's per-model correlation with the
overall verdict, equal to what the stored verdicts give, and says why 4 verdicts are too few for the
criterion weights (estimated from 60 on; the estimator is checked in
tests/analysis/test_criteria_weights.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignscope.analysis.criteria_weights import criterion_correlations
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.data import load_items
from alignscope.engine.generation import generate_items
from alignscope.engine.runner import Engine
from alignscope.judges.criteria import criteria_table
from alignscope.judges.parsing import CRITERIA
from alignscope.records import SamplingParams
from alignscope.store import RunStore

VARIANTS = {"smol": None, "smol-terse": "Answer in one short sentence, in French."}


def test_criteria_judge_and_its_audit_with_smollm2(cli, tmp_path: Path, hf_smollm2) -> None:
    ws = tmp_path / "ws"
    store = RunStore(ws)
    store.start_run("answers", "generate", {})
    engine = Engine(store, "answers", progress=False)
    items = [it.model_copy(update={"turns": []}) for it in load_items("mt_bench", limit=2, seed=0)]
    store.put_items(items)
    for name, system in VARIANTS.items():
        spec = ModelSpec(name=name, backend="hf", model="smollm2-135m", system_prompt=system)
        backend = make_backend(spec)  # the system prompt is the backend's (the weights are hf_smollm2's)
        gens = generate_items(engine, backend, spec, items, SamplingParams(max_tokens=24, temperature=0.0))
        store.put_generations([g.model_copy(update={"run_id": "answers"}) for g in gens])

    args = ["--mode", "criteria-split", "--logprob", "--baseline", "smol", "-w", str(ws), "--json"]
    texts = {(g.model, g.item_id): g.text for g in store.records("generations", "answers")}
    # the variant is a different prompt (its system prompt reaches the model); whether 24 greedy tokens then
    # differ is up to the model, so the test does not depend on it
    tokens = {(g.model, g.item_id): g.prompt_tokens for g in store.records("generations", "answers")}
    assert all(tokens[("smol", it.id)] != tokens[("smol-terse", it.id)] for it in items)
    assert all(texts[(m, it.id)] for m in VARIANTS for it in items)
    judged = cli("judge", "--run", "answers", "-j", "hf:smollm2-135m", *args)
    assert judged.code == 0, judged.err
    run_id = json.loads(judged.out)["run_id"]
    judgments = store.records("judgments", run_id)
    assert len(judgments) == 2 * 2 and {j.parse_status for j in judgments} == {"logprob"}
    for j in judgments:
        assert set(j.fields["criteria"]) == set(CRITERIA) and 0.0 <= j.preference <= 1.0
        assert set(j.fields["criteria"].values()) <= {"A", "B", "tie"}

    audited = cli("audit-judge", "--run", run_id, "-w", str(ws), "--json")
    assert audited.code == 0, audited.err
    crit = json.loads(audited.out)["criterion_weights"]
    assert crit["n"] == 4 and crit["weights"] == []
    assert crit["weights_unavailable"].startswith("4 verdicts are too few for 6 weights (needs 60+")
    expected = criterion_correlations(criteria_table(judgments), list(CRITERIA), level=0.95)
    got = {(r["model"], r["criterion"]): r for r in crit["correlations"]}
    assert set(got) == {("smol-terse", c) for c in CRITERIA}
    for row in expected.itertuples():
        r = got[(row.model, row.criterion)]
        assert r["n"] == 4 and r["prompts"] == 2
        assert r["r"] == pytest.approx(row.r, nan_ok=True)
    text = cli("audit-judge", "--run", run_id, "-w", str(ws))
    assert "4 verdicts are too few" in text.out and "r(style, overall), smol-terse" in text.out
