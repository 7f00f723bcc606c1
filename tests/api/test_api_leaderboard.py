"""``alignscope.leaderboard`` and ``alignscope leaderboard --json`` are one code path."""

from __future__ import annotations

import json

import pytest

import alignscope
from alignscope.errors import ConfigError

MODELS = ["alpaca-7b", "alpaca-7b_verbose", "claude-2.1"]


def test_leaderboard_api_equals_cli_json(cli) -> None:
    only = [a for m in MODELS for a in ("--only", m)]
    shown = cli("leaderboard", "--shipped", "alpaca_eval", *only, "--bootstrap", "20", "--no-style", "--json")
    assert shown.code == 0, shown.err
    board = alignscope.leaderboard(shipped=["alpaca_eval"], only=MODELS, bootstrap=20, style=False)
    assert board.to_dict() == json.loads(shown.out)
    models = board.models.set_index("model")
    assert set(MODELS) <= set(models.index)
    assert models.loc[board.board.anchor, "rating"] == pytest.approx(1000.0)
    # the verbose variant of Alpaca 7B wins more often than the plain one (AlpacaEval's length effect)
    assert models.loc["alpaca-7b_verbose", "win_rate"] > models.loc["alpaca-7b", "win_rate"]
    assert board.style_coefficients.empty


def test_leaderboard_api_raises_instead_of_exiting() -> None:
    with pytest.raises(ConfigError, match="give judgments"):
        alignscope.leaderboard()
    with pytest.raises(ConfigError, match="--lc-difficulty nope"):
        alignscope.leaderboard(shipped=["alpaca_eval"], lc_difficulty="nope")
