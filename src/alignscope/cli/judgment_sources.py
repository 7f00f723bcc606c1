"""The judgment sources ``leaderboard`` and ``audit-judge`` take (their shared options, with the LC
difficulty policy) and ``load_tables``, which reads them into the analysis tables of
:mod:`alignscope.analysis.judgment_tables`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from alignscope.analysis.instruction_difficulty import LC_DIFFICULTY_POLICIES
from alignscope.analysis.judgment_tables import SHIPPED, JudgmentSources, JudgmentTables, collect_tables
from alignscope.cli.common import open_store
from alignscope.errors import ConfigError

RunsOpt = Annotated[list[str] | None, typer.Option("--run", help="A stored judge run; repeatable.")]
AnnotationsOpt = Annotated[
    list[Path] | None, typer.Option("--annotations", help="AlpacaEval annotations.json; repeatable.")
]
ArenaOpt = Annotated[
    list[Path] | None, typer.Option("--arena-hard", help="Arena-Hard / FastChat judgment JSONL; repeatable.")
]
ArenaAnswersOpt = Annotated[
    list[Path] | None,
    typer.Option("--arena-answers", help="Model answer JSONL for the Arena-Hard files (lengths, style)."),
]
ShippedOpt = Annotated[
    list[str] | None,
    typer.Option("--shipped", help=f"Judgments shipped with alignscope: {', '.join(SHIPPED)}."),
]
OnlyOpt = Annotated[list[str] | None, typer.Option("--only", help="Only these models (and the baseline).")]
ArenaBaselineOpt = Annotated[
    str, typer.Option("--arena-baseline", help="Baseline of Arena-Hard judgment files.")
]

LCDifficultyOpt = Annotated[
    str,
    typer.Option(
        "--lc-difficulty",
        help=f"Instruction difficulty of the LC win rate: {', '.join(LC_DIFFICULTY_POLICIES)} (auto: "
        "AlpacaEval's where it covers every instruction, else a joint fit over 2+ models, else none).",
    ),
]


def lc_policy(value: str) -> str:
    """``value`` if it names an LC difficulty policy, else a ConfigError naming the choices."""
    if value not in LC_DIFFICULTY_POLICIES:
        raise ConfigError(f"--lc-difficulty {value}: choose {', '.join(LC_DIFFICULTY_POLICIES)}")
    return value


def load_tables(
    workspace: Path | None,
    runs: Sequence[str] | None,
    annotations: Sequence[Path] | None,
    arena_hard: Sequence[Path] | None,
    arena_answers: Sequence[Path] | None,
    arena_baseline: str,
    shipped: Sequence[str] | None,
    only: Sequence[str] | None,
) -> JudgmentTables:
    """The tables of every source given (the options above), restricted to ``only`` (plus the baselines);
    ConfigError when no source is given."""
    sources = JudgmentSources(
        runs or (), annotations or (), arena_hard or (), arena_answers or (), arena_baseline, shipped or (),
        only or (),
    )  # fmt: skip
    if sources.empty:
        raise ConfigError(
            "give judgments: --run RUN, --annotations FILE, --arena-hard FILE or --shipped alpaca_eval"
        )
    return collect_tables(sources, open_store(workspace) if runs else None)
