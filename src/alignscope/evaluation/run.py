"""Evaluate models on the judged benchmarks and the SOS-Bench factors: answers, judgments against each
benchmark's bundled baseline, and scores, every call through the engine and every record in its run (a rerun
resumes from the cache)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from alignscope.backends.base import Backend
from alignscope.config import ModelSpec
from alignscope.data import load_items
from alignscope.engine.generation import generate_items
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError
from alignscope.evaluation.benchmarks import BENCHMARKS, SOS, JudgedBenchmark, comparability
from alignscope.evaluation.config import BenchmarkSettings
from alignscope.evaluation.scores import alpaca_eval_rows, arena_hard_rows, mt_bench_rows
from alignscope.judges.config import JudgeSpec
from alignscope.judges.run import JudgeInputs, run_judge
from alignscope.records import Generation, Item, Judgment, Provenance, SamplingParams
from alignscope.tasks.runner import run_bench
from alignscope.tasks.suites import resolve_tasks

BackendFor = Callable[[ModelSpec], Backend]
ANSWER_VARIANT = "evaluate"


def backend_cache() -> BackendFor:
    """A ``backend_for`` that makes and checks each distinct spec's backend once."""
    made: dict[str, Backend] = {}

    def backend_for(spec: ModelSpec) -> Backend:
        from alignscope.backends.registry import make_backend

        key = spec.model_dump_json()
        if key not in made:
            made[key] = make_backend(spec)
            asyncio.run(made[key].check())
        return made[key]

    return backend_for


def baseline_generations(items: Sequence[Item]) -> list[Generation]:
    """The bundled baseline answers of ``items`` (``target.baseline_output``) as Generations."""
    return [
        Generation(
            item_id=it.id,
            dataset=it.dataset,
            model=str(it.target["baseline_model"]),
            text=str(it.target["baseline_output"]),
            provenance=Provenance(
                model=str(it.target["baseline_model"]), backend="bundled", data_version=it.data_version
            ),
        )
        for it in items
    ]


def judge_spec(bench: JudgedBenchmark, judge: ModelSpec, settings: BenchmarkSettings) -> JudgeSpec:
    """The benchmark's judge: its template, verdict source and scale, both orders, every turn, with the
    reference answers where the template has a reference variant; a next-token verdict reads one token's top
    5 log-probabilities, as AlpacaEval's weighted annotator does; unparsed text verdicts as ``settings``
    say."""
    sampling = SamplingParams(temperature=0.0, max_tokens=settings.judge_max_tokens, seed=settings.seed)
    return JudgeSpec(
        model=judge, mode=bench.mode, name=f"{judge.name}/{bench.template}", template=bench.template,
        verdict=bench.verdict, sampling=sampling, swap=True, turns="all", use_reference=True,
        logprob_max_tokens=1, top_logprobs=5,
        unparsed=settings.unparsed if bench.verdict == "text" else "fail",
    )  # fmt: skip


def _judged(
    engine: Engine,
    bench: JudgedBenchmark,
    models: Sequence[ModelSpec],
    judge: ModelSpec,
    settings: BenchmarkSettings,
    backend_for: BackendFor,
) -> tuple[list[Item], list[Generation], list[Judgment]]:
    items = load_items(bench.dataset, limit=settings.limit, seed=settings.seed)
    engine.store.put_items(items)
    sampling = SamplingParams(temperature=0.0, max_tokens=settings.max_tokens, seed=settings.seed)
    answers: list[Generation] = []
    for spec in models:
        gens = generate_items(
            engine, backend_for(spec), spec, items, sampling, desc=f"{spec.name} {bench.title} answers"
        )
        engine.store.put_generations(gens, variant=ANSWER_VARIANT)
        answers += gens
    if bench.baseline is not None:
        answers = baseline_generations(items) + answers
    inputs = JudgeInputs.of(items, answers)
    judged = [s.name for s in models if any(g.model == s.name for g in inputs.generations)]
    if not judged:
        return items, inputs.generations, []
    spec = judge_spec(bench, judge, settings)
    judgments = run_judge(engine, backend_for(judge), spec, inputs, baseline=bench.baseline, models=judged)
    return items, inputs.generations, judgments


