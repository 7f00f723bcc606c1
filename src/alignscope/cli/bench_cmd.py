"""``alignscope bench``: concrete ground-truth tasks for models, factor scores with CIs; scoring answer files.

alignscope bench SUITE_OR_TASKS... -m MODEL [-m MODEL...] [--limit N] [--seed S] [--scorer SPEC...] [--json]
alignscope bench trust --protocol rlhf-trust -m MODEL [--samples N] [--temperature T] [--max-tokens N]
alignscope bench CONFIG.yaml [--limit N] [--max-tokens N] [--samples N] [--scorer SPEC...] [--json]
alignscope bench score TASK --responses FILE [--scorer SPEC...] [--json]
alignscope bench list [--json]

``--scorer NAME:KEY=VALUE[,KEY=VALUE...]`` overrides a scorer's options for every task that uses it (see
``alignscope.tasks.scorers``); the options go into the run's config. A YAML config
(``tasks.bench_config.BenchConfig``: models, tasks, limit, seed, max_tokens, samples, scorers) holds the same
settings; --limit, --max-tokens, --samples and --scorer given with it override its values. A scorer that
calls a model (the refusal judge) makes its calls in the run; under ``bench score`` it opens a ``bench-score``
run for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from alignscope.api.bench import BenchRunResult, settings_text
from alignscope.api.bench import bench as run_bench_api
from alignscope.api.bench_score import SCORE_USAGE, BenchScoreResult, bench_score
from alignscope.cli import options as opt
from alignscope.cli.common import emit_json, finish_report, print_calls, print_table
from alignscope.cli.eval_log_option import from_logs_option
from alignscope.data.registry import dataset_status
from alignscope.errors import ConfigError
from alignscope.tasks.registry import FACTORS, VERTICALS, list_tasks
from alignscope.tasks.responses import FREE_SCORERS
from alignscope.tasks.runner import BenchResult
from alignscope.tasks.scorers import parse_scorer_options
from alignscope.tasks.suites import SUITE_GROUPS, origin_text, suite_task_names

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
            help="Suites (sos, trust, all) and/or task names; or a YAML config (models, tasks, limit, seed, "
            "max_tokens, samples, scorers); or `list`; or `score TASK --responses FILE`.",
        ),
    ],
    model: opt.Model = None,
    limit: opt.Limit = None,
    seed: opt.Seed = 0,
    max_tokens: Annotated[
        int | None,
        typer.Option(help="Cap on the tokens of every generated answer (default: each task's own)."),
    ] = None,
    samples: Annotated[
        int | None, typer.Option(help="Samples per prompt of sampled tasks (default: each task's own).")
    ] = None,
    temperature: Annotated[
        float | None, typer.Option(help="Temperature of sampled tasks (default: each task's own).")
    ] = None,
    protocol: Annotated[
        str | None,
        typer.Option(
            help="Run suites under a paper's protocol: rlhf-trust ('More RLHF, More Trust?'), rlhf-trust-raw "
            "(the same on raw text, no chat template: base models)."
        ),
    ] = None,
    responses: Annotated[
        Path | None,
        typer.Option("--responses", help="With `score TASK`: JSONL rows of prompt (or key) and response."),
    ] = None,
    from_logs: Annotated[list[str] | None, from_logs_option("With `score TASK`: the answers in")] = None,
    api_key_env: opt.ApiKeyEnv = None,
    scorer: Annotated[
        list[str] | None, typer.Option("--scorer", metavar="NAME:KEY=VALUE,...", help=SCORER_HELP)
    ] = None,
    run_id: opt.RunId = None,
    workspace: opt.Workspace = None,
    out: opt.ReportOut = None,
    json_out: opt.Json = False,
) -> None:
    """Run concrete benchmarks (SOS-Bench factors, trust verticals) for models; resumable, cached."""
    if targets[0] == "list":
        _list(json_out)
        return
    options = parse_scorer_options(scorer or [])
    if targets[0] == "score":
        _score_answers(targets[1:], responses, from_logs or [], options, run_id, workspace, json_out)
        return
    config = targets[0] if len(targets) == 1 and targets[0].endswith((".yaml", ".yml")) else None
    result = run_bench_api(
        [] if config else targets, model or (), config=config, limit=limit, seed=seed,
        max_tokens=max_tokens, samples=samples, temperature=temperature, protocol=protocol, scorers=options,
        api_key_env=api_key_env, run_id=run_id, workspace=workspace, out=out,
    )  # fmt: skip
    _print_run(result, json_out)
    if result.failed:
        raise typer.Exit(1)


def _score_answers(
    names: list[str],
    responses: Path | None,
    from_logs: list[str],
    options: dict[str, dict[str, Any]],
    run_id: str | None,
    workspace: Path | None,
    json_out: bool,
) -> None:
    """``bench score TASK``: the answers of a file or of eval logs scored (``alignscope.bench_score``)."""
    if len(names) != 1:
        raise ConfigError(SCORE_USAGE)
    result = bench_score(
        names[0], responses, from_logs=from_logs, scorers=options, run_id=run_id, workspace=workspace
    )
    _score(result, json_out)
    if result.run is not None:
        print_calls(result.run, json_mode=json_out)


def _ci(ci: tuple[float, float] | list[float] | None) -> str:
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""


def _print_run(run: BenchRunResult, json_out: bool) -> None:
    """The task and factor tables, the SOS-Bench tasks not run, the report's path and the call line."""
    _print_result(run.result, json_out)
    if run.missing:
        print_table(
            "SOS-Bench tasks not run (no data here)",
            ["benchmark", "lm-eval task", "how to add it"],
            [[m["benchmark"], m["lm_eval"], m["reason"]] for m in run.missing],
            json_mode=json_out,
        )
    finish_report(run.outputs["html"], run.summary, run.to_dict(), json_mode=json_out)


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
                        "data": dataset_status(t.dataset).where,
                        "origin": origin_text(t),
                        "deviation": t.deviation,
                        "settings": t.settings(),
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
        ["task", "scored by", "groups", "metric", "data set", "origin", "deviation", "description"],
        [
            [
                t.name, t.kind, ", ".join(t.groups), t.metric,
                f"{t.dataset} ({dataset_status(t.dataset).where})", origin_text(t), t.deviation or "",
                t.description,
            ]
            for t in tasks
        ],
    )  # fmt: skip
    print_table("suites", ["suite", "tasks"], [[name, ", ".join(names)] for name, names in suites.items()])
    print_table(
        "protocol settings (--samples, --temperature, --max-tokens override sampled tasks' own)",
        ["task", "settings"],
        [[t.name, settings_text(t)] for t in tasks if t.settings()],
    )
    print_table(
        "scorers for answer files (bench score NAME --responses FILE)",
        ["name", "what"],
        [[name, what] for name, what in FREE_SCORERS.items()]
        + [["any generation task", "answers matched to the task's items by prompt or key"]],
    )


def _scalars(summary: dict[str, Any]) -> list[list[Any]]:
    return [[k, v] for k, v in summary.items() if isinstance(v, int | float) or v is None]


def _score(result: BenchScoreResult, json_out: bool) -> None:
    if json_out:
        emit_json(result.to_dict())
        return
    for scored, model in zip(result.scored, result.models, strict=True):
        of = f" of {model}" if model else ""
        print_table(
            f"bench score {scored.task}: {scored.path}{of} ({len(scored.results)} answers)",
            ["metric", "value"],
            _scalars(scored.aggregate),
        )
        if scored.task == "refusal":
            print_table(
                "answers",
                ["item", "verdict", "p(refusal)"],
                [[r["item_id"], r["verdict"], r.get("p_refusal")] for r in scored.results],
            )
