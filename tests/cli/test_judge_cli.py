"""``alignscope judge``, ``leaderboard`` and ``audit-judge`` through the real entry point: the embedded
SmolLM2 judging MT-Bench answers (logprob verdicts, resumable) in-process (hf backend) and behind a real
llama.cpp server (openai backend), and the shipped AlpacaEval annotations (no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignscope.analysis.length_control import length_controlled_win_rates
from alignscope.data import load_items
from alignscope.data.formats.alpaca_eval_results import bundled_instruction_difficulty, bundled_pairs
from alignscope.published.alpaca_benchmarks import read_leaderboard

ALPACA_MODELS = ["alpaca-7b", "alpaca-7b_concise", "alpaca-7b_verbose", "claude-2.1", "claude-2.1_concise"]


@pytest.fixture
def answer_file(tmp_path: Path) -> Path:
    """FastChat-format answers to the 2 MT-Bench questions with the shortest references: GPT-4's reference
    answers and a terse non-answer."""
    items = sorted((it for it in load_items("mt_bench") if it.reference), key=lambda it: len(it.reference))[
        :2
    ]
    rows = []
    for it in items:
        rows.append({"question_id": int(it.id), "model_id": "gpt-4-reference",
                     "choices": [{"index": 0, "turns": it.target["reference_turns"]}]})  # fmt: skip
        rows.append({"question_id": int(it.id), "model_id": "terse",
                     "choices": [{"index": 0, "turns": ["I don't know.", "Still no idea."]}]})  # fmt: skip
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("backend", ["hf", "openai"])
def test_judge_leaderboard_and_audit_of_a_stored_run(
    cli, tmp_path: Path, answer_file: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    judge = (
        "hf:smollm2-135m"
        if backend == "hf"
        else f"openai:smollm2-135m@{request.getfixturevalue('llama_server')}"
    )
    ws = str(tmp_path / "ws")
    args = ["judge", "--judge", judge, "--logprob", "--template", "alpaca-eval", "--answers",
            str(answer_file), "--data", "mt_bench", "--baseline", "terse", "-w", ws, "--json"]  # fmt: skip
    first = cli(*args)
    assert first.code == 0, first.err
    result = json.loads(first.out)
    assert result["judgments"] == 4 and result["parse_failures"] == 0 and result["parse_failure_rate"] == 0.0
    assert result["judge"]["backend"] == backend and result["judge"]["model"] == "smollm2-135m"
    assert result["judge"]["template_hash"] and result["judge"]["sampling"]["top_logprobs"] == 20
    [row] = result["models"]
    assert row["model"] == "gpt-4-reference" and row["pairs"] == 2 and row["both_orders"] == 2
    assert 0.0 <= row["win_rate"] <= 100.0 and row["wins"] + row["ties"] + row["losses"] == 2
    assert result["calls"]["calls_made"] == 4

    again = json.loads(cli(*args).out)
    assert again["run_id"] == result["run_id"]
    assert again["calls"] == again["calls"] | {"calls_made": 0, "cache_hits": 4}
    assert again["models"] == result["models"]

    board = cli("leaderboard", "--run", result["run_id"], "--bootstrap", "20", "-w", ws, "--json")
    assert board.code == 0, board.err
    board_json = json.loads(board.out)
    assert board_json["anchor"] == "terse" and board_json["parse_failure_rate"] == 0.0
    rated = {r["model"]: r for r in board_json["models"]}
    assert rated["terse"]["rating"] == pytest.approx(1000.0)
    ref = rated["gpt-4-reference"]
    assert ref["n"] == 2 and ref["win_rate"] == pytest.approx(row["win_rate"])
    assert ref["rating_lower"] <= ref["rating"] <= ref["rating_upper"]
    assert board_json["judges"][0]["template_hash"] == result["judge"]["template_hash"]

    audit = cli("audit-judge", "--run", result["run_id"], "-w", ws, "--json")
    assert audit.code == 0, audit.err
    report = json.loads(audit.out)
    assert report["verdicts"] == 4 and report["parse_failure_rate"] == 0.0
    assert report["judges"] == board_json["judges"]
    position = report["position"]
    assert position["n_pairs"] == 2 and 0.0 <= position["consistency"] <= 1.0
    assert 0.0 <= position["first_position_rate"] <= 1.0


def test_leaderboard_on_shipped_alpaca_eval_reproduces_published_win_rates(cli) -> None:
    only = [a for m in ALPACA_MODELS for a in ("--only", m)]
    out = cli("leaderboard", "--shipped", "alpaca_eval", *only, "--bootstrap", "50", "--json")
    assert out.code == 0, out.err
    result = json.loads(out.out)
    published = read_leaderboard()
    rows = {r["model"]: r for r in result["models"]}
    assert result["anchor"] == "gpt4_1106_preview"
    # the LC column is the analysis layer's GLM with AlpacaEval's instruction difficulty (its accuracy against
    # the published LC is tested there); here: the command feeds it the shipped annotations unchanged
    lc = length_controlled_win_rates(bundled_pairs(ALPACA_MODELS), bundled_instruction_difficulty())
    for model in ALPACA_MODELS:
        r = rows[model]
        assert r["n"] >= 800 and r["standard_error"] > 0
        assert r["win_rate"] == pytest.approx(published.at[model, "win_rate"], abs=0.1)
        assert r["lc_win_rate"] == pytest.approx(lc.at[model, "lc_win_rate"], abs=1e-9)
        assert r["lc_standard_error"] > 0
        assert r["rating_lower"] <= r["rating"] <= r["rating_upper"]
        assert r["rating_sc_lower"] <= r["rating_sc"] <= r["rating_sc_upper"]
    style = {s["feature"]: s for s in result["style_coefficients"]}
    assert set(style) == {"length", "headers", "lists", "bold"}
    assert style["length"]["lower"] > 0  # the GPT-4-turbo judge rewards longer answers


def test_audit_of_shipped_alpaca_eval(cli) -> None:
    only = [a for m in ALPACA_MODELS for a in ("--only", m)]
    out = cli("audit-judge", "--shipped", "alpaca_eval", *only, "--json")
    assert out.code == 0, out.err
    report = json.loads(out.out)
    assert "unavailable" in report["position"]  # AlpacaEval annotations hold one order per pair
    assert report["length_bias"]["lower"] > 0
    gaming = report["verbosity_gaming"]
    assert {f["family"] for f in gaming["families"]} == {"alpaca-7b", "claude-2.1"}
    # AlpacaEval's finding: length control makes the win rate harder to game by asking for longer answers
    assert gaming["gameability"]["lc_win_rate"] < gaming["gameability"]["win_rate"]
    assert "unavailable" in report["criterion_weights"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["leaderboard"], "give judgments"),
        (["leaderboard", "--run", "no-such-run"], "no run 'no-such-run'"),
        (
            ["judge", "--judge", "hf:smollm2-135m", "--template", "nope", "--run", "r"],
            "unknown judge template",
        ),
        (["judge", "--judge", "hf:smollm2-135m", "--answers", "missing.json"], "no such answers file"),
        (["judge", "--judge", "hf:smollm2-135m"], "either run"),
        (["audit-judge", "--annotations", "missing.json"], "no such annotations file"),
    ],
)
def test_bad_input_is_one_line(cli, tmp_path: Path, args: list[str], message: str) -> None:
    out = cli(*args, "-w", str(tmp_path / "ws"))
    assert out.code == 2
    assert message in out.err and len(out.err.strip().splitlines()) == 1


def test_rubric_then_meta_judge_through_the_cli(cli, tmp_path: Path, fault_server) -> None:
    """Rubric samples of answer files, then the meta-judge over that run's judgments, with the echo judge
    (the fault-injection server quoting the prompt back: ``Score: k`` answers set the rubric scores)."""
    rubric = tmp_path / "rubric.j2"
    rubric.write_text("{#\nmode: rubric\nparser: score_5\n#}\n{% block prompt %}{{ answer }}{% endblock %}")
    meta = tmp_path / "meta.j2"
    meta.write_text(
        "{#\nmode: meta\nparser: meta_winner\n#}\n{% block prompt %}{{ judgment_a }}{% endblock %}"
    )
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps([
        {"instruction": "Q1", "output": "Score: 3", "generator": "m"},
        {"instruction": "Q2", "output": "Score: 5", "generator": "m"},
    ]))  # fmt: skip
    judge = f"openai:echo@{fault_server.url}"
    ws = str(tmp_path / "ws")
    out = cli("judge", "-j", judge, "--mode", "rubric", "--template", str(rubric), "--answers", str(answers),
              "--samples", "2", "--temperature", "0.7", "-w", ws, "--json")  # fmt: skip
    assert out.code == 0, out.err
    result = json.loads(out.out)
    assert result["judgments"] == 4 and result["parse_failures"] == 0
    assert result["models"][0]["mean_score"] == 4.0
    out = cli("judge", "-j", judge, "--mode", "meta", "--template", str(meta), "--run", result["run_id"],
              "-w", ws, "--json")  # fmt: skip
    assert out.code == 0, out.err
    meta_result = json.loads(out.out)
    # per item: the one answer, its 2 distinct judgments compared in both orders; the echo names no winner
    assert meta_result["judgments"] == 4 and meta_result["parse_failures"] == 4
    assert meta_result["parse_failure_rate"] == 1.0
