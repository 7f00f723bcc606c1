"""``judge``: a judge over stored Generations, answer files or other tools' eval logs -> Judgments in the
run store, with each judged model's numbers (the ``alignscope judge`` command)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY
from alignscope.analysis.leaderboard import Leaderboard
from alignscope.api.judgment_sources import lc_policy
from alignscope.api.runs import RunResult, close_run, model_specs, open_run
from alignscope.config import ModelSpec, load_config, validate_config
from alignscope.errors import ConfigError
from alignscope.judges import JudgeInputs, run_judge, summarise
from alignscope.judges.config import JudgeRunConfig, JudgeSpec
from alignscope.judges.templates import load_template
from alignscope.records import Generation, Judgment, SamplingParams
from alignscope.store import RunStore


@dataclass
class JudgeResult(RunResult):
    """Per-model numbers (``models``), the stored Judgments and, for ranked modes, the leaderboard."""

    judgments: list[Judgment] = field(default_factory=list, repr=False)
    board: Leaderboard | None = field(default=None, repr=False)

    @property
    def models(self) -> pd.DataFrame:
        """One row per judged model: judgments, parse failures, then the mode's numbers (pair modes: win
        rate, LC win rate, rating, wins, ties, losses; single modes: mean score)."""
        return pd.DataFrame(self.summary["models"])

    @property
    def notes(self) -> list[str]:
        """What the leaderboard could not compute, and why."""
        return self.summary["notes"]


def judge(
    judge_model: str | ModelSpec | None = None,
    *,
    config: JudgeRunConfig | Path | str | None = None,
    mode: str = "pairwise",
    template: str | None = None,
    logprob: bool = False,
    run: str | None = None,
    answers: Sequence[Path | str] = (),
    from_logs: Sequence[str] = (),
    data: str | None = None,
    baseline: str | None = None,
    judged: Sequence[str] | None = None,
    samples: int = 1,
    parse_retries: int = 2,
    max_tokens: int = 1024,
    temperature: float = 0.0,
    swap: bool = True,
    api_key_env: str | None = None,
    lc_difficulty: str = DEFAULT_LC_DIFFICULTY,
    limit: int | None = None,
    seed: int = 0,
    run_id: str | None = None,
    workspace: Path | str | None = None,
    progress: bool = True,
) -> JudgeResult:
    """Judge the answers of stored ``run``, of ``answers`` files or of eval logs (``from_logs``:
    ``inspect:PATH`` / ``lm-eval:PATH``, the log's model as the model) in ``mode``; pairwise modes compare
    each model with ``baseline`` in both orders. Resumable and cached.

    Example::

        generated = alignscope.generate(["hf:smollm2-135m"], "mt_bench", limit=1, max_tokens=8)
        result = alignscope.judge("hf:smollm2-135m", mode="pointwise", run=generated.run_id, max_tokens=8)
        print(result.models[["model", "judgments", "failed"]], result.judgments[0].raw)
    """
    from alignscope.io import check_log_specs

    logs = check_log_specs(from_logs)
    cfg = judge_config(
        config, judge_model, mode, template, logprob, run, [*map(str, answers), *logs], data, baseline,
        judged, samples, parse_retries, max_tokens, temperature, swap, api_key_env, limit, seed,
    )  # fmt: skip
    policy = lc_policy(lc_difficulty)
    spec = cfg.judge
    tmpl = load_template(spec.template_ref, spec.templates)
    store = RunStore(Path(workspace) if workspace else None)
    inputs = judge_inputs(cfg, store)
    from alignscope.backends.registry import make_backend

    backend = make_backend(spec.model, where="judge")
    engine, _ = open_run(store, "judge", cfg.model_dump(mode="json"), run_id, progress=progress)
    judgments = run_judge(engine, backend, spec, inputs, baseline=cfg.baseline, models=cfg.models)
    rows, board = judge_summary(judgments, inputs.generations, spec.label, cfg.baseline, policy, cfg.seed)
    failed = sum(j.parse_status == "failed" for j in judgments)
    summary = {
        "judge": {"label": spec.label, "model": spec.model.model, "backend": spec.model.backend,
                  "template": tmpl.name, "template_hash": tmpl.version, "verdict": spec.verdict,
                  "sampling": _sampling(spec).model_dump(mode="json")},
        "mode": spec.mode,
        "judgments": len(judgments),
        "parse_failures": failed,
        "parse_failure_rate": failed / len(judgments) if judgments else None,
        "skipped_failed_generations": inputs.skipped,
        "models": rows,
        "lc": board.lc_summary() if board else None,
        "notes": board.notes if board else [],
    }  # fmt: skip
    return JudgeResult(close_run(engine, summary), judgments, board)


def judge_config(
    config: JudgeRunConfig | Path | str | None,
    judge_model: str | ModelSpec | None,
    mode: str,
    template: str | None,
    logprob: bool,
    run: str | None,
    answers: list[str],
    data: str | None,
    baseline: str | None,
    judged: Sequence[str] | None,
    samples: int,
    parse_retries: int,
    max_tokens: int,
    temperature: float,
    swap: bool,
    api_key_env: str | None,
    limit: int | None,
    seed: int,
) -> JudgeRunConfig:
    """The run's config: a config (object or YAML file; answer files and logs given here are added to its
    own), or one built from the options; ConfigError naming what is missing."""
    if config is not None:
        cfg = config if isinstance(config, JudgeRunConfig) else load_config(Path(config), JudgeRunConfig)
        if not answers:
            return cfg
        raw = cfg.model_dump(mode="json") | {"answers": [*cfg.answers, *answers]}
        return validate_config(raw, JudgeRunConfig, "config with --answers / --from")
    if not judge_model:
        raise ConfigError("give a config file or --judge (e.g. --judge hf:smollm2-135m)")
    [spec] = model_specs([judge_model], api_key_env)
    raw: dict[str, Any] = {
        "judge": {
            "model": spec.model_dump(),
            "mode": mode,
            "template": template,
            "verdict": "logprob" if logprob else "text",
            "sampling": {"max_tokens": max_tokens, "temperature": temperature, "seed": seed},
            "n_samples": samples,
            "parse_retries": parse_retries,
            "swap": swap,
        },
        "run": run,
        "answers": answers,
        "data": data,
        "baseline": baseline,
        "models": list(judged) if judged else None,
        "limit": limit,
        "seed": seed,
    }
    return validate_config(raw, JudgeRunConfig, "command line")


def judge_inputs(cfg: JudgeRunConfig, store: RunStore) -> JudgeInputs:
    """What ``cfg`` judges: a stored run's Generations, or the answers of its files and eval logs (the
    entries ``inspect:PATH`` / ``lm-eval:PATH``); a seeded subset of ``limit`` answered items."""
    from alignscope.data import load_items
    from alignscope.data.loaders import subset
    from alignscope.io import is_log_spec, read_logs
    from alignscope.judges.answers import read_answers
    from alignscope.judges.run import inputs_from_run

    if cfg.run is not None:
        inputs = inputs_from_run(store, cfg.run)
    else:
        files = [Path(a) for a in cfg.answers if not is_log_spec(a)]
        questions = load_items(cfg.data) if cfg.data and files else None
        items, gens = read_answers(files, questions) if files else ([], [])
        for log in read_logs([a for a in cfg.answers if is_log_spec(a)]):
            items, gens = [*items, *log.items], [*gens, *log.generations]
        inputs = JudgeInputs.of(items, gens)
    if cfg.limit is not None:
        answered = sorted({(g.dataset, g.item_id) for g in inputs.generations})
        keep = set(subset(answered, cfg.limit, cfg.seed))  # type: ignore[arg-type]
        inputs.generations = [g for g in inputs.generations if (g.dataset, g.item_id) in keep]
    return inputs


def judge_summary(
    judgments: list[Judgment],
    generations: list[Generation],
    label: str,
    baseline: str | None,
    lc_difficulty: str,
    seed: int,
) -> tuple[list[dict[str, Any]], Leaderboard | None]:
    """The per-model summary rows of ``judgments`` with each model's leaderboard numbers (win rate, LC win
    rate, Bradley-Terry rating; from the judge-results service) and that leaderboard (None for modes it does
    not rank). Style-controlled ratings are left to ``leaderboard`` (their bootstrap is the slow part)."""
    from alignscope.analysis.judgment_tables import judgment_tables
    from alignscope.analysis.leaderboard import judge_leaderboard

    rows = summarise(judgments)
    tables = judgment_tables(judgments, generations, label)
    if tables.battles.empty and tables.pairs.empty:
        return rows, None
    board = judge_leaderboard(tables, baseline, lc_difficulty=lc_difficulty, style=False, seed=seed)
    numbers = {r["model"]: r for r in board.rows()}
    for row in rows:
        extra = numbers.get(row["model"], {})
        row |= {k: v for k, v in extra.items() if k not in ("model", "n", "n_failed")}
    return rows, board


def _sampling(spec: JudgeSpec) -> SamplingParams:
    return spec.logprob_sampling() if spec.verdict == "logprob" else spec.sampling
