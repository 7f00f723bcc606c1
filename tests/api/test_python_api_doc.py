"""docs/python-api.md's walkthrough runs as written on the embedded model, and a second run makes no model
call."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "python-api.md"


def code_blocks() -> list[str]:
    """The page's ```python blocks, in order."""
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def run_page() -> dict:
    namespace: dict = {}
    for i, block in enumerate(code_blocks()):
        exec(compile(block, f"{DOC.name} block {i + 1}", "exec"), namespace)
    return namespace


@pytest.mark.timeout(1800)  # a few minutes on 2 idle cores; much longer on a loaded machine
def test_walkthrough_runs_and_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hf_smollm2) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALIGNSCOPE_WORKSPACE", str(tmp_path / "ws"))
    assert len(code_blocks()) == 4
    first = run_page()
    scores = first["scores"]
    assert sorted(scores["model"]) == ["careful", "plain", "terse", "verbose"]
    assert scores["ifeval"].between(0, 1).all() and scores["judge:rating"].notna().all()
    assert first["result"].verdicts and (tmp_path / "judge-vs-ifeval.svg").read_text().startswith("<svg")
    assert first["answers"].calls["calls_made"] > 0
    again = run_page()
    for name in ("answers", "judged", "concrete"):
        assert again[name].calls["calls_made"] == 0, name
    assert again["scores"].equals(scores)
