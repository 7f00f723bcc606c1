"""``alignscope audit``: the live part (models, concrete suites, judges, meta-analysis), the published part,
the report, and the run's outputs, each stage timed. The report and results are stored as artifacts of the
run, so ``alignscope report RUN`` rebuilds the report without recomputing anything.
"""

from __future__ import annotations

import asyncio
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alignscope.auditing.config import AuditConfig
from alignscope.auditing.live import (
    LiveResult,
    analyse_judge,
    compare_strength,
    first_turns,
    generate_answers,
    meta_analysis,
)
from alignscope.auditing.published import PUBLISHED_PARTS
from alignscope.auditing.timing import StageTimer
from alignscope.backends.base import Backend
from alignscope.config import ModelSpec
from alignscope.engine import Engine
from alignscope.hashing import stable_hash
from alignscope.report.model import Report, Section
from alignscope.report.outputs import jsonable, publish_report, write_results
from alignscope.store import RunStore
from alignscope.store.export import export_run

RESULTS_ARTIFACT = "results"


@dataclass
class AuditOutcome:
    """What a finished audit hands back: its run, report, results and where they were written."""

    run_id: str
    out_dir: Path
    report: Report
    results: dict[str, Any]
    outputs: dict[str, Any]
    failures: int


def audit_run_id(cfg: AuditConfig) -> str:
    """The default run id: a hash of the config (without ``out``), so a rerun resumes the same run."""
    return f"audit-{stable_hash(cfg.model_dump(mode='json', exclude={'out'}), 10)}"


def _backend(spec: ModelSpec, where: str) -> Backend:
    from alignscope.backends.registry import make_backend

    backend = make_backend(spec, where=where)
    asyncio.run(backend.check())
    return backend


def run_live(engine: Engine, cfg: AuditConfig, timer: StageTimer) -> LiveResult:
    """Models answer the judge prompts and run the suites; judges compare them; the results are analysed."""
    from alignscope.data import load_items
    from alignscope.judges import JudgeInputs, run_judge
    from alignscope.judges.templates import load_template
    from alignscope.tasks.runner import run_bench
    from alignscope.tasks.suites import resolve_tasks

    with timer.stage("load models"):
        models = [(spec, _backend(spec, f"models[{i}]")) for i, spec in enumerate(cfg.models)]
        judges = [(spec, _backend(spec.model, f"judges[{i}].model")) for i, spec in enumerate(cfg.judges)]
        templates = [load_template(spec.template_ref, spec.templates) for spec, _ in judges]
        tasks, groups = resolve_tasks(cfg.suites) if cfg.suites else ([], ())
    items: list = []
    answers: list = []
    if judges:
        with timer.stage("answers to judge prompts"):
            items = first_turns(load_items(cfg.judge_data, limit=cfg.judge_items, seed=cfg.seed))
            answers = generate_answers(engine, models, items, cfg)
    bench = None
    if tasks:
        with timer.stage("concrete suites"):
            bench = run_bench(
                engine,
                models,
                tasks,
                groups=groups,
                limit=cfg.limit,
                seed=cfg.seed,
                max_tokens=cfg.suite_max_tokens or cfg.sampling.max_tokens,
            )
    outcomes = []
    baseline = cfg.baseline_name or ""
    for (spec, backend), template in zip(judges, templates, strict=True):
        with timer.stage(f"judging ({spec.label})"):
            judgments = run_judge(engine, backend, spec, JudgeInputs.of(items, answers), baseline=baseline)
        with timer.stage(f"judge analysis ({spec.label})"):
            outcomes.append(analyse_judge(spec, template, judgments, answers, baseline, cfg))
    with timer.stage("meta-analysis"):
        meta, notes = meta_analysis(cfg, bench, outcomes, answers)
        strength, strength_note = compare_strength(cfg, outcomes)
    return LiveResult(cfg, items, answers, bench, outcomes, meta, notes, strength, strength_note)


def live_sections(live: LiveResult) -> list[Section]:
    """The live part's report sections."""
    from alignscope.report import live_sections as ls

    cfg = live.config
    sections = [ls.models_section(cfg, live.items, live.answers)] if live.answers else []
    if live.bench is not None:
        sections.append(ls.factors_section(cfg, live.bench))
    sections += [ls.judge_section(cfg, outcome) for outcome in live.judges]
    sections.append(ls.meta_analysis_section(cfg, live.meta, live.meta_notes, live.judges))
    if cfg.strength is not None:
        sections.append(ls.strength_section(cfg, live.strength, live.strength_note))
    return sections


