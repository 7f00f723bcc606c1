"""``alignscope bench``: concrete ground-truth tasks for models, factor scores with CIs; scoring answer files.

alignscope bench SUITE_OR_TASKS... -m MODEL [-m MODEL...] [--limit N] [--seed S] [--scorer SPEC...] [--json]
alignscope bench score TASK --responses FILE [--scorer SPEC...] [--json]
alignscope bench list [--json]

``--scorer NAME:KEY=VALUE[,KEY=VALUE...]`` overrides a scorer's options for every task that uses it (see
``alignscope.tasks.scorers``); the options go into the run's config. A scorer that calls a model (the refusal
judge) makes its calls in the run; under ``bench score`` it opens a ``bench-score`` run for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

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
    open_store,
    parse_model,
    print_table,
    ready_backends,
    save_report,
)
from alignscope.errors import ConfigError
from alignscope.hashing import text_hash
from alignscope.tasks.registry import (
    FACTORS,
    SUITE_GROUPS,
    VERTICALS,
    list_tasks,
    resolve_tasks,
    suite_task_names,
)
from alignscope.tasks.responses import FREE_SCORERS, ScoredResponses, score_responses_file
from alignscope.tasks.runner import BenchResult, run_bench
from alignscope.tasks.scorers import ScorerSetup, get_scorer, parse_scorer_options

SCORER_HELP = (
    "Scorer options as NAME:KEY=VALUE[,KEY=VALUE...] for every task using scorer NAME; repeatable. E.g. "
    "refusal:method=strmatch; refusal:method=judge,judge=hf:smollm2-135m[,verdict=logprob] (XSTest's "
    "classifier prompt); toxicity:model=perspective (key in $PERSPECTIVE_API_KEY, or api_key_env=VAR); "
    "toxicity:model=/path/to/hf-classifier."
)


def bench(
    targets: Annotated[
        list[str],
        typer.Argument(
            metavar="SUITE_OR_TASKS...",
            help="Suites (sos, trust, all) and/or task names; or `list`; or `score TASK --responses FILE`.",
        ),
    ],
    model: ModelOpt = None,
    limit: LimitOpt = None,
    seed: SeedOpt = 0,
    max_tokens: Annotated[
        int | None,
        typer.Option(help="Cap on the tokens of every generated answer (default: each task's own)."),
    ] = None,
    samples: Annotated[
        int | None, typer.Option(help="Samples per prompt of sampled tasks (toxicity; default 25).")
    ] = None,
    responses: Annotated[
        Path | None,
        typer.Option("--responses", help="With `score TASK`: JSONL rows of prompt (or key) and response."),
    ] = None,
    api_key_env: ApiKeyEnvOpt = None,
    scorer: Annotated[
        list[str] | None, typer.Option("--scorer", metavar="NAME:KEY=VALUE,...", help=SCORER_HELP)
    ] = None,
    run_id: RunIdOpt = None,
    workspace: WorkspaceOpt = None,
    out: ReportOutOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Run concrete benchmarks (SOS-Bench factors, trust verticals) for models; resumable, cached."""
    if targets[0] == "list":
        _list(json_out)
        return
    options = parse_scorer_options(scorer or [])
    if targets[0] == "score":
        if len(targets) != 2 or responses is None:
            raise ConfigError(
                "usage: alignscope bench score TASK --responses FILE (see `alignscope bench list`)"
            )
        _score_file(targets[1], responses, options, run_id, workspace, json_out)
    else:
        _run(
            targets, model, limit, seed, max_tokens, samples, api_key_env, options, run_id, workspace,
            out, json_out,
        )  # fmt: skip


def _score_file(
    name: str,
    path: Path,
    options: dict[str, dict[str, Any]],
    run_id: str | None,
    workspace: Path | None,
    json_out: bool,
) -> None:
    """Score an answer file; in a ``bench-score`` run (cached, resumable) when a scorer calls a model."""
    if not any(get_scorer(n, **o).calls_models for n, o in options.items()):
        _score(score_responses_file(name, path, ScorerSetup(options)), json_out)
        return
    if not path.is_file():
        raise ConfigError("responses file not found", where=str(path))
    config = {"task": name, "responses": text_hash(path.read_text(encoding="utf-8")), "scorers": options}
    engine = begin_run(open_store(workspace), "bench-score", config, run_id)
    scored = score_responses_file(name, path, ScorerSetup(options, engine))
    _score(scored, json_out)
    end_run(engine, {"bench_score": scored.aggregate}, json_mode=json_out)


