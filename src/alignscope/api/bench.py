"""``bench``: concrete ground-truth tasks for models, factor and vertical scores with CIs, and the report (the
``alignscope bench`` command)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from alignscope.api.runs import RunResult, close_run, model_specs, open_run, publish_run_report
from alignscope.config import ModelSpec, load_config, validate_config
from alignscope.errors import ConfigError
from alignscope.store import RunStore
from alignscope.tasks.bench_config import BenchConfig
from alignscope.tasks.registry import Task
from alignscope.tasks.runner import BenchResult, run_bench
from alignscope.tasks.scorers import parse_scorer_options
from alignscope.tasks.suites import missing_sos


@dataclass
class BenchRunResult(RunResult):
    """A bench run: ``tasks`` (per model and task: metric, value, CI, normalised score), ``groups`` (per
    model, factor or vertical: score, CI), ``missing`` (SOS-Bench tasks without data here), the report's
    files (``outputs``) and the scores as computed (``result``: TaskScores and GroupScores)."""

    result: BenchResult = field(default_factory=BenchResult, repr=False)

    @property
    def tasks(self) -> pd.DataFrame:
        """One row per model and task."""
        return pd.DataFrame(self.summary["bench"]["tasks"])

    @property
    def groups(self) -> pd.DataFrame:
        """One row per model and factor or vertical."""
        return pd.DataFrame(self.summary["bench"]["groups"])

    @property
    def missing(self) -> list[dict[str, Any]]:
        """SOS-Bench tasks that did not run for lack of data, with how to add each."""
        return self.summary["missing"]

    @property
    def outputs(self) -> dict[str, Any]:
        """The report's files (``html``, ...)."""
        return self.summary["outputs"]


def bench(
    targets: Sequence[str] = (),
    models: Sequence[str | ModelSpec] = (),
    *,
    config: BenchConfig | Path | str | None = None,
    limit: int | None = None,
    seed: int = 0,
    max_tokens: int | None = None,
    samples: int | None = None,
    temperature: float | None = None,
    protocol: str | None = None,
    scorers: Mapping[str, Mapping[str, Any]] | Sequence[str] | None = None,
    api_key_env: str | None = None,
    run_id: str | None = None,
    workspace: Path | str | None = None,
    out: Path | str | None = None,
    progress: bool = True,
) -> BenchRunResult:
    """Run suites (``sos``, ``sos-extended``, ``trust``, ``all``) and/or tasks for models; resumable and
    cached; writes the report (default ``reports/RUN``). ``scorers``: options by scorer name, or
    ``NAME:KEY=VALUE`` texts as ``--scorer`` takes them.

    Example::

        result = alignscope.bench(["ifeval"], ["hf:smollm2-135m"], limit=1, max_tokens=8)
        print(result.tasks[["model", "task", "value"]], result.outputs["html"])
    """
    flags = {
        "limit": limit, "max_tokens": max_tokens, "samples": samples, "temperature": temperature,
        "protocol": protocol,
    }  # fmt: skip
    cfg = bench_config(config, targets, models, flags, seed=seed, scorers=scorers, api_key_env=api_key_env)
    from alignscope.backends.registry import ready_backends
    from alignscope.report.bench import bench_report

    tasks, groups = cfg.resolve()
    store = RunStore(Path(workspace) if workspace else None)
    backends = ready_backends(cfg.models)
    engine, _ = open_run(store, "bench", cfg.run_config(), run_id, progress=progress)
    result = run_bench(
        engine, list(zip(cfg.models, backends, strict=True)), tasks, groups=groups, limit=cfg.limit,
        seed=cfg.seed, max_tokens=cfg.max_tokens, samples=cfg.samples, temperature=cfg.temperature,
        scorer_options=cfg.scorers,
    )  # fmt: skip
    store.put_artifact(engine.run_id, "bench", result.to_dict())
    gaps = missing_sos() if {"sos", "sos-extended", "all"} & set(cfg.tasks) else []
    report = bench_report(result, [s.name for s in cfg.models], cfg.limit, cfg.seed, _facts(cfg, tasks), gaps)
    outputs = publish_run_report(engine, report, out)
    missing = [vars(m) for m in gaps]
    summary = close_run(engine, {"bench": result.to_dict(), "missing": missing, "outputs": outputs})
    return BenchRunResult(summary, result)


def bench_config(
    config: BenchConfig | Path | str | None,
    targets: Sequence[str],
    models: Sequence[str | ModelSpec],
    flags: Mapping[str, Any],
    *,
    seed: int = 0,
    scorers: Mapping[str, Mapping[str, Any]] | Sequence[str] | None = None,
    api_key_env: str | None = None,
) -> BenchConfig:
    """The run's BenchConfig: a config (object or YAML file) whose ``flags`` (limit, max_tokens, samples,
    temperature, protocol; None: not given) and scorer options override its own, or one built from targets
    and models; one-line ConfigErrors naming the option."""
    options = scorer_options(scorers)
    for name in ("limit", "max_tokens", "samples"):
        if flags[name] is not None and flags[name] < 1:
            raise ConfigError(f"--{name.replace('_', '-')} must be at least 1 (got {flags[name]})")
    if flags["temperature"] is not None and flags["temperature"] < 0:
        raise ConfigError(f"--temperature must be at least 0 (got {flags['temperature']})")
    if config is not None:
        if models:
            raise ConfigError("give the models in the config file or with --model, not both")
        where = "config" if isinstance(config, BenchConfig) else str(config)
        cfg = config if isinstance(config, BenchConfig) else load_config(Path(config), BenchConfig)
        raw = cfg.model_dump() | {k: v for k, v in flags.items() if v is not None}
        raw["scorers"] = {n: cfg.scorers.get(n, {}) | options.get(n, {}) for n in {**cfg.scorers, **options}}
        return validate_config(raw, BenchConfig, where)
    from alignscope.tasks.suites import resolve_tasks

    resolve_tasks(list(targets), flags["protocol"])
    if not models:
        raise ConfigError("give at least one --model (e.g. --model hf:smollm2-135m)")
    specs = model_specs(models, api_key_env)
    if len({s.name for s in specs}) != len(specs):
        raise ConfigError("two --model options name the same model: give each model once")
    raw = {"models": [s.model_dump() for s in specs], "tasks": list(targets), "seed": seed, **flags}
    return validate_config(raw | {"scorers": options}, BenchConfig, "command line")


def scorer_options(
    scorers: Mapping[str, Mapping[str, Any]] | Sequence[str] | None,
) -> dict[str, dict[str, Any]]:
    """Scorer options by scorer name, given as a mapping or as ``NAME:KEY=VALUE`` texts (``--scorer``)."""
    if not scorers:
        return {}
    if isinstance(scorers, Mapping):
        return {name: dict(opts) for name, opts in scorers.items()}
    return parse_scorer_options(list(scorers))


def settings_text(task: Task) -> str:
    """A task's protocol settings as ``key=value`` pairs."""
    return ", ".join(f"{k}={v}" for k, v in task.settings().items())


def _facts(cfg: BenchConfig, tasks: Sequence[Task]) -> dict[str, str]:
    """The report's facts: tasks, each task's protocol settings and the run's overrides."""
    facts = {"tasks": ", ".join(t.name for t in tasks)}
    facts |= {f"settings of {t.name}": settings_text(t) for t in tasks if t.settings()}
    overrides = {"samples": cfg.samples, "temperature": cfg.temperature, "max_tokens": cfg.max_tokens}
    if any(v is not None for v in overrides.values()):
        facts["run overrides"] = ", ".join(f"{k}={v}" for k, v in overrides.items() if v is not None)
    return facts
