"""``alignscope evaluate`` through the real entry point on one item per benchmark: the embedded SmolLM2 as
model and judge in-process (hf, all four benchmarks, then a rerun answered from the cache) and behind a real
llama.cpp server (openai; AlpacaEval 2 and MT-Bench); every number recomputed from the stored judgments and
the judge's comparability in the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignscope.config import ModelSpec
from alignscope.judges.templates import load_template
from alignscope.store import RunStore

TEMPLATES = {
    "alpaca-eval": "alpaca_eval",
    "arena-hard": "arena-hard-v0.1",
    "mt-bench-single": "mt_bench",
    "mt-bench-single-math": "mt_bench",
    "mt-bench-single-multi-turn": "mt_bench",
    "mt-bench-single-math-multi-turn": "mt_bench",
}


@pytest.mark.parametrize("backend", ["hf", "openai"])
def test_evaluate_scores_each_benchmark_against_its_baseline(
    cli, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    model = (
        "hf:smollm2-135m"
        if backend == "hf"
        else f"openai:smollm2-135m@{request.getfixturevalue('llama_server')}"
    )
    benchmarks = "alpaca_eval,arena_hard,mt_bench,sos" if backend == "hf" else "alpaca_eval,mt_bench"
    ws = tmp_path / "ws"
    args = ["evaluate", "-m", model, "-j", model, "--benchmarks", benchmarks, "--limit", "1",
            "--max-tokens", "8", "--judge-max-tokens", "8", "--task-max-tokens", "8", "-w", str(ws),
            "--out", str(tmp_path / "report")]  # fmt: skip
    name = ModelSpec.parse(model).name
    if backend == "hf":
        first = cli(*args)
        assert first.code == 0, first.err
        assert f"evaluate (judge {name})" in first.out and "smollm2-" in first.out  # the table's model row
    last = cli(*args, "--json")  # hf: the same config, so the same run with every call from the cache
    assert last.code == 0, last.err
    result = json.loads(last.out)
    if backend == "hf":
        assert result["calls"]["calls_made"] == 0 and result["calls"]["cache_hits"] > 0
    else:
        assert result["calls"]["calls_made"] > 0 and result["calls"]["failures"] == 0
    store = RunStore(ws)
    judgments = store.records("judgments", result["run_id"])
    versions = {load_template(name).version: name for name in TEMPLATES}
    datasets = {"alpaca_eval", "mt_bench"} | ({"arena-hard-v0.1"} if backend == "hf" else set())
    assert {TEMPLATES[versions[j.provenance.template_hash]] for j in judgments} == datasets
    for j in judgments:
        assert TEMPLATES[versions[j.provenance.template_hash]] == j.dataset
    rows = {r["benchmark"]: r for r in result["rows"]}

    alpaca = [j for j in judgments if j.dataset == "alpaca_eval"]
    assert len(alpaca) == 2 and {j.swapped for j in alpaca} == {False, True}  # both orders
    assert all(j.parse_status == "logprob" for j in alpaca)  # AlpacaEval 2's verdict: P(m) vs P(M)
    p_model = [1 - j.preference if not j.swapped else j.preference for j in alpaca]
    assert rows["alpaca_eval"]["win_rate"] == pytest.approx(100 * sum(p_model) / 2)
    assert rows["alpaca_eval"]["n"] == 1 and rows["alpaca_eval"]["length_chars"] > 0

    arena = [j for j in judgments if j.dataset == "arena-hard-v0.1"]
    if backend == "hf":
        assert len(arena) == 2 and {(j.model_a, j.swapped) for j in arena} == {
            ("gpt-4-0314", False), (name, True)
        }  # fmt: skip
        # 8 tokens hold no [[verdict]]: each judgment is concluded by the judge's likelihood of each verdict
        assert all(j.parse_status == "logprob" and j.fields["score_source"] == "conclusion" for j in arena)
        assert all(j.fields["concluded_text"].endswith(f"[[{j.verdict}]]") for j in arena)
        assert rows["arena_hard"]["n"] == 2 and rows["arena_hard"]["n_failed"] == 0
        assert (
            0 < rows["arena_hard"]["score"] < 100
            and rows["arena_hard"]["ci"][0] <= rows["arena_hard"]["score"]
        )
        assert result["protocols"]["arena_hard"]["concluded"] == 2
        assert any("concluded" in d for d in result["protocols"]["arena_hard"]["deviations"])

    mt = [j for j in judgments if j.dataset == "mt_bench"]
    assert sorted(j.fields["turn"] for j in mt) == [1, 2]  # both turns of the question
    scored = [j.score for j in mt if j.parse_status != "failed"]
    if backend == "hf":  # concluded ratings: the expected rating over 1..10
        assert len(scored) == 2 and all(1 <= s <= 10 for s in scored)
        assert rows["mt_bench"]["score"] == pytest.approx(sum(scored) / len(scored))
    else:  # the server scores no continuation after chat messages: the ratings stay unparsed
        assert rows["mt_bench"]["score"] is None and rows["mt_bench"]["n_failed"] == 2

    if backend == "hf":
        factors = result["factors"][name]
        assert factors and set(factors) <= {"world_knowledge", "instruction_following", "safety"}
        assert {t["task"] for t in result["tasks"]} >= {"bbh", "ifeval", "xstest-mc"}
    html = Path(result["outputs"]["html"]).read_text(encoding="utf-8")
    assert "judged by smollm2-135m, not gpt-4-1106-preview" in html and "not comparable" in html
    assert "AlpacaEval 2 LC" in html and "MT-Bench" in html


def test_bad_benchmark_is_one_line(cli) -> None:
    bad = cli("evaluate", "-m", "hf:smollm2-135m", "-j", "hf:smollm2-135m", "--benchmarks", "alpaca,mt_bench")
    assert bad.code == 2 and "benchmarks" in bad.err and len(bad.err.strip().splitlines()) == 1
    missing = cli("evaluate", "-m", "hf:smollm2-135m")
    assert missing.code == 2 and "--judge" in missing.err
