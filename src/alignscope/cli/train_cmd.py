"""``alignscope train``: SFT, DPO, reward models and on-policy RL from a YAML config; the Meta-Rewarding loop.

  alignscope train sft|dpo|rm|rl CONFIG [--workspace DIR] [--json]
  alignscope train meta-rewarding CONFIG [--workspace DIR] [--run-id ID] [--json]

Checkpoints are saved under ``<workspace>/checkpoints/<name>`` and registered by name, so every command that
takes a model accepts them. Several GPUs: ``accelerate launch "$(which alignscope)" train dpo CONFIG`` (see
``alignscope.training``).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from alignscope.api import train as train_api
from alignscope.api.train import CheckpointResult
from alignscope.cli import options as opt
from alignscope.cli.common import emit_json, finish_report, print_table

app = typer.Typer(
    help="Train models: SFT, DPO, reward models, on-policy RL (GRPO/RLOO) and the Meta-Rewarding loop.",
    no_args_is_help=True,
)
ConfigArg = Annotated[Path, typer.Argument(help="YAML config.", show_default=False)]


def stdout_for(json_mode: bool) -> contextlib.AbstractContextManager[Any]:
    """Under --json, what the trainers print (TRL logs each step to stdout) goes to stderr."""
    return contextlib.redirect_stdout(sys.stderr) if json_mode else contextlib.nullcontext()


def _train(
    trainer: Callable[..., CheckpointResult], path: Path, workspace: Path | None, json_out: bool
) -> None:
    with stdout_for(json_out):
        result = trainer(path, workspace=workspace)
    metrics = result.metrics
    rows = [[result.checkpoint, str(result.path), metrics.get("train_loss"), metrics.get("train_runtime")]]
    print_table("checkpoint", ["name", "path", "train loss", "runtime (s)"], rows, json_mode=json_out)
    if json_out:
        emit_json(result.to_dict())


@app.command("sft")
def sft(config: ConfigArg, workspace: opt.Workspace = None, json_out: opt.Json = False) -> None:
    """Supervised fine-tuning (TRL SFTTrainer) on messages, prompt/completion or text rows."""
    _train(train_api.sft, config, workspace, json_out)


@app.command("dpo")
def dpo(config: ConfigArg, workspace: opt.Workspace = None, json_out: opt.Json = False) -> None:
    """Direct preference optimisation (TRL DPOTrainer) on prompt/chosen/rejected rows."""
    _train(train_api.dpo, config, workspace, json_out)


@app.command("rm")
def rm(config: ConfigArg, workspace: opt.Workspace = None, json_out: opt.Json = False) -> None:
    """Reward model (TRL RewardTrainer) on prompt/chosen/rejected rows; saved as a one-logit HF sequence
    classifier (OpenRLHF's --reward_pretrain and AutoModelForSequenceClassification load it as is)."""
    _train(train_api.rm, config, workspace, json_out)


@app.command("rl")
def rl(config: ConfigArg, workspace: opt.Workspace = None, json_out: opt.Json = False) -> None:
    """On-policy RL (GRPO or RLOO) on prompts, rewarded by an alignscope scorer or a learned reward model
    (``reward: rm:NAME``: r(sample) - r(chosen), so the data needs prompt/chosen pairs, e.g. HH files)."""
    _train(train_api.rl, config, workspace, json_out)


@app.command("meta-rewarding")
def meta_rewarding(
    config: ConfigArg,
    workspace: opt.Workspace = None,
    run_id: opt.RunId = None,
    out: opt.ReportOut = None,
    json_out: opt.Json = False,
) -> None:
    """Meta-Rewarding (or Self-Rewarding) iterations; resumable: rerun the same command to go on. Ends with a
    report: judged (win rates vs the seed) against concrete (factor scores) per iteration."""
    with stdout_for(json_out):
        result = train_api.meta_rewarding(config, workspace=workspace, run_id=run_id, out=out)
    _print_metrics(result.raw_metrics, json_out)
    finish_report(result.outputs["html"], result.summary, result.to_dict(), json_mode=json_out)


METRIC_COLUMNS = (
    ("iteration", "iteration"),
    ("model", "model"),
    ("actor_pairs", "actor pairs"),
    ("judge_pairs", "judge pairs"),
    ("win_rate", "win rate"),
    ("lc_win_rate", "LC win rate"),
    ("mean_length_chars", "answer chars"),
)


def _print_metrics(metrics: list[dict[str, Any]], json_mode: bool) -> None:
    groups = sorted({g for m in metrics for g in m.get("concrete", {}).get("groups", {})})
    columns = [title for _, title in METRIC_COLUMNS] + ["judge agreement"] + groups
    rows = []
    for m in metrics:
        agreement = m.get("judge_agreement") or {}
        concrete = m.get("concrete", {}).get("groups", {})
        rows.append(
            [m.get(key) for key, _ in METRIC_COLUMNS]
            + [agreement.get("accuracy")]
            + [concrete.get(g, {}).get("value") for g in groups]
        )
    print_table("Meta-Rewarding iterations (0 = seed)", columns, rows, json_mode=json_mode)
