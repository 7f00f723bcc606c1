"""The options of the judgment sources ``leaderboard`` and ``audit-judge`` take (with the LC difficulty
policy); ``alignscope.api.judgment_sources`` reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alignscope.analysis.instruction_difficulty import LC_DIFFICULTY_POLICIES
from alignscope.analysis.judgment_tables import SHIPPED

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
