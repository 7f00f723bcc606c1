"""``alignscope dissect scenarios``: label queries with the original's scenario groups through a classifier
model (logprob verdicts by default, so every query gets a group), and report the accuracy on benchmark
queries whose category has a known group (MT-Bench, Vicuna-bench)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from alignscope.api.dissect import scenario_spec, write_result
from alignscope.cli import options as opt
from alignscope.cli.common import begin_run, emit_json, end_run, open_store, out_console, print_table
from alignscope.cli.dissect.shared import ModelRunOptions, OutOpt
from alignscope.cli.option_groups import with_groups

ClassifierOpt = Annotated[
    str, typer.Option("--classifier", help="Scenario classifier model as BACKEND:MODEL or BACKEND:MODEL@URL.")
]


@with_groups(job=ModelRunOptions)
def scenarios(
    queries: Annotated[str, typer.Argument(help="Bundled data set or file of prompts to label.")],
    classifier: ClassifierOpt = "hf:smollm2-135m",
    text: Annotated[
        bool, typer.Option("--text", help="Parse text verdicts instead of next-token probabilities.")
    ] = False,
    template: Annotated[str, typer.Option(help="Scenario template.")] = "scenario-groups",
    job: ModelRunOptions = ModelRunOptions(),
    out: OutOpt = None,
    workspace: opt.Workspace = None,
    json_out: opt.Json = False,
) -> None:
    """Label each query with its scenario group (the original's 10 groups + Others)."""
    from alignscope.data import load_items
    from alignscope.experiments.scenarios import label_scenarios

    spec = scenario_spec(classifier, job.api_key_env, template, text, job.seed)
    items = load_items(queries, limit=job.limit, seed=job.seed)
    config = {
        "classifier": spec.model_dump(mode="json"),
        "queries": queries,
        "limit": job.limit,
        "seed": job.seed,
    }
    engine = begin_run(open_store(workspace), "dissect-scenarios", config, job.run_id)
    from alignscope.backends.registry import make_backend

    result = label_scenarios(engine, make_backend(spec.model, where="classifier"), spec, items, seed=job.seed)
    rows = [
        {
            "dataset": it.dataset,
            "item_id": it.id,
            "category": it.category,
            "group": result.groups[(it.dataset, it.id)],
        }
        for it in items
    ]
    print_table(
        f"scenario groups by {spec.label}",
        ["dataset", "item", "category", "group"],
        [[r["dataset"], r["item_id"], r["category"] or "", r["group"] or "(failed)"] for r in rows],
        json_mode=json_out,
    )
    accuracy = asdict(result.accuracy) if result.accuracy else None
    if accuracy and not json_out:
        out_console.print(
            f"accuracy on {accuracy['n']} queries of known group: {accuracy['accuracy']:.1%} "
            f"[{accuracy['lower']:.1%}, {accuracy['upper']:.1%}]; majority class "
            f"({accuracy['majority_group']}) "
            f"{accuracy['majority_baseline']:.1%}"
        )
    summary = {
        "classifier": {"label": spec.label, "model": spec.model.model, "verdict": spec.verdict},
        "queries": len(items),
        "labels": rows,
        "accuracy": accuracy,
        "parse_failures": sum(j.parse_status == "failed" for j in result.judgments),
    }
    full = end_run(engine, summary, json_mode=json_out)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        full["files"] = write_result(out / "scenarios.json", full, [])
    if json_out:
        emit_json(full)
