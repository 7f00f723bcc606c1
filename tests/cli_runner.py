"""Run the CLI in-process through its real entry point (``main``), capturing exit code and output."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from alignscope.cli.main import main


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., CliResult]:
    """``cli("generate", "--data", ...)`` -> exit code, stdout, stderr; run in ``tmp_path`` (default output
    folders such as ``reports/RUN`` land there, not in the checkout)."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["alignscope", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
