"""``alignscope.bench`` and ``alignscope bench`` are one code path: same run, same summary, same report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import alignscope
from alignscope.errors import ConfigError


def test_bench_api_equals_cli_json(cli, tmp_path: Path, hf_smollm2) -> None:
    workspace = str(tmp_path / "ws")
    args = ["ifeval", "-m", "hf:smollm2-135m", "--limit", "2", "--max-tokens", "8", "-w", workspace]
    shown = cli("bench", *args, "--json")
    assert shown.code == 0, shown.err
    from_cli = json.loads(shown.out)
    result = alignscope.bench(["ifeval"], ["hf:smollm2-135m"], limit=2, max_tokens=8, workspace=workspace)
    assert {k: v for k, v in result.to_dict().items() if k != "calls"} == {
        k: v for k, v in from_cli.items() if k != "calls"
    }
    assert result.calls["calls_made"] == 0 and result.calls["cache_hits"] == from_cli["calls"]["calls_made"]
    assert list(result.tasks["task"]) == ["ifeval"] and result.tasks["n"].iloc[0] == 2
    assert set(result.groups["group"]) == {"instruction_following"}
    assert [t.task for t in result.result.tasks] == ["ifeval"]
    assert Path(result.outputs["html"]).is_file()


def test_bench_api_errors_are_exceptions() -> None:
    with pytest.raises(ConfigError, match="at least one --model"):
        alignscope.bench(["ifeval"])
    with pytest.raises(ConfigError, match="--limit must be at least 1"):
        alignscope.bench(["ifeval"], ["hf:smollm2-135m"], limit=0)
    with pytest.raises(ConfigError, match="unknown task"):
        alignscope.bench(["no-such-task"], ["hf:smollm2-135m"])
