"""``alignscope trust-study``: base -> SFT -> DPO and -> RM + RL, the trust tasks on every checkpoint, and a
report of what each stage changed.

  alignscope trust-study CONFIG.yaml [--workspace DIR] [--run-id ID] [--out DIR] [--json]
  alignscope trust-study [CONFIG.yaml] --checkpoint base=PATH --checkpoint sft=PATH ... (evaluate and report)

Resumable: rerun the same command to go on from the first unfinished stage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alignscope.api.trust_study import trust_study as run_trust_study_api
from alignscope.cli import options as opt
from alignscope.cli.common import finish_report, print_table
from alignscope.cli.train_cmd import stdout_for


def trust_study(
    config: Annotated[Path | None, typer.Argument(help="YAML config (optional with --checkpoint).")] = None,
    checkpoint: Annotated[
        list[str] | None,
        typer.Option(
            "--checkpoint",
            help="MODEL=PATH (base, sft, dpo, ppo) trained elsewhere: evaluate and report only; repeatable.",
        ),
    ] = None,
    workspace: opt.Workspace = None,
    run_id: opt.RunId = None,
    out: opt.ReportOut = None,
    json_out: opt.Json = False,
) -> None:
    """Trust after alignment ("More RLHF, More Trust?"): train SFT, DPO and RM + on-policy RL on preference
    pairs, run the trust tasks on every checkpoint, and report each stage's change with CIs and verdicts."""
    with stdout_for(json_out):
        result = run_trust_study_api(
            config, checkpoints=checkpoint or None, workspace=workspace, run_id=run_id, out=out
        )
    study = result.study
    assert study is not None
    rows = [
        [c.checkpoint, c.task, c.metric, c.estimate.value, c.estimate.low, c.estimate.high]
        for c in study.tasks
    ]
    print_table("trust study", ["model", "task", "metric", "value", "low", "high"], rows, json_mode=json_out)
    finish_report(result.summary["outputs"]["html"], result.summary, result.to_dict(), json_mode=json_out)
