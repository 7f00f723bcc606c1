"""The judgments ``leaderboard`` and ``audit_judge`` read (stored judge runs, AlpacaEval annotations,
Arena-Hard judgment files, shipped judgments) into the analysis tables, and the LC difficulty check."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict

from alignscope.analysis.instruction_difficulty import LC_DIFFICULTY_POLICIES
from alignscope.analysis.judgment_tables import (
    ARENA_BASELINE,
    JudgmentSources,
    JudgmentTables,
    collect_tables,
)
from alignscope.errors import ConfigError
from alignscope.store import RunStore


class SourceKeywords(TypedDict, total=False):
    """The keywords that name the judgments ``leaderboard`` and ``audit_judge`` read (with their stored judge
    ``runs``): AlpacaEval ``annotations``, Arena-Hard judgment files (``arena_hard``, their model answers
    ``arena_answers`` and ``arena_baseline``), ``shipped`` judgments, and ``only`` these models."""

    annotations: Sequence[Path | str]
    arena_hard: Sequence[Path | str]
    arena_answers: Sequence[Path | str]
    arena_baseline: str
    shipped: Sequence[str]
    only: Sequence[str]


def lc_policy(value: str) -> str:
    """``value`` if it names an LC difficulty policy, else a ConfigError naming the choices."""
    if value not in LC_DIFFICULTY_POLICIES:
        raise ConfigError(f"--lc-difficulty {value}: choose {', '.join(LC_DIFFICULTY_POLICIES)}")
    return value


def load_tables(
    workspace: Path | str | None,
    runs: Sequence[str] = (),
    annotations: Sequence[Path | str] = (),
    arena_hard: Sequence[Path | str] = (),
    arena_answers: Sequence[Path | str] = (),
    arena_baseline: str = ARENA_BASELINE,
    shipped: Sequence[str] = (),
    only: Sequence[str] = (),
) -> JudgmentTables:
    """The tables of every source given, restricted to ``only`` (plus the baselines); ConfigError when no
    source is given."""
    sources = JudgmentSources(
        runs=list(runs or ()),
        annotations=[Path(p) for p in annotations or ()],
        arena_hard=[Path(p) for p in arena_hard or ()],
        arena_answers=[Path(p) for p in arena_answers or ()],
        arena_baseline=arena_baseline,
        shipped=list(shipped or ()),
        only=list(only or ()),
    )
    if sources.empty:
        raise ConfigError(
            "give judgments: --run RUN, --annotations FILE, --arena-hard FILE or --shipped alpaca_eval"
        )
    return collect_tables(sources, RunStore(Path(workspace) if workspace else None) if runs else None)
