"""``alignscope leaderboard``: win rate, length-controlled win rate and Bradley-Terry ratings (with and
without style control) with their uncertainty, from stored judge runs and from the files other tools write."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY
from alignscope.analysis.leaderboard import BT_BOOTSTRAP
from alignscope.api.leaderboard import leaderboard as judged_leaderboard
from alignscope.cli import options as opt
from alignscope.cli.common import emit_json, print_notes, print_table
from alignscope.cli.judgment_sources import JudgmentSourceOptions, LCDifficultyOpt
from alignscope.cli.option_groups import with_groups


@with_groups(judgments=JudgmentSourceOptions)
def leaderboard(
    judgments: JudgmentSourceOptions,
    anchor: Annotated[str | None, typer.Option(help="Model rated 1000 (default: the baseline).")] = None,
    bootstrap: Annotated[
        int, typer.Option(help="Bootstrap rounds over prompts for the rating CIs.")
    ] = BT_BOOTSTRAP,
    style: Annotated[
        bool, typer.Option("--style/--no-style", help="Also fit style-controlled ratings.")
    ] = True,
    lc: Annotated[bool, typer.Option("--lc/--no-lc", help="Fit length-controlled win rates.")] = True,
    lc_difficulty: LCDifficultyOpt = DEFAULT_LC_DIFFICULTY,
    seed: opt.Seed = 0,
    workspace: opt.Workspace = None,
    json_out: opt.Json = False,
) -> None:
    """Leaderboard of judged models from stored runs, AlpacaEval annotations or Arena-Hard judgments."""
    result = judged_leaderboard(
        **judgments.sources(),
        anchor=anchor, bootstrap=bootstrap, style=style, lc=lc, lc_difficulty=lc_difficulty, seed=seed,
        workspace=workspace,
    ).to_dict()  # fmt: skip
    _print(result, json_out)
    if json_out:
        emit_json(result)


def _print(result: dict[str, Any], json_mode: bool) -> None:
    cols = [
        "model",
        "n",
        "win rate",
        "s.e.",
        "LC win rate",
        "LC s.e.",
        "rating",
        "95% CI",
        "styled",
        "styled CI",
    ]
    body = []
    for r in result["models"]:
        ci = f"{r['rating_lower']:.0f}..{r['rating_upper']:.0f}" if r.get("rating") is not None else None
        sci = (
            f"{r['rating_sc_lower']:.0f}..{r['rating_sc_upper']:.0f}"
            if r.get("rating_sc") is not None
            else None
        )
        body.append([r["model"], r.get("n"), r.get("win_rate"), r.get("standard_error"), r.get("lc_win_rate"),
                     r.get("lc_standard_error"), r.get("rating"), ci, r.get("rating_sc"), sci])  # fmt: skip
    rate = result["parse_failure_rate"]
    title = (
        f"leaderboard (anchor {result['anchor']} = 1000; {result['verdicts']} verdicts, parse failures "
        f"{result['parse_failures']}" + (f" = {rate:.1%})" if rate is not None else ")")
    )
    print_table(title, cols, body, json_mode=json_mode)
    if result["style_coefficients"]:
        print_table(
            "style coefficients (logit per sd)",
            ["feature", "coef", "lower", "upper"],
            [[s["feature"], s["coef"], s["lower"], s["upper"]] for s in result["style_coefficients"]],
            json_mode=json_mode,
        )
    print_notes(result["notes"])
