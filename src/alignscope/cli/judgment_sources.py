"""The options of the judgment sources ``leaderboard`` and ``audit-judge`` take (``JudgmentSourceOptions``,
with ``alignscope.cli.option_groups``) and the LC difficulty policy; ``alignscope.api.judgment_sources`` reads
them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from alignscope.analysis.instruction_difficulty import LC_DIFFICULTY_POLICIES
from alignscope.analysis.judgment_tables import ARENA_BASELINE, SHIPPED

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


@dataclass(frozen=True)
class JudgmentSourceOptions:
    """The judgments a command reads: ``--run``, ``--annotations``, ``--arena-hard`` (with
    ``--arena-answers`` and ``--arena-baseline``), ``--shipped``, restricted to ``--only``."""

    run: RunsOpt = None
    annotations: AnnotationsOpt = None
    arena_hard: ArenaOpt = None
    arena_answers: ArenaAnswersOpt = None
    shipped: ShippedOpt = None
    only: OnlyOpt = None
    arena_baseline: ArenaBaselineOpt = ARENA_BASELINE

    def sources(self) -> dict[str, Any]:
        """The keywords of ``alignscope.api.leaderboard`` and ``audit_judge`` that name the judgments."""
        return {
            "runs": self.run or (), "annotations": self.annotations or (),
            "arena_hard": self.arena_hard or (), "arena_answers": self.arena_answers or (),
            "shipped": self.shipped or (), "only": self.only or (), "arena_baseline": self.arena_baseline,
        }  # fmt: skip
