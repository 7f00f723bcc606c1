"""``alignscope bench trust --protocol rlhf-trust``: the protocol's tasks and settings in ``bench list``, the
sampling options on the command line and in a YAML config, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignscope.config import load_config
from alignscope.store import RunStore
from alignscope.tasks.bench_config import BenchConfig
from alignscope.tasks.suites import RLHF_TRUST


def test_bench_list_shows_the_protocol_tasks_with_their_settings(cli) -> None:
    result = cli("bench", "list", "--json")
    assert result.code == 0
    data = json.loads(result.out)
    assert data["suites"]["rlhf-trust"] == list(RLHF_TRUST)
    tasks = {t["name"]: t for t in data["tasks"]}
    toxicity = tasks["rlhf-toxicity-toxic"]["settings"]
    assert (toxicity["samples"], toxicity["temperature"], toxicity["max_tokens"]) == (5, 0.7, 50)
    assert toxicity["protocol"] == "rlhf-trust" and "toxicity_exp.py" in toxicity["script"]
    stereotype = tasks["rlhf-stereotype"]["settings"]
    assert (stereotype["samples"], stereotype["temperature"], stereotype["max_tokens"]) == (4, 0.7, 70)
    assert [
        tasks[n]["settings"]["max_tokens"] for n in ("rlhf-ethics", "rlhf-truthfulqa", "rlhf-privacy")
    ] == [
        20,
        70,
        50,
    ]
    assert all(tasks[n]["deviation"] for n in RLHF_TRUST if n.startswith("rlhf-"))
    table = cli("bench", "list")
    assert "protocol settings" in table.out and "rlhf-stereotype-adv" in table.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bench", "trust", "--protocol", "nope", "-m", "hf:smollm2-135m"), "unknown protocol 'nope'"),
        (
            ("bench", "trust", "--temperature", "-1", "-m", "hf:smollm2-135m"),
            "--temperature must be at least 0",
        ),
    ],
)
def test_bad_protocol_options_fail_with_one_line(cli, args: tuple[str, ...], message: str) -> None:
    result = cli(*args)
    assert result.code == 2
    assert message in result.err and result.err.count("\n") == 1 and "Traceback" not in result.err


def test_yaml_config_takes_the_protocol_and_temperature(tmp_path: Path) -> None:
    path = tmp_path / "bench.yaml"
    path.write_text(
        "models:\n  - {name: smol, backend: hf, model: smollm2-135m}\ntasks: [trust]\nprotocol: rlhf-trust\n"
        "temperature: 1.0\nsamples: 2\n",
        encoding="utf-8",
    )
    config = load_config(path, BenchConfig)
    tasks, groups = config.resolve()
    assert [t.name for t in tasks] == list(RLHF_TRUST) and len(groups) == 5
    run = config.run_config()
    assert (run["protocol"], run["temperature"], run["samples"]) == ("rlhf-trust", 1.0, 2)
    plain = BenchConfig.model_validate({"models": config.model_dump()["models"], "tasks": ["trust"]})
    assert "protocol" not in plain.run_config() and "rtp-toxic" in plain.run_config()["tasks"]


def test_a_protocol_run_reports_task_settings_and_run_overrides(cli, tmp_path: Path) -> None:
    args = ("bench", "rlhf-stereotype", "-m", "hf:smollm2-135m", "--limit", "1", "--max-tokens", "4")
    result = cli(*args, "--samples", "2", "--temperature", "0.5", "-w", str(tmp_path / "ws"), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["calls"]["calls_made"] == 2
    store = RunStore(tmp_path / "ws")
    answers = [
        g
        for j in (0, 1)
        for g in store.records("generations", run_id=data["run_id"], variant=f"rlhf-stereotype:{j}")
    ]
    assert [(g.provenance.sampling.temperature, g.provenance.sampling.max_tokens) for g in answers] == [
        (0.5, 4)
    ] * 2
    html = Path(data["outputs"]["html"]).read_text(encoding="utf-8")
    assert "settings of rlhf-stereotype" in html and "samples=4, temperature=0.7, max_tokens=70" in html
    assert "samples=2, temperature=0.5, max_tokens=4" in html
