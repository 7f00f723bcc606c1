"""``alignscope generate``: models x a data set -> Generations in the run store."""

from __future__ import annotations

from pathlib import Path
from statistics import mean
from typing import Annotated

import typer

from alignscope.cli.common import (
    ApiKeyEnvOpt,
    JsonOpt,
    LimitOpt,
    ModelOpt,
    RunIdOpt,
    SeedOpt,
    WorkspaceOpt,
    begin_run,
    emit_json,
    end_run,
    open_store,
    print_table,
    ready_backends,
)
from alignscope.config import GenerateConfig, ModelSpec, load_config, validate_config
from alignscope.data import load_items
from alignscope.engine.generation import generate_items
from alignscope.errors import ConfigError
from alignscope.records import SamplingParams


def generate(
    config: Annotated[Path | None, typer.Argument(help="YAML run config (models, data, sampling).")] = None,
    model: ModelOpt = None,
    data: Annotated[str | None, typer.Option("--data", "-d", help="Bundled data set or file.")] = None,
    limit: LimitOpt = None,
    seed: SeedOpt = 0,
    max_tokens: Annotated[int, typer.Option(help="Maximum new tokens per answer.")] = 256,
    temperature: Annotated[float, typer.Option(help="Sampling temperature (0 = greedy).")] = 0.0,
    api_key_env: ApiKeyEnvOpt = None,
    run_id: RunIdOpt = None,
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Generate answers of one or more models to a data set; resumable, cached."""
    cfg = _config(config, model, data, limit, seed, max_tokens, temperature, api_key_env)
    store = open_store(workspace)
    items = load_items(cfg.data, limit=cfg.limit, seed=cfg.seed)
    backends = ready_backends(cfg.models)
    engine = begin_run(store, "generate", cfg.model_dump(mode="json"), run_id, progress=True)
    store.put_items(items)
    per_model = []
    for spec, backend in zip(cfg.models, backends, strict=True):
        gens = generate_items(engine, backend, spec, items, cfg.sampling)
        store.put_generations(gens)
        ok = [g for g in gens if g.error is None]
        per_model.append(
            {
                "model": spec.name,
                "n": len(gens),
                "ok": len(ok),
                "failed": len(gens) - len(ok),
                "mean_completion_tokens": mean(g.completion_tokens or 0 for g in ok) if ok else None,
            }
        )
    print_table(
        f"generate: {cfg.data} ({len(items)} items)",
        ["model", "n", "ok", "failed", "mean tokens"],
        [[m["model"], m["n"], m["ok"], m["failed"], m["mean_completion_tokens"]] for m in per_model],
        json_mode=json_out,
    )
    summary = end_run(engine, {"data": cfg.data, "models": per_model}, json_mode=json_out)
    if json_out:
        emit_json(summary)
    if engine.stats.failures:
        raise typer.Exit(1)


def _config(
    path: Path | None,
    models: list[str] | None,
    data: str | None,
    limit: int | None,
    seed: int,
    max_tokens: int,
    temperature: float,
    api_key_env: str | None,
) -> GenerateConfig:
    if path is not None:
        cfg = load_config(path, GenerateConfig)
        updates = {k: v for k, v in (("data", data), ("limit", limit)) if v is not None}
        return cfg.model_copy(update=updates)
    if not models:
        raise ConfigError("give a config file or at least one --model (e.g. --model hf:smollm2-135m)")
    if not data:
        raise ConfigError("give --data (a bundled data set, see `alignscope data list`, or a file)")
    raw = {
        "models": [ModelSpec.parse(m, api_key_env).model_dump() for m in models],
        "data": data,
        "limit": limit,
        "seed": seed,
        "sampling": SamplingParams(max_tokens=max_tokens, temperature=temperature, seed=seed).model_dump(),
    }
    return validate_config(raw, GenerateConfig, "command line")
