"""``alignscope attribute STAGE --vertical V --data FILE``: which training pairs moved a trained stage on a
trust vertical (DataInf influence over LoRA gradients); scores as Parquet, the top pairs in a report.

  alignscope attribute dpo-1 --vertical toxicity --data hh_rlhf/harmless-base [--pairs 200] [--prompts 16]
  alignscope attribute ppo-1 --vertical privacy --data hh_rlhf/harmless-base --reward-model rm-1
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alignscope.api.runs import close_run, publish_run_report
from alignscope.cli import options as opt
from alignscope.cli.common import begin_run, finish_report, open_store, print_table


def attribute(
    stage: Annotated[
        str, typer.Argument(help="Registered checkpoint name (or model directory with --parent).")
    ],
    vertical: Annotated[list[str], typer.Option("--vertical", "-v", help="Trust vertical (repeatable).")],
    data: Annotated[Path, typer.Option("--data", help="The stage's training pairs (file or hh_rlhf/SPLIT).")],
    parent: Annotated[
        str | None, typer.Option(help="Parent model (default: the stage's base model).")
    ] = None,
    reward_model: Annotated[
        str | None, typer.Option("--reward-model", help="RL stages: the reward model checkpoint.")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="sft, dpo or rl (default: the stage's kind).")] = None,
    task: Annotated[str | None, typer.Option(help="Task whose prompts stand for the vertical.")] = None,
    pairs: Annotated[int | None, typer.Option(min=1, help="Score the first N training pairs.")] = None,
    prompts: Annotated[int, typer.Option(min=1, help="Test prompts per vertical (seeded subset).")] = 16,
    rank: Annotated[int, typer.Option(min=1, help="SVD rank for stages trained without LoRA.")] = 8,
    beta: Annotated[float, typer.Option(help="DPO beta of the stage's training.")] = 0.1,
    max_new_tokens: Annotated[int, typer.Option(min=1, help="Continuation length (greedy).")] = 32,
    max_length: Annotated[int, typer.Option(min=8, help="Token cap of prompt + reply.")] = 512,
    top: Annotated[int, typer.Option(min=1, help="Pairs shown per direction in the report.")] = 5,
    seed: int = 0,
    workspace: opt.Workspace = None,
    run_id: opt.RunId = None,
    out: opt.ReportOut = None,
    json_out: opt.Json = False,
) -> None:
    """Influence of each training pair of STAGE on each vertical's test loss (DataInf over LoRA gradients)."""
    from alignscope.report.attribution import attribution_section
    from alignscope.report.model import Report
    from alignscope.training.attribution.pipeline import AttributionSettings
    from alignscope.training.attribution.run import plan, run

    store = open_store(workspace)
    settings = AttributionSettings(
        kind="sft", beta=beta, rank=rank, max_length=max_length, max_new_tokens=max_new_tokens
    )
    job = plan(
        stage, vertical, data, store.workspace, settings, parent=parent, reward_model=reward_model,
        kind=kind, task=task, prompts=prompts, pairs=pairs, seed=seed,
    )  # fmt: skip
    config = {"stage": stage, "verticals": vertical, "data": str(data), "kind": job.settings.kind,
              "rank": rank, "pairs": len(job.rows), "prompts": prompts, "seed": seed}  # fmt: skip
    engine = begin_run(store, "attribute", config, run_id)
    summaries = run(job, top=top)
    rows = [
        [s["vertical"], s["pairs"], s["test_loss"], s["toward"][0]["pair"], s["parquet"]] for s in summaries
    ]
    print_table(
        "attribution", ["vertical", "pairs", "test loss", "top pair", "scores"], rows, json_mode=json_out
    )
    facts = {"stage": stage, "parent": job.parent, "data": str(data), "kind": job.settings.kind}
    report = Report(title=f"Attribution of {stage}", facts=facts, sections=[attribution_section(summaries)])
    outputs = publish_run_report(engine, report, out)
    summary = close_run(engine, {"attribution": summaries, "outputs": outputs})
    finish_report(outputs["html"], summary, summary, json_mode=json_out)
