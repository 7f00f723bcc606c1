"""``alignscope judge``: run a judge over stored Generations or answer files -> Judgments in the run store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY
from alignscope.analysis.leaderboard import Leaderboard
from alignscope.cli.common import (
    JsonOpt,
    LimitOpt,
    RunIdOpt,
    SeedOpt,
    WorkspaceOpt,
    begin_run,
    emit_json,
    end_run,
    err_console,
    open_store,
    print_table,
)
from alignscope.cli.judgment_sources import LCDifficultyOpt, lc_policy
from alignscope.config import ModelSpec, load_config, validate_config
from alignscope.errors import ConfigError
from alignscope.judges import JudgeInputs, run_judge, summarise
from alignscope.judges.config import JudgeRunConfig, JudgeSpec
from alignscope.judges.modes import get_judge_mode
from alignscope.judges.templates import load_template
from alignscope.records import Generation, Judgment, SamplingParams


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
        list[Path] | None, typer.Option("--answers", "-a", help="Answer file (JSON/JSONL); repeatable.")
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
    limit: LimitOpt = None,
    seed: SeedOpt = 0,
    run_id: RunIdOpt = None,
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Judge answers pairwise (both orders), pointwise, by criteria or rubric; or meta-judge judgments."""
    if config is not None:
        cfg = load_config(config, JudgeRunConfig)
    else:
        cfg = _config(
            judge_model, mode, template, logprob, run, answers, data, baseline, judged, samples,
            parse_retries, max_tokens, temperature, no_swap, api_key_env, limit, seed,
        )  # fmt: skip
    spec = cfg.judge
    tmpl = load_template(spec.template_ref, spec.templates)
    store = open_store(workspace)
    inputs = _inputs(cfg, store)
    from alignscope.backends.registry import make_backend

    backend = make_backend(spec.model, where="judge")
    engine = begin_run(store, "judge", cfg.model_dump(mode="json"), run_id, progress=True)
    judgments = run_judge(engine, backend, spec, inputs, baseline=cfg.baseline, models=cfg.models)
    rows, board = judge_summary(
        judgments, inputs.generations, spec.label, cfg.baseline, lc_policy(lc_difficulty), cfg.seed
    )
    _print(spec.label, tmpl.name, tmpl.version, spec.mode, rows, json_out)
    failed = sum(j.parse_status == "failed" for j in judgments)
    summary = {
        "judge": {"label": spec.label, "model": spec.model.model, "backend": spec.model.backend,
                  "template": tmpl.name, "template_hash": tmpl.version, "verdict": spec.verdict,
                  "sampling": _sampling(spec).model_dump()},
        "mode": spec.mode,
        "judgments": len(judgments),
        "parse_failures": failed,
        "parse_failure_rate": failed / len(judgments) if judgments else None,
        "skipped_failed_generations": inputs.skipped,
        "models": rows,
        "lc": board.lc_summary() if board else None,
        "notes": board.notes if board else [],
    }  # fmt: skip
    for note in summary["notes"]:
        err_console.print(f"[dim]note: {note}[/dim]")
    full = end_run(engine, summary, json_mode=json_out)
    if json_out:
        emit_json(full)


def _config(
    judge_model: str | None,
    mode: str,
    template: str | None,
    logprob: bool,
    run: str | None,
    answers: list[Path] | None,
    data: str | None,
    baseline: str | None,
    judged: list[str] | None,
    samples: int,
    parse_retries: int,
    max_tokens: int,
    temperature: float,
    no_swap: bool,
    api_key_env: str | None,
    limit: int | None,
    seed: int,
) -> JudgeRunConfig:
    if not judge_model:
        raise ConfigError("give a config file or --judge (e.g. --judge hf:smollm2-135m)")
    raw: dict[str, Any] = {
        "judge": {
            "model": ModelSpec.parse(judge_model, api_key_env).model_dump(),
            "mode": mode,
            "template": template,
            "verdict": "logprob" if logprob else "text",
            "sampling": {"max_tokens": max_tokens, "temperature": temperature, "seed": seed},
            "n_samples": samples,
            "parse_retries": parse_retries,
            "swap": not no_swap,
        },
        "run": run,
        "answers": [str(a) for a in answers or []],
        "data": data,
        "baseline": baseline,
        "models": judged or None,
        "limit": limit,
        "seed": seed,
    }
    return validate_config(raw, JudgeRunConfig, "command line")


def _inputs(cfg: JudgeRunConfig, store: Any) -> JudgeInputs:
    from alignscope.data import load_items
    from alignscope.data.loaders import subset
    from alignscope.judges.answers import read_answers
    from alignscope.judges.run import inputs_from_run

    if cfg.run is not None:
        inputs = inputs_from_run(store, cfg.run)
    else:
        questions = load_items(cfg.data) if cfg.data else None
        items, gens = read_answers([Path(a) for a in cfg.answers], questions)
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
    not rank). Style-controlled ratings are left to ``alignscope leaderboard`` (their bootstrap is the slow
    part)."""
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


def _sampling(spec: JudgeSpec) -> SamplingParams:
    return spec.logprob_sampling() if spec.verdict == "logprob" else spec.sampling
