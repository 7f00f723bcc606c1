"""``alignscope bench CONFIG.yaml``: the BenchConfig model, its one-line errors naming file and field, and
the same run as the flags build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignscope.config import load_config
from alignscope.errors import ConfigError
from alignscope.tasks.bench_config import BenchConfig

GOOD = """
models:
  - name: smollm2-135m
    model: smollm2-135m
tasks: [ifeval]
limit: 1
max_tokens: 4
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bench.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("tasks: [ifeval]", "tasks: [ifeval, nope]"), "bench.yaml: tasks: unknown task 'nope' (choose a"),
        (("tasks: [ifeval]", "tasks: []"), "bench.yaml: tasks: List should have at least 1 item"),
        (("limit: 1", "limit: 0"), "bench.yaml: limit: Input should be greater than or equal to 1"),
        (("limit: 1", "limt: 1"), "bench.yaml: limt: unknown field"),
        (
            ("model: smollm2-135m", "model: smollm2-135m\n    backend: hff"),
            "bench.yaml: models[0].backend: unknown backend 'hff' (choose auto, hf, llamacpp, openai, vllm)",
        ),
        (
            ("limit: 1", "limit: 1\nscorers: {refusal: {colour: red}}"),
            "bench.yaml: scorers: scorer 'refusal' has no option 'colour'",
        ),
        (
            ("limit: 1", "limit: 1\nscorers: {nope: {x: 1}}"),
            "bench.yaml: scorers: unknown scorer 'nope' (choose ",
        ),
        (
            ("tasks: [ifeval]", "  - name: smollm2-135m\ntasks: [ifeval]"),
            "bench.yaml: models: two models are named 'smollm2-135m': give each model a distinct name",
        ),
    ],
)
def test_bad_configs_are_one_line_errors(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as caught:
        load_config(path, BenchConfig)
    text = str(caught.value)
    assert text.startswith(str(tmp_path)) and message in text and "\n" not in text


def test_a_config_resolves_suites_and_keeps_scorer_options(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, GOOD + "scorers: {refusal: {method: strmatch}}\n"), BenchConfig)
    tasks, groups = cfg.resolve()
    assert [t.name for t in tasks] == ["ifeval"] and groups == ("instruction_following",)
    run = cfg.run_config()
    assert run["tasks"] == ["ifeval"] and run["scorers"] == {"refusal": {"method": "strmatch"}}
    assert (run["limit"], run["max_tokens"], run["seed"]) == (1, 4, 0)
    assert "scorers" not in load_config(_write(tmp_path, GOOD), BenchConfig).run_config()


def test_config_and_flags_make_the_same_run(cli, tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    path = _write(tmp_path, GOOD)
    first = cli("bench", str(path), "-w", ws, "--json")
    assert first.code == 0, first.err
    data = json.loads(first.out)
    assert [(t["task"], t["n"]) for t in data["bench"]["tasks"]] == [("ifeval", 1)]
    assert data["calls"]["calls_made"] == 1
    flags = ("bench", "ifeval", "-m", "smollm2-135m", "--limit", "1", "--max-tokens", "4")
    again = cli(*flags, "-w", ws, "--json")
    assert again.code == 0, again.err
    same = json.loads(again.out)
    assert same["run_id"] == data["run_id"] and same["calls"]["calls_made"] == 0
    assert same["bench"]["tasks"] == data["bench"]["tasks"]
    longer = cli("bench", str(path), "--max-tokens", "5", "-w", ws, "--json")  # a flag overrides the file
    assert longer.code == 0, longer.err
    assert json.loads(longer.out)["run_id"] != data["run_id"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-m", "hf:smollm2-135m"), "give the models in the config file or with --model, not both"),
        (("--limit", "0"), "--limit must be at least 1"),
        (("--scorer", "refusal:colour=red"), "scorer 'refusal' has no option 'colour'"),
    ],
)
def test_bad_flags_with_a_config_fail_with_one_line(
    cli, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = cli("bench", str(_write(tmp_path, GOOD)), *args)
    assert result.code == 2
    assert message in result.err and result.err.count("\n") == 1 and "Traceback" not in result.err


def test_a_missing_config_file_is_named(cli, tmp_path: Path) -> None:
    result = cli("bench", str(tmp_path / "nope.yaml"))
    assert result.code == 2 and "nope.yaml: file not found" in result.err
