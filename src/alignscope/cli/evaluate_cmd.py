"""``alignscope evaluate``: models on AlpacaEval 2, Arena-Hard v0.1, MT-Bench and the SOS-Bench factors with
one judge; one table and a report. Resumable: rerun the same command to go on from the cache.

  alignscope evaluate -m MODEL [-m MODEL2 ...] -j JUDGE [--benchmarks alpaca_eval,arena_hard,mt_bench,sos]
                      [--limit N]
  alignscope evaluate CONFIG.yaml
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY
from alignscope.api.evaluate import evaluate as run_evaluate_api
from alignscope.cli import options as opt
from alignscope.cli.common import (
    finish_report,
    print_notes,
    print_table,
)
from alignscope.cli.judgment_sources import LCDifficultyOpt
from alignscope.evaluation.benchmarks import ALL_BENCHMARKS


def evaluate(
    config: Annotated[Path | None, typer.Argument(help="YAML config (models, judge, benchmarks).")] = None,
    model: opt.Model = None,
    judge: Annotated[
        str | None, typer.Option("--judge", "-j", help="Judge model as BACKEND:MODEL[@URL].")
    ] = None,
    benchmarks: Annotated[
        str, typer.Option(help=f"Comma-separated benchmarks out of {','.join(ALL_BENCHMARKS)}.")
    ] = ",".join(ALL_BENCHMARKS),
    limit: opt.Limit = None,
    max_tokens: Annotated[int, typer.Option(help="Maximum new tokens per answer.")] = 1024,
    judge_max_tokens: Annotated[int, typer.Option(help="Maximum tokens of a judgment.")] = 1024,
    task_max_tokens: Annotated[
        int | None, typer.Option(help="Maximum tokens of SOS-Bench generation tasks (default: their own).")
    ] = None,
    lc_difficulty: LCDifficultyOpt = DEFAULT_LC_DIFFICULTY,
    unparsed: Annotated[
        str,
        typer.Option(
            help="A judgment with no verdict in the benchmark's format: conclude (the judge's most likely "
            "verdict after its own text, where its backend gives log-likelihoods) or fail (left out)."
        ),
    ] = "conclude",
    api_key_env: opt.ApiKeyEnv = None,
    seed: opt.Seed = 0,
    run_id: opt.RunId = None,
    workspace: opt.Workspace = None,
    out: opt.ReportOut = None,
    json_out: opt.Json = False,
) -> None:
    """Evaluate models the way alignment papers report them: AlpacaEval 2 (LC), Arena-Hard (BT), MT-Bench and
    the concrete factors, with one judge of any backend; several --model give a leaderboard."""
    names = [b.strip() for b in benchmarks.split(",") if b.strip()]
    result = run_evaluate_api(
        model or (), judge, config=config, benchmarks=names, limit=limit, max_tokens=max_tokens,
        judge_max_tokens=judge_max_tokens, task_max_tokens=task_max_tokens, lc_difficulty=lc_difficulty,
        unparsed=unparsed,
        api_key_env=api_key_env, seed=seed, run_id=run_id, workspace=workspace, out=out,
    )  # fmt: skip
    table = result.table
    title = f"evaluate (judge {result.summary['judge']['name']})"
    print_table(title, list(table.columns), table.values.tolist(), json_mode=json_out)
    print_notes(result.notes)
    finish_report(result.outputs["html"], result.summary, result.to_dict(), json_mode=json_out)
