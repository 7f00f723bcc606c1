"""Bad input: one line naming what and where, exit code 2, no traceback, nothing stored is lost."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from alignscope.store import RunStore
from alignscope.testing.fault_server import FaultServer


def _one_line_error(res, expected: str) -> None:
    assert res.code == 2, (res.code, res.err)
    lines = [ln for ln in res.err.strip().splitlines() if ln.strip()]
    assert lines[-1].startswith("alignscope: error: "), res.err
    assert expected in lines[-1], lines[-1]
    assert "Traceback" not in res.err


def test_unknown_backend_in_config(tmp_path: Path, cli: Callable) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("models:\n  - name: a\n  - name: b\n    backend: hff\ndata: mt_bench\n")
    res = cli("generate", str(cfg), "--workspace", str(tmp_path / "ws"))
    _one_line_error(
        res, "config.yaml: models[1].backend: unknown backend 'hff' (choose auto, hf, llamacpp, openai, vllm)"
    )


def test_invalid_yaml_and_unknown_field(tmp_path: Path, cli: Callable) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("models: [\n")
    _one_line_error(cli("generate", str(cfg)), "bad.yaml: line")
    cfg.write_text("models:\n  - name: a\n    temprature: 1\ndata: mt_bench\n")
    _one_line_error(cli("generate", str(cfg)), "models[0].temprature: unknown field")


def test_missing_config_file(tmp_path: Path, cli: Callable) -> None:
    _one_line_error(cli("generate", str(tmp_path / "nope.yaml")), "nope.yaml: file not found")


def test_unknown_model_and_unknown_dataset(tmp_path: Path, cli: Callable) -> None:
    ws = str(tmp_path / "ws")
    _one_line_error(cli("generate", "-m", "hf:/no/such/model", "-d", "mt_bench", "-w", ws), "/no/such/model")
    _one_line_error(
        cli("generate", "-m", "hf:smollm2-135m", "-d", "no_such_set", "-w", ws), "unknown data set"
    )


def test_malformed_data_row(tmp_path: Path, cli: Callable) -> None:
    data = tmp_path / "prompts.jsonl"
    data.write_text('{"prompt": "ok"}\n{"prompt": "ok2"}\n{"prompt": \n')
    res = cli("generate", "-m", "hf:smollm2-135m", "-d", str(data), "-w", str(tmp_path / "ws"))
    _one_line_error(res, "prompts.jsonl: line 3: invalid JSON")
    data.write_text('{"prompt": "ok"}\n{"text": "no prompt here"}\n')
    res = cli("generate", "-m", "hf:smollm2-135m", "-d", str(data), "-w", str(tmp_path / "ws"))
    _one_line_error(res, "prompts.jsonl: row 2: no prompt")


def test_unreachable_server(tmp_path: Path, cli: Callable) -> None:
    data = tmp_path / "p.jsonl"
    data.write_text('{"prompt": "hi"}\n')
    res = cli("generate", "-m", "openai:m@http://127.0.0.1:9/v1", "-d", str(data), "-w", str(tmp_path / "ws"))
    _one_line_error(res, "127.0.0.1:9")


@pytest.mark.parametrize("bad", ["--limit=0", "--model=zzz:model"])
def test_bad_flags(tmp_path: Path, cli: Callable, bad: str) -> None:
    res = cli("generate", "-d", "mt_bench", "-m", "hf:smollm2-135m", bad, "-w", str(tmp_path / "ws"))
    assert res.code == 2 and "Traceback" not in res.err


def test_errors_lose_nothing_stored(tmp_path: Path, cli: Callable, fault_server: FaultServer) -> None:
    data = tmp_path / "p.jsonl"
    data.write_text("".join(json.dumps({"prompt": f"p{i}"}) + "\n" for i in range(5)))
    ws = str(tmp_path / "ws")
    ok = cli("generate", "-m", f"openai:fault-model@{fault_server.url}", "-d", str(data), "-w", ws, "--json")
    assert ok.code == 0, ok.err
    summary = json.loads(ok.out)
    assert summary["calls"]["calls_made"] == 5 and summary["models"][0]["ok"] == 5
    before = RunStore(ws).count("generations")
    bad = tmp_path / "bad.yaml"
    bad.write_text("models: [{name: a, backend: hff}]\ndata: mt_bench\n")
    _one_line_error(cli("generate", str(bad), "-w", ws), "unknown backend")
    data.write_text('{"prompt": \n')
    _one_line_error(
        cli("generate", "-m", f"openai:fault-model@{fault_server.url}", "-d", str(data), "-w", ws), "line 1"
    )
    assert RunStore(ws).count("generations") == before == 5
