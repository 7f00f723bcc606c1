"""The Python API and the CLI are one code path: same run, same summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import alignscope
from alignscope.errors import ConfigError


def _without_timing(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k != "calls"}


def test_generate_api_equals_cli_json(cli, tmp_path: Path, hf_smollm2) -> None:
    workspace = str(tmp_path / "ws")
    args = ["-m", "hf:smollm2-135m", "-d", "mt_bench", "--limit", "2", "--max-tokens", "8", "-w", workspace]
    shown = cli("generate", *args, "--json")
    assert shown.code == 0, shown.err
    from_cli = json.loads(shown.out)
    result = alignscope.generate(["hf:smollm2-135m"], "mt_bench", limit=2, max_tokens=8, workspace=workspace)
    assert _without_timing(result.to_dict()) == _without_timing(from_cli)
    # the same run: every call the command made is answered from the cache
    assert (
        result.calls["calls_made"] == 0 and result.calls["cache_hits"] == from_cli["calls"]["calls_made"] > 0
    )
    assert list(result.models["ok"]) == [2]
    assert len(result.generations) == 2 and all(g.text for g in result.generations)


def test_generate_api_raises_instead_of_exiting() -> None:
    with pytest.raises(ConfigError, match="give --data"):
        alignscope.generate(["hf:smollm2-135m"])
