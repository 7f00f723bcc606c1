"""``leaderboard``: win rate, LC win rate and Bradley-Terry ratings (with and without style control) of
judged models, from stored judge runs and the files other tools write (the ``alignscope leaderboard``
command)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Unpack

import pandas as pd

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY
from alignscope.analysis.judgment_tables import JudgmentTables
from alignscope.analysis.leaderboard import BT_BOOTSTRAP, Leaderboard, judge_leaderboard, number
from alignscope.api.judgment_sources import SourceKeywords, lc_policy, load_tables
from alignscope.errors import ConfigError, DataError


@dataclass
class LeaderboardResult:
    """The leaderboard (``board``: the analysis layer's :class:`Leaderboard`) of the judgment ``tables``;
    ``to_dict()`` is the command's ``--json`` object."""

    board: Leaderboard
    tables: JudgmentTables = field(repr=False)
    bootstrap: int
    lc: bool

    @property
    def models(self) -> pd.DataFrame:
        """One row per model: n, win rate, LC win rate, standard errors, rating and CI (plain and styled)."""
        return pd.DataFrame(self.board.rows())

    @property
    def style_coefficients(self) -> pd.DataFrame:
        """The style features' coefficients (logit per sd) with their CIs; empty without style control."""
        return self.board.style

    @property
    def notes(self) -> list[str]:
        """What could not be computed, and why."""
        return self.board.notes

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: anchor, judges, verdict counts, LC policy, model rows, style coefficients, notes."""
        tables = self.tables
        return {
            "anchor": self.board.anchor,
            "judges": tables.judges,
            "verdicts": tables.n_verdicts,
            "parse_failures": tables.n_failed,
            "parse_failure_rate": tables.failure_rate,
            "bootstrap": self.bootstrap,
            "lc": self.board.lc_summary() if self.lc else None,
            "models": self.board.rows(),
            "style_coefficients": [
                {"feature": f, **{k: number(r[k]) for k in ("coef", "lower", "upper")}}
                for f, r in self.board.style.iterrows()
            ],
            "notes": self.board.notes,
        }


def leaderboard(
    runs: Sequence[str] = (),
    *,
    anchor: str | None = None,
    bootstrap: int = BT_BOOTSTRAP,
    style: bool = True,
    lc: bool = True,
    lc_difficulty: str = DEFAULT_LC_DIFFICULTY,
    seed: int = 0,
    workspace: Path | str | None = None,
    **sources: Unpack[SourceKeywords],
) -> LeaderboardResult:
    """The leaderboard of the judgments in stored judge ``runs`` and ``sources`` (``SourceKeywords``:
    AlpacaEval annotations, Arena-Hard judgment files, shipped judgments, only): ratings anchored at
    ``anchor`` (default: the baseline) with ``bootstrap`` prompt resamples. ConfigError without judgments,
    DataError when nothing can be ranked.

    Example::

        board = alignscope.leaderboard(shipped=["alpaca_eval"], only=["alpaca-7b"], bootstrap=20)
        print(board.models[["model", "win_rate", "lc_win_rate", "rating"]])
    """
    policy = lc_policy(lc_difficulty)
    tables = load_tables(workspace, runs, **sources)
    board = judge_leaderboard(
        tables, anchor, lc=lc, lc_difficulty=policy, style=style, n_bootstrap=bootstrap, seed=seed
    )
    if anchor and board.ratings.empty:
        raise ConfigError(f"--anchor {anchor}: {board.notes[-1]}")
    if board.rates.empty and board.ratings.empty:
        raise DataError("; ".join(board.notes) or "no judged numbers")
    return LeaderboardResult(board, tables, bootstrap, lc)