def _rows(
    bench: JudgedBenchmark,
    items: list[Item],
    gens: list[Generation],
    judgments: list[Judgment],
    names: list[str],
    settings: BenchmarkSettings,
    notes: list[str],
) -> list[dict[str, Any]]:
    if bench.name == "alpaca_eval":
        return alpaca_eval_rows(bench, judgments, gens, items, names, settings.lc_difficulty, notes)
    if bench.name == "arena_hard":
        return arena_hard_rows(bench, judgments, gens, names, settings.n_bootstrap, settings.seed, notes)
    return mt_bench_rows(bench, judgments, gens, names, settings.n_bootstrap, settings.seed)


def _factors(
    engine: Engine, models: Sequence[ModelSpec], settings: BenchmarkSettings, backend_for: BackendFor
) -> dict[str, Any]:
    tasks, groups = resolve_tasks([SOS])
    result = run_bench(
        engine, [(s, backend_for(s)) for s in models], tasks, groups=groups, limit=settings.limit,
        seed=settings.seed, max_tokens=settings.task_max_tokens,
    )  # fmt: skip
    factors: dict[str, dict[str, Any]] = {s.name: {} for s in models}
    for g in result.groups:
        factors[g.model][g.group] = {"value": g.value, "ci": list(g.ci), "tasks": g.tasks, "n": g.n}
    return {"factors": factors, "tasks": [t.to_dict() for t in result.tasks]}


def _concluded_deviation(concluded: int, judgments: int) -> list[str]:
    if not concluded:
        return []
    return [
        f"{concluded} of {judgments} judgments held no verdict in the benchmark's format (after the parse "
        "retries) and were concluded by the judge's likelihood of each verdict after its own text; the "
        "benchmark's own scripts leave such judgments out (unparsed: fail does too)"
    ]


def evaluate_models(
    engine: Engine,
    models: Sequence[ModelSpec],
    judge: ModelSpec,
    settings: BenchmarkSettings,
    backend_for: BackendFor,
) -> dict[str, Any]:
    """Every configured benchmark for every model (JSON-ready): ``rows`` (one per benchmark and model:
    score, CI, n, answer length and the benchmark's own columns), ``factors`` (model -> factor -> value, CI),
    the ``judge``, each benchmark's ``protocols`` (how it is scored, deviations, comparability with the
    published numbers) and ``notes``."""
    names = [s.name for s in models]
    if len(set(names)) != len(names):
        raise ConfigError(f"models need distinct names (got {', '.join(names)}): give each a name")
    clash = [s.name for s in models if s.name in {b.baseline for b in BENCHMARKS.values()}]
    if clash:
        raise ConfigError(f"model name {clash[0]!r} is a benchmark baseline's: give the model another name")
    notes: list[str] = []
    rows: list[dict[str, Any]] = []
    protocols: dict[str, dict[str, Any]] = {}
    for name in settings.benchmarks:
        if name == SOS:
            continue
        bench = BENCHMARKS[name]
        items, gens, judgments = _judged(engine, bench, models, judge, settings, backend_for)
        rows += _rows(bench, items, gens, judgments, names, settings, notes)
        failed = sum(j.parse_status == "failed" for j in judgments)
        concluded = sum(j.fields.get("score_source") == "conclusion" for j in judgments)
        protocols[name] = {
            "title": bench.title, "score": bench.score, "dataset": bench.dataset, "items": len(items),
            "baseline": bench.baseline, "template": bench.template, "verdict": bench.verdict,
            "official_judge": bench.official_judge, "protocol": bench.protocol,
            "deviations": [*bench.deviations, *_concluded_deviation(concluded, len(judgments))],
            "comparability": comparability(bench, judge.model), "judgments": len(judgments),
            "parse_failures": failed, "concluded": concluded,
        }  # fmt: skip
    out: dict[str, Any] = {
        "judge": {"name": judge.name, "model": judge.model, "backend": judge.backend},
        "models": names,
        "benchmarks": list(settings.benchmarks),
        "limit": settings.limit,
        "rows": rows,
        "protocols": protocols,
        "factors": {},
        "tasks": [],
        "notes": notes,
    }
    if SOS in settings.benchmarks:
        out |= _factors(engine, models, settings, backend_for)
    return out
