"""``alignscope generate``: models x a data set -> Generations in the run store (``alignscope.generate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alignscope.api.generate import generate as generate_answers
from alignscope.cli import options as opt
from alignscope.cli.common import finish, print_table


def generate(
    config: Annotated[Path | None, typer.Argument(help="YAML run config (models, data, sampling).")] = None,
    model: opt.Model = None,
    data: Annotated[str | None, typer.Option("--data", "-d", help="Bundled data set or file.")] = None,
    limit: opt.Limit = None,
    seed: opt.Seed = 0,
    max_tokens: Annotated[int, typer.Option(help="Maximum new tokens per answer.")] = 256,
    temperature: Annotated[float, typer.Option(help="Sampling temperature (0 = greedy).")] = 0.0,
    api_key_env: opt.ApiKeyEnv = None,
    run_id: opt.RunId = None,
    workspace: opt.Workspace = None,
    json_out: opt.Json = False,
) -> None:
    """Generate answers of one or more models to a data set; resumable, cached."""
    result = generate_answers(
        model or (), data, config=config, limit=limit, seed=seed, max_tokens=max_tokens,
        temperature=temperature, api_key_env=api_key_env, run_id=run_id, workspace=workspace,
    )  # fmt: skip
    summary = result.to_dict()
    print_table(
        f"generate: {summary['data']} ({summary['n_items']} items)",
        ["model", "n", "ok", "failed", "mean tokens"],
        [[m["model"], m["n"], m["ok"], m["failed"], m["mean_completion_tokens"]] for m in summary["models"]],
        json_mode=json_out,
    )
    finish(summary, json_mode=json_out)
    if result.failed:
        raise typer.Exit(1)
