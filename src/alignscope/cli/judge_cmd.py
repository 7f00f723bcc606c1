"""``alignscope judge``: run a judge over stored Generations, answer files or eval logs -> Judgments in the
run store (``alignscope.judge``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY
from alignscope.api.judge import judge as judge_answers
from alignscope.cli import options as opt
from alignscope.cli.common import err_console, finish, print_notes, print_table
from alignscope.cli.eval_log_option import from_logs_option
from alignscope.cli.judgment_sources import LCDifficultyOpt
from alignscope.judges.modes import get_judge_mode


def judge(
    config: Annotated[
        Path | None, typer.Argument(help="YAML judge config (judge, run or answers, baseline).")
    ] = None,
    judge_model: Annotated[
        str | None,
        typer.Option(
            "--judge", "-j", help="Judge model as BACKEND:MODEL or BACKEND:MODEL@URL (e.g. hf:smollm2-135m)."
        ),
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            help="Judge mode: pairwise, pointwise, criteria, rubric, or meta (the meta-judge of "
            "Meta-Rewarding: which of two stored rubric judgments of an answer is better); plugins may add "
            "others."
        ),
    ] = "pairwise",
    template: Annotated[
        str | None, typer.Option(help="Bundled template name or .j2 file (default per mode).")
    ] = None,
    logprob: Annotated[
        bool, typer.Option("--logprob", help="Verdict from next-token probabilities.")
    ] = False,
    run: Annotated[
        str | None, typer.Option("--run", help="Judge the Generations of this stored run.")
    ] = None,
    answers: Annotated[
        list[Path] | None,
        typer.Option(
            "--answers", "-a", help="Answer file (JSON/JSONL), or an eval log as with --from; repeatable."
        ),
    ] = None,
    from_logs: Annotated[
        list[str] | None, from_logs_option("Answers (the log's model as the judged model) in")
    ] = None,
    data: Annotated[
        str | None, typer.Option("--data", "-d", help="Questions for answer files that lack them.")
    ] = None,
    baseline: Annotated[str | None, typer.Option(help="Baseline model of pairwise modes.")] = None,
    judged: Annotated[
        list[str] | None, typer.Option("--judged", help="Only these models; repeatable.")
    ] = None,
    samples: Annotated[int, typer.Option(help="Judgments per answer (rubric: averaged).")] = 1,
    parse_retries: Annotated[int, typer.Option(help="Retries of an unparseable verdict.")] = 2,
    max_tokens: Annotated[int, typer.Option(help="Maximum tokens of a judgment.")] = 1024,
    temperature: Annotated[float, typer.Option(help="Judge sampling temperature.")] = 0.0,
    no_swap: Annotated[bool, typer.Option("--no-swap", help="Judge pairs in one order only.")] = False,
    api_key_env: Annotated[
        str | None, typer.Option(help="Environment variable with the judge's API key.")
    ] = None,
    lc_difficulty: LCDifficultyOpt = DEFAULT_LC_DIFFICULTY,
    limit: opt.Limit = None,
    seed: opt.Seed = 0,
    run_id: opt.RunId = None,
    workspace: opt.Workspace = None,
    json_out: opt.Json = False,
) -> None:
    """Judge answers pairwise (both orders), pointwise, by criteria or rubric; or meta-judge judgments."""
    result = judge_answers(
        judge_model, config=config, mode=mode, template=template, logprob=logprob, run=run,
        answers=answers or (), from_logs=from_logs or (), data=data, baseline=baseline, judged=judged,
        samples=samples, parse_retries=parse_retries, max_tokens=max_tokens, temperature=temperature,
        swap=not no_swap, api_key_env=api_key_env, lc_difficulty=lc_difficulty, limit=limit, seed=seed,
        run_id=run_id, workspace=workspace,
    )  # fmt: skip
    summary = result.to_dict()
    err_console.print(f"[dim]run {result.run_id} in {result.workspace}[/dim]")
    judge_info = summary["judge"]
    _print(judge_info["label"], judge_info["template"], judge_info["template_hash"], summary["mode"],
           summary["models"], json_out)  # fmt: skip
    print_notes(summary["notes"])
    finish(summary, json_mode=json_out)


def _print(
    label: str, template: str, version: str, mode: str, rows: list[dict[str, Any]], json_mode: bool
) -> None:
    if get_judge_mode(mode).kind == "pair":
        cols = ["model", "pairs", "win rate", "s.e.", "LC win rate", "LC s.e.", "rating", "wins", "ties",
                "losses", "inconsistent", "parse failures"]  # fmt: skip
        body = [
            [r["model"], r["pairs"], r.get("win_rate"), r.get("standard_error"), r.get("lc_win_rate"),
             r.get("lc_standard_error"), r.get("rating"), r["wins"], r["ties"], r["losses"],
             f"{r['inconsistent']}/{r['both_orders']}", _failures(r)]
            for r in rows
        ]  # fmt: skip
    else:
        cols = ["model", "judgments", "mean score", "rating", "parse failures"]
        body = [
            [r["model"], r["judgments"], r.get("mean_score"), r.get("rating"), _failures(r)] for r in rows
        ]
    print_table(f"judge {label} ({mode}; template {template} @{version})", cols, body, json_mode=json_mode)


def _failures(row: dict[str, Any]) -> str:
    return f"{row['failed']}/{row['judgments']} ({row['failure_rate']:.1%})"
