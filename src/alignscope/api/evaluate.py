"""``evaluate``: models on AlpacaEval 2, Arena-Hard v0.1, MT-Bench and the SOS-Bench factors with one judge,
as the alignment papers report them (the ``alignscope evaluate`` command)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY
from alignscope.api.runs import RunResult, close_run, model_specs, open_run, publish_run_report
from alignscope.config import ModelSpec, load_config, validate_config
from alignscope.errors import ConfigError
from alignscope.evaluation.benchmarks import ALL_BENCHMARKS
from alignscope.evaluation.config import EvaluateConfig
from alignscope.store import RunStore


@dataclass
class EvaluateResult(RunResult):
    """An evaluation: ``rows`` (per benchmark and model: score, CI, n, answer length), ``table`` (one row per
    model, as the command prints it), ``notes`` (judge comparability, LC policy) and the report's files."""

    @property
    def rows(self) -> pd.DataFrame:
        """One row per benchmark and model with the benchmark's own columns."""
        return pd.DataFrame(self.summary["rows"])

    @property
    def table(self) -> pd.DataFrame:
        """The summary table: per model, each benchmark's score with CI, answer length, factor scores."""
        from alignscope.evaluation.table import summary_table

        columns, rows = summary_table(self.summary)
        return pd.DataFrame(rows, columns=columns)

    @property
    def notes(self) -> list[str]:
        """How far the judge makes the numbers comparable with published ones, and the run's notes."""
        from alignscope.report.evaluation import judge_lines

        return judge_lines(self.summary) + list(self.summary["notes"])

    @property
    def outputs(self) -> dict[str, Any]:
        """The report's files (``html``, ...)."""
        return self.summary["outputs"]


def evaluate(
    models: Sequence[str | ModelSpec] = (),
    judge: str | ModelSpec | None = None,
    *,
    config: EvaluateConfig | Path | str | None = None,
    benchmarks: Sequence[str] = ALL_BENCHMARKS,
    limit: int | None = None,
    max_tokens: int = 1024,
    judge_max_tokens: int = 1024,
    task_max_tokens: int | None = None,
    lc_difficulty: str = DEFAULT_LC_DIFFICULTY,
    unparsed: str = "conclude",
    api_key_env: str | None = None,
    seed: int = 0,
    run_id: str | None = None,
    workspace: Path | str | None = None,
    out: Path | str | None = None,
    progress: bool = True,
) -> EvaluateResult:
    """Each model's answers judged against each benchmark's shipped baseline with the benchmark's own template
    and scale, and the concrete suite; resumable and cached; writes the report.

    Example::

        result = alignscope.evaluate(["hf:smollm2-135m"], "hf:smollm2-135m", benchmarks=["alpaca_eval"],
                                     limit=2, max_tokens=16, judge_max_tokens=16)
        print(result.table, result.notes[0])
    """
    cfg = (
        evaluate_config(
            models,
            judge,
            benchmarks,
            limit,
            api_key_env,
            max_tokens,
            judge_max_tokens,
            task_max_tokens,
            lc_difficulty,
            unparsed,
            seed,
        )  # fmt: skip
        if config is None
        else config
        if isinstance(config, EvaluateConfig)
        else load_config(Path(config), EvaluateConfig)
    )
    from alignscope.evaluation.run import backend_cache, evaluate_models
    from alignscope.report.evaluation import evaluation_report

    store = RunStore(Path(workspace) if workspace else None)
    engine, _ = open_run(store, "evaluate", cfg.model_dump(mode="json"), run_id, progress=progress)
    result = evaluate_models(engine, cfg.models, cfg.judge, cfg, backend_cache())
    facts = {"run": engine.run_id, "judge": f"{cfg.judge.backend}:{cfg.judge.model}",
             "limit": str(cfg.limit or "all")}  # fmt: skip
    outputs = publish_run_report(engine, evaluation_report(result, facts), out)
    return EvaluateResult(close_run(engine, {**result, "outputs": outputs}))


def evaluate_config(
    models: Sequence[str | ModelSpec],
    judge: str | ModelSpec | None,
    benchmarks: Sequence[str],
    limit: int | None,
    api_key_env: str | None,
    max_tokens: int,
    judge_max_tokens: int,
    task_max_tokens: int | None,
    lc_difficulty: str,
    unparsed: str,
    seed: int,
) -> EvaluateConfig:
    """The EvaluateConfig of the given options; ConfigError naming what is missing."""
    if not models:
        raise ConfigError("give a config file or at least one --model (e.g. --model hf:smollm2-135m)")
    if not judge:
        raise ConfigError("give --judge (e.g. --judge hf:smollm2-135m or openai:MODEL@URL)")
    raw: dict[str, Any] = {
        "models": [s.model_dump() for s in model_specs(models, api_key_env)],
        "judge": model_specs([judge], api_key_env)[0].model_dump(),
        "benchmarks": list(benchmarks),
        "limit": limit,
        "max_tokens": max_tokens,
        "judge_max_tokens": judge_max_tokens,
        "task_max_tokens": task_max_tokens,
        "lc_difficulty": lc_difficulty,
        "unparsed": unparsed,
        "seed": seed,
    }
    return validate_config(raw, EvaluateConfig, "command line")