def live_results(live: LiveResult) -> dict[str, Any]:
    """The live part's JSON results."""
    return {
        "models": [m.model_dump(mode="json") for m in live.config.models],
        "bench": live.bench.to_dict() if live.bench else None,
        "judges": [
            {
                "provenance": o.provenance(),
                "leaderboard": o.leaderboard.reset_index().to_dict(orient="records"),
                "style": o.style.reset_index().to_dict(orient="records") if not o.style.empty else [],
                "audit": o.audit,
                "notes": o.notes,
            }
            for o in live.judges
        ],
        "meta_analysis": live.meta.to_dict() if live.meta else None,
        "meta_analysis_notes": live.meta_notes,
        "preference_strength": live.strength.to_dict() if live.strength else None,
        "preference_strength_note": live.strength_note,
    }


def _token_caps(cfg: AuditConfig) -> str:
    """The caps on generated tokens, saying where one cuts math-hard below lm-eval's 1,024 new tokens."""
    from alignscope.tasks.math_hard import MAX_NEW_TOKENS
    from alignscope.tasks.suites import resolve_tasks

    cap = cfg.suite_max_tokens or cfg.sampling.max_tokens
    text = f"{cfg.sampling.max_tokens} per answer to a judge prompt, {cap} per answer of a generation task"
    tasks = resolve_tasks(cfg.suites)[0] if cfg.suites and cfg.models else []
    if cap is not None and cap < MAX_NEW_TOKENS and any(t.name == "math-hard" for t in tasks):
        text += (
            f"; math-hard's solutions are cut at {cap} of lm-eval's {MAX_NEW_TOKENS:,} new tokens (a "
            "deviation: a solution cut before its final answer scores 0, so its exact match is at most "
            "lm-eval's)"
        )
    return text


def _facts(cfg: AuditConfig, run_id: str, store: RunStore, command: str, timer: StageTimer) -> dict[str, str]:
    timings = "; ".join(f"{s['stage']} {float(s['wall_s']):.1f} s" for s in timer.stages)
    return {
        "command": command,
        "run": f"{run_id} in {store.path}",
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        "models": ", ".join(m.name for m in cfg.models) or "(none: published part only)",
        "items per task / judge prompts / seed": f"{cfg.limit or 'all'} / {cfg.judge_items or 'all'} / "
        f"{cfg.seed}",
        "generated tokens (at most)": _token_caps(cfg),
        "stage timings (wall)": timings or "(none)",
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }


def run_audit(
    cfg: AuditConfig,
    store: RunStore,
    *,
    run_id: str | None = None,
    command: str = "alignscope audit",
    progress: bool = True,
) -> AuditOutcome:
    """Run the audit of ``cfg`` in ``store`` (resuming run ``run_id`` if it exists) and write its outputs."""
    rid = run_id or audit_run_id(cfg)
    store.start_run(rid, "audit", cfg.model_dump(mode="json"))
    engine = Engine(store, rid, progress=progress)
    timer = StageTimer()
    sections: list[Section] = []
    results: dict[str, Any] = {
        "run_id": rid,
        "workspace": str(store.workspace),
        "command": command,
        "config": cfg.model_dump(mode="json"),
    }
    if cfg.models:
        live = run_live(engine, cfg, timer)
        sections += live_sections(live)
        results["live"] = live_results(live)
    if cfg.published:
        results["published"] = {}
        with timer.stage("published analyses"):
            for name, part_of in PUBLISHED_PARTS.items():
                part = part_of(n_boot=cfg.n_boot, level=cfg.level, seed=cfg.seed)
                sections.append(part.section)
                results["published"][name] = part.result
    out_dir = Path(cfg.out)
    with timer.stage("report and outputs"):
        report = Report(
            title="alignscope audit: better aligned, or only judged better?",
            subtitle="Green banners: computed live in this run. Blue banners: published results shipped with "
            "alignscope (no model calls).",
            facts=_facts(cfg, rid, store, command, timer),
            sections=sections,
        )
        outputs = publish_report(store, rid, report, out_dir)
        if cfg.models:
            export_run(store, rid, out_dir / "records")
    results |= {
        "stage_timings": timer.stages,
        "total_wall_s": timer.total_wall_s,
        "calls": engine.stats.as_dict(),
        "outputs": outputs,
    }
    write_results(results, out_dir)
    store.put_artifact(rid, RESULTS_ARTIFACT, jsonable(results))
    status = "failed" if engine.stats.failures else "done"
    store.finish_run(
        rid,
        status,
        jsonable({"out": str(out_dir), "calls": engine.stats.as_dict(), "stage_timings": timer.stages}),
    )
    return AuditOutcome(rid, out_dir, report, jsonable(results), outputs, engine.stats.failures)
