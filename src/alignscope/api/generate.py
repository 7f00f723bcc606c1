"""``generate``: models x a data set -> Generations in the run store (the ``alignscope generate`` command)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean

import pandas as pd

from alignscope.api.runs import RunResult, close_run, model_specs, open_run
from alignscope.config import GenerateConfig, ModelSpec, load_config, validate_config
from alignscope.data import load_items
from alignscope.engine.generation import generate_items
from alignscope.errors import ConfigError
from alignscope.records import Generation, SamplingParams
from alignscope.store import RunStore


@dataclass
class GenerateResult(RunResult):
    """Per-model counts (``models``: model, n, ok, failed, mean_completion_tokens) and the Generations."""

    generations: list[Generation] = field(default_factory=list, repr=False)

    @property
    def models(self) -> pd.DataFrame:
        """One row per model: answers made, succeeded, failed, mean completion tokens."""
        return pd.DataFrame(self.summary["models"])


def generate(
    models: Sequence[str | ModelSpec] = (),
    data: str | None = None,
    *,
    config: GenerateConfig | Path | str | None = None,
    limit: int | None = None,
    seed: int = 0,
    max_tokens: int = 256,
    temperature: float = 0.0,
    api_key_env: str | None = None,
    run_id: str | None = None,
    workspace: Path | str | None = None,
    progress: bool = True,
) -> GenerateResult:
    """Answers of each model to the items of ``data`` (a bundled set or a file); resumable and cached.

    Example::

        result = alignscope.generate(["hf:smollm2-135m"], "mt_bench", limit=2, max_tokens=16)
        print(result.models[["model", "ok", "failed"]], result.calls["calls_made"])
    """
    cfg = generate_config(config, models, data, limit, seed, max_tokens, temperature, api_key_env)
    from alignscope.backends.registry import ready_backends

    store = RunStore(Path(workspace) if workspace else None)
    items = load_items(cfg.data, limit=cfg.limit, seed=cfg.seed)
    backends = ready_backends(cfg.models)
    engine, _ = open_run(store, "generate", cfg.model_dump(mode="json"), run_id, progress=progress)
    store.put_items(items)
    per_model, made = [], []
    for spec, backend in zip(cfg.models, backends, strict=True):
        gens = generate_items(engine, backend, spec, items, cfg.sampling)
        store.put_generations(gens)
        made += gens
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
    summary = close_run(engine, {"data": cfg.data, "n_items": len(items), "models": per_model})
    return GenerateResult(summary, made)


def generate_config(
    config: GenerateConfig | Path | str | None,
    models: Sequence[str | ModelSpec],
    data: str | None,
    limit: int | None,
    seed: int,
    max_tokens: int,
    temperature: float,
    api_key_env: str | None,
) -> GenerateConfig:
    """The run's config: a config (object or YAML file) with ``data`` / ``limit`` overriding it, or one built
    from the models and options; ConfigError naming what is missing."""
    if config is not None:
        cfg = config if isinstance(config, GenerateConfig) else load_config(Path(config), GenerateConfig)
        updates = {k: v for k, v in (("data", data), ("limit", limit)) if v is not None}
        return cfg.model_copy(update=updates)
    if not models:
        raise ConfigError("give a config file or at least one --model (e.g. --model hf:smollm2-135m)")
    if not data:
        raise ConfigError("give --data (a bundled data set, see `alignscope data list`, or a file)")
    raw = {
        "models": [s.model_dump() for s in model_specs(models, api_key_env)],
        "data": data,
        "limit": limit,
        "seed": seed,
        "sampling": SamplingParams(max_tokens=max_tokens, temperature=temperature, seed=seed).model_dump(),
    }
    return validate_config(raw, GenerateConfig, "command line")
