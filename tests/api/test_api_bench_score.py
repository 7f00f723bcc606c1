"""``alignscope.bench_score`` and ``alignscope bench score --json`` are one code path; the answers come from
a JSONL file, from an Inspect AI log (a mock model answering IFEval prompts) or from lm-eval's
``--log_samples`` (its dummy model, which answers "lol", on IFEval prompts as a local task)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_logs import inspect_run, lm_eval_run

import alignscope
from alignscope.errors import ConfigError
from alignscope.tasks.registry import get_task

# IFEval 1162 and 1001 both forbid commas; the first answer has none, the second has one
ANSWERS = {
    "1162": "What has feathers but is no bird? An omen in the sky!",
    "1001": "Day one, Kyoto: temples.",
}


def _prompts() -> dict[str, str]:
    items = {str(item.target.get("key", item.id)): item for item in get_task("ifeval").items()}
    return {key: items[key].prompt for key in ANSWERS}


def _answer_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps({"key": int(k), "response": r}) + "\n" for k, r in ANSWERS.items()))
    return path


def test_bench_score_api_equals_cli_json(cli, tmp_path: Path) -> None:
    path = _answer_file(tmp_path)
    shown = cli("bench", "score", "ifeval", "--responses", str(path), "--json")
    assert shown.code == 0, shown.err
    result = alignscope.bench_score("ifeval", path)
    assert result.to_dict() == json.loads(shown.out)
    assert result.run is None and result.calls == {}
    [row] = result.aggregate.to_dict(orient="records")
    assert row["prompt_level_strict_acc"] == 0.5 and row["source"] == str(path) and row["model"] is None
    strict = result.items.set_index("item_id")["strict"].to_dict()
    assert strict == {"1162": [True], "1001": [False]}


def test_bench_score_of_an_inspect_log_matches_prompts(cli, tmp_path: Path) -> None:
    """Inspect sample ids that are not IFEval keys: the answers are matched to IFEval items by prompt."""
    prompts = _prompts()
    samples = [{"id": f"sample-{k}", "input": prompts[k], "target": ""} for k in ANSWERS]
    inspect_run(
        tmp_path / "logs",
        samples,
        {"mockllm/writer": list(ANSWERS.values())},
        name="ifeval_mock",
        system=None,
    )
    spec = f"inspect:{tmp_path / 'logs'}"
    shown = cli("bench", "score", "ifeval", "--from", spec, "--json")
    assert shown.code == 0, shown.err
    result = alignscope.bench_score("ifeval", from_logs=[spec])
    assert result.to_dict() == json.loads(shown.out)
    [log] = result.to_dict()["logs"]
    assert log["model"] == "mockllm/writer" and log["n"] == 2
    # the same answers in a file, matched by key, score the same
    from_file = alignscope.bench_score("ifeval", _answer_file(tmp_path))
    assert log["aggregate"] == from_file.scored[0].aggregate
    assert log["items"] == from_file.scored[0].results


def test_bench_score_of_lm_eval_samples(tmp_path: Path) -> None:
    prompts = _prompts()
    rows = [{"key": int(k), "prompt": prompts[k]} for k in ANSWERS]
    task = (
        'doc_to_text: "{{prompt}}"\noutput_type: generate_until\ndoc_to_target: "{{key}}"\n'
        "generation_kwargs:\n  max_gen_toks: 8\nmetric_list:\n  - metric: exact_match\n"
    )
    out = lm_eval_run(tmp_path, rows, {"ifeval_local": task})
    result = alignscope.bench_score("ifeval", from_logs=[f"lm-eval:{out}"])
    [scored] = result.scored
    # the dummy model answers "lol" to both: no comma, so both prompts pass
    assert sorted(r["item_id"] for r in scored.results) == sorted(ANSWERS)
    assert scored.aggregate["prompt_level_strict_acc"] == 1.0
    assert result.models == [result.to_dict()["logs"][0]["model"]] and result.models[0]


def test_bench_score_api_raises_instead_of_exiting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="usage: alignscope bench score TASK"):
        alignscope.bench_score("ifeval")
    with pytest.raises(ConfigError, match="cannot score answer files"):
        alignscope.bench_score("harmbench-mc", tmp_path / "x.jsonl")
    with pytest.raises(ConfigError, match="expected inspect:PATH or lm-eval:PATH"):
        alignscope.bench_score("ifeval", from_logs=["helm:/x"])
