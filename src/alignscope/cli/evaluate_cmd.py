"""``alignscope evaluate``: models on AlpacaEval 2, Arena-Hard v0.1, MT-Bench and the SOS-Bench factors with
one judge; one table and a report. Resumable: rerun the same command to go on from the cache.

  alignscope evaluate -m MODEL [-m MODEL2 ...] -j JUDGE [--benchmarks alpaca_eval,arena_hard,mt_bench,sos]
                      [--limit N]
  alignscope evaluate CONFIG.yaml
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY
from alignscope.cli.common import (
    ApiKeyEnvOpt,
    JsonOpt,
    LimitOpt,
    ModelOpt,
    ReportOutOpt,
    RunIdOpt,
    SeedOpt,
    WorkspaceOpt,
    begin_run,
    emit_json,
    end_run,
    err_console,
    open_store,
    print_table,
    save_report,
)
from alignscope.cli.judgment_sources import LCDifficultyOpt
from alignscope.config import ModelSpec, load_config, validate_config
from alignscope.errors import ConfigError
from alignscope.evaluation.benchmarks import ALL_BENCHMARKS
from alignscope.evaluation.config import EvaluateConfig


def evaluate(
    config: Annotated[Path | None, typer.Argument(help="YAML config (models, judge, benchmarks).")] = None,
    model: ModelOpt = None,
    judge: Annotated[
        str | None, typer.Option("--judge", "-j", help="Judge model as BACKEND:MODEL[@URL].")
    ] = None,
    benchmarks: Annotated[
        str, typer.Option(help=f"Comma-separated benchmarks out of {','.join(ALL_BENCHMARKS)}.")
    ] = ",".join(ALL_BENCHMARKS),
    limit: LimitOpt = None,
    max_tokens: Annotated[int, typer.Option(help="Maximum new tokens per answer.")] = 1024,
    judge_max_tokens: Annotated[int, typer.Option(help="Maximum tokens of a judgment.")] = 1024,
    task_max_tokens: Annotated[
        int | None, typer.Option(help="Maximum tokens of SOS-Bench generation tasks (default: their own).")
    ] = None,
    lc_difficulty: LCDifficultyOpt = DEFAULT_LC_DIFFICULTY,
    api_key_env: ApiKeyEnvOpt = None,
    seed: SeedOpt = 0,
    run_id: RunIdOpt = None,
    workspace: WorkspaceOpt = None,
    out: ReportOutOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Evaluate models the way alignment papers report them: AlpacaEval 2 (LC), Arena-Hard (BT), MT-Bench and
    the concrete factors, with one judge of any backend; several --model give a leaderboard."""
    from alignscope.evaluation.run import backend_cache, evaluate_models
    from alignscope.evaluation.table import summary_table
    from alignscope.report.evaluation import evaluation_report, judge_lines

    if config is not None:
        cfg = load_config(config, EvaluateConfig)
    else:
        options = (max_tokens, judge_max_tokens, task_max_tokens, lc_difficulty, seed)
        cfg = _config(model, judge, benchmarks, limit, api_key_env, *options)
    store = open_store(workspace)
    engine = begin_run(store, "evaluate", cfg.model_dump(mode="json"), run_id, progress=True)
    result = evaluate_models(engine, cfg.models, cfg.judge, cfg, backend_cache())
    columns, rows = summary_table(result)
    print_table(f"evaluate (judge {cfg.judge.name})", columns, rows, json_mode=json_out)
    for line in judge_lines(result) + result["notes"]:
        err_console.print(f"[dim]note: {line}[/dim]")
    facts = {"run": engine.run_id, "judge": f"{cfg.judge.backend}:{cfg.judge.model}",
             "limit": str(cfg.limit or "all")}  # fmt: skip
    outputs = save_report(engine, evaluation_report(result, facts), out, json_mode=json_out)
    summary = end_run(engine, {**result, "outputs": outputs}, json_mode=json_out)
    if json_out:
        emit_json(summary)


def _config(
    models: list[str] | None,
    judge: str | None,
    benchmarks: str,
    limit: int | None,
    api_key_env: str | None,
    max_tokens: int,
    judge_max_tokens: int,
    task_max_tokens: int | None,
    lc_difficulty: str,
    seed: int,
) -> EvaluateConfig:
    if not models:
        raise ConfigError("give a config file or at least one --model (e.g. --model hf:smollm2-135m)")
    if not judge:
        raise ConfigError("give --judge (e.g. --judge hf:smollm2-135m or openai:MODEL@URL)")
    raw: dict[str, Any] = {
        "models": [ModelSpec.parse(m, api_key_env).model_dump() for m in models],
        "judge": ModelSpec.parse(judge, api_key_env).model_dump(),
        "benchmarks": [b.strip() for b in benchmarks.split(",") if b.strip()],
        "limit": limit,
        "max_tokens": max_tokens,
        "judge_max_tokens": judge_max_tokens,
        "task_max_tokens": task_max_tokens,
        "lc_difficulty": lc_difficulty,
        "seed": seed,
    }
    return validate_config(raw, EvaluateConfig, "command line")