def _run(
    targets: list[str],
    models: list[str] | None,
    limit: int | None,
    seed: int,
    max_tokens: int | None,
    samples: int | None,
    api_key_env: str | None,
    scorer_options: dict[str, dict[str, Any]],
    run_id: str | None,
    workspace: Path | None,
    out: Path | None,
    json_out: bool,
) -> None:
    from alignscope.report.bench import bench_report

    tasks, groups = resolve_tasks(targets)
    if not models:
        raise ConfigError("give at least one --model (e.g. --model hf:smollm2-135m)")
    for name, value in (("--limit", limit), ("--max-tokens", max_tokens), ("--samples", samples)):
        if value is not None and value < 1:
            raise ConfigError(f"{name} must be at least 1 (got {value})")
    specs = [parse_model(m, api_key_env) for m in models]
    if len({s.name for s in specs}) != len(specs):
        raise ConfigError("two --model options name the same model: give each model once")
    store = open_store(workspace)
    backends = ready_backends(specs)
    config = {
        "tasks": [t.name for t in tasks],
        "groups": list(groups),
        "models": [s.model_dump(mode="json") for s in specs],
        "limit": limit,
        "seed": seed,
        "max_tokens": max_tokens,
        "samples": samples,
    }
    if scorer_options:
        config["scorers"] = scorer_options
    engine = begin_run(store, "bench", config, run_id)
    result = run_bench(
        engine, list(zip(specs, backends, strict=True)), tasks, groups=groups, limit=limit, seed=seed,
        max_tokens=max_tokens, samples=samples, scorer_options=scorer_options,
    )  # fmt: skip
    store.put_artifact(engine.run_id, "bench", result.to_dict())
    _print_result(result, json_out)
    facts = {"run": engine.run_id, "tasks": ", ".join(t.name for t in tasks)}
    report = bench_report(result, [s.name for s in specs], limit, seed, facts)
    outputs = save_report(engine, report, out, json_mode=json_out)
    summary = end_run(engine, {"bench": result.to_dict(), "outputs": outputs}, json_mode=json_out)
    if json_out:
        emit_json(summary)
    if engine.stats.failures:
        raise typer.Exit(1)


def _ci(ci: tuple[float, float] | list[float] | None) -> str:
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""


def _print_result(result: BenchResult, json_out: bool) -> None:
    print_table(
        "tasks",
        ["model", "task", "metric", "value", "95% CI", "normalised", "norm. 95% CI", "n", "failed"],
        [
            [
                t.model, t.task, t.metric + ("" if t.higher_is_better else " (lower better)"),
                t.value, _ci(t.ci),
                t.normalised.value if t.normalised else None, _ci(t.normalised.ci if t.normalised else None),
                t.n, t.n_failed,
            ]
            for t in result.tasks
        ],
        json_mode=json_out,
    )  # fmt: skip
    print_table(
        "factors and verticals (mean normalised task score; chance = 0, best = 1)",
        ["model", "group", "kind", "score", "95% CI", "tasks", "n"],
        [[g.model, g.group, g.kind, g.value, _ci(g.ci), len(g.tasks), g.n] for g in result.groups],
        json_mode=json_out,
    )


def _list(json_out: bool) -> None:
    tasks = list_tasks()
    suites = {name: list(suite_task_names(name)) for name in SUITE_GROUPS}
    if json_out:
        emit_json(
            {
                "tasks": [
                    {
                        "name": t.name,
                        "kind": t.kind,
                        "groups": list(t.groups),
                        "metric": t.metric,
                        "higher_is_better": t.higher_is_better,
                        "dataset": t.dataset,
                        "description": t.description,
                    }
                    for t in tasks
                ],  # fmt: skip
                "suites": suites,
                "groups": {"factors": FACTORS, "verticals": VERTICALS},
                "free_scorers": FREE_SCORERS,
            }
        )
        return
    print_table(
        "tasks",
        ["task", "scored by", "groups", "metric", "data set", "description"],
        [[t.name, t.kind, ", ".join(t.groups), t.metric, t.dataset, t.description] for t in tasks],
    )
    print_table("suites", ["suite", "tasks"], [[name, ", ".join(names)] for name, names in suites.items()])
    print_table(
        "scorers for answer files (bench score NAME --responses FILE)",
        ["name", "what"],
        [[name, what] for name, what in FREE_SCORERS.items()]
        + [["any generation task", "answers matched to the task's items by prompt or key"]],
    )


def _scalars(summary: dict[str, Any]) -> list[list[Any]]:
    return [[k, v] for k, v in summary.items() if isinstance(v, int | float) or v is None]


def _score(scored: ScoredResponses, json_out: bool) -> None:
    if json_out:
        emit_json(scored.to_dict())
        return
    print_table(
        f"bench score {scored.task}: {scored.path} ({len(scored.results)} answers)",
        ["metric", "value"],
        _scalars(scored.aggregate),
    )
    if scored.task == "refusal":
        print_table(
            "answers",
            ["item", "verdict", "p(refusal)"],
            [[r["item_id"], r["verdict"], r.get("p_refusal")] for r in scored.results],
        )
