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

from alignscope.cli.common import (
    JsonOpt,
    ReportOutOpt,
    RunIdOpt,
    WorkspaceOpt,
    begin_run,
    emit_json,
    end_run,
    open_store,
    print_table,
    save_report,
)
from alignscope.config import load_config
from alignscope.training.trust_config import TrustStudyConfig


def trust_study(
    config: Annotated[Path | None, typer.Argument(help="YAML config (optional with --checkpoint).")] = None,
    checkpoint: Annotated[
        list[str] | None,
        typer.Option(
            "--checkpoint",
            help="MODEL=PATH (base, sft, dpo, ppo) trained elsewhere: evaluate and report only; repeatable.",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    run_id: RunIdOpt = None,
    out: ReportOutOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Trust after alignment ("More RLHF, More Trust?"): train SFT, DPO and RM + on-policy RL on preference
    pairs, run the trust tasks on every checkpoint, and report each stage's change with CIs and verdicts."""
    from alignscope.cli.train_cmd import stdout_for
    from alignscope.report.trust_study import trust_study_report, verdict
    from alignscope.training.trust_study import parse_checkpoints, run_trust_study

    cfg = load_config(config, TrustStudyConfig) if config is not None else TrustStudyConfig()
    given = parse_checkpoints(checkpoint) if checkpoint else None
    store = open_store(workspace)
    run_config = cfg.model_dump(mode="json") | ({"checkpoints": given} if given else {})
    engine = begin_run(store, "trust-study", run_config, run_id)
    with stdout_for(json_out):
        result = run_trust_study(cfg, engine, store.workspace, given)
    rows = [
        [c.checkpoint, c.task, c.metric, c.estimate.value, c.estimate.low, c.estimate.high]
        for c in result.tasks
    ]
    print_table("trust study", ["model", "task", "metric", "value", "low", "high"], rows, json_mode=json_out)
    facts = {
        "run": engine.run_id,
        "config": str(config) if config else "defaults",
        "models": ", ".join(result.checkpoints),
    }
    report = trust_study_report(result, facts)
    outputs = save_report(engine, report, out, json_mode=json_out)
    verdicts = [verdict(c, result.level) for c in result.changes]
    summary = end_run(
        engine, {"models": result.checkpoints, "verdicts": verdicts, "outputs": outputs}, json_mode=json_out
    )
    if json_out:
        emit_json(summary)
