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
from pathlib import Path
from typing import Annotated, Any

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
from alignscope.store.sqlite import default_workspace
from alignscope.training.config import DPOTrainConfig, RewardTrainConfig, RLTrainConfig, SFTTrainConfig
from alignscope.training.meta_config import MetaRewardingConfig

app = typer.Typer(
    help="Train models: SFT, DPO, reward models, on-policy RL (GRPO/RLOO) and the Meta-Rewarding loop.",
    no_args_is_help=True,
)
ConfigArg = Annotated[Path, typer.Argument(help="YAML config.", show_default=False)]


def stdout_for(json_mode: bool) -> contextlib.AbstractContextManager[Any]:
    """Under --json, what the trainers print (TRL logs each step to stdout) goes to stderr."""
    return contextlib.redirect_stdout(sys.stderr) if json_mode else contextlib.nullcontext()


def _train(path: Path, cls: type, workspace: Path | None, json_out: bool) -> None:
    from alignscope.training.run import train_from_config

    config = load_config(path, cls)
    workspace = workspace or default_workspace()
    reward = None
    if isinstance(config, RLTrainConfig) and config.reward is not None:
        from alignscope.training.rewards import make_reward

        reward = make_reward(config.reward, workspace, config.model)
    with stdout_for(json_out):
        name, result = train_from_config(config, workspace, data=None, reward=reward)
    summary = {k: v for k, v in result.log_history[-1].items() if k.startswith("train_")}
    out = {"checkpoint": name, "path": str(result.path), "metrics": summary, "loss": result.series("loss")}
    rows = [[name, str(result.path), summary.get("train_loss"), summary.get("train_runtime")]]
    print_table("checkpoint", ["name", "path", "train loss", "runtime (s)"], rows, json_mode=json_out)
    if json_out:
        emit_json(out)


@app.command("sft")
def sft(config: ConfigArg, workspace: WorkspaceOpt = None, json_out: JsonOpt = False) -> None:
    """Supervised fine-tuning (TRL SFTTrainer) on messages, prompt/completion or text rows."""
    _train(config, SFTTrainConfig, workspace, json_out)


@app.command("dpo")
def dpo(config: ConfigArg, workspace: WorkspaceOpt = None, json_out: JsonOpt = False) -> None:
    """Direct preference optimisation (TRL DPOTrainer) on prompt/chosen/rejected rows."""
    _train(config, DPOTrainConfig, workspace, json_out)


@app.command("rm")
def rm(config: ConfigArg, workspace: WorkspaceOpt = None, json_out: JsonOpt = False) -> None:
    """Reward model (TRL RewardTrainer) on prompt/chosen/rejected rows; saved as a one-logit HF sequence
    classifier (OpenRLHF's --reward_pretrain and AutoModelForSequenceClassification load it as is)."""
    _train(config, RewardTrainConfig, workspace, json_out)


@app.command("rl")
def rl(config: ConfigArg, workspace: WorkspaceOpt = None, json_out: JsonOpt = False) -> None:
    """On-policy RL (GRPO or RLOO) on prompts, rewarded by an alignscope scorer or a learned reward model
    (``reward: rm:NAME``: r(sample) - r(chosen), so the data needs prompt/chosen pairs, e.g. HH files)."""
    _train(config, RLTrainConfig, workspace, json_out)


@app.command("meta-rewarding")
def meta_rewarding(
    config: ConfigArg,
    workspace: WorkspaceOpt = None,
    run_id: RunIdOpt = None,
    out: ReportOutOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Meta-Rewarding (or Self-Rewarding) iterations; resumable: rerun the same command to go on. Ends with a
    report: judged (win rates vs the seed) against concrete (factor scores) per iteration."""
    from alignscope.report.meta_rewarding import meta_rewarding_report
    from alignscope.training.meta_rewarding import run_meta_rewarding

    cfg = load_config(config, MetaRewardingConfig)
    store = open_store(workspace)
    engine = begin_run(store, "meta-rewarding", cfg.model_dump(mode="json"), run_id)
    with stdout_for(json_out):
        result = run_meta_rewarding(cfg, engine, store.workspace)
    _print_metrics(result.metrics, json_out)
    facts = {"run": engine.run_id, "config": str(config), "checkpoints": ", ".join(result.checkpoints)}
    report = meta_rewarding_report(result.metrics, cfg.model_dump(mode="json"), facts)
    outputs = save_report(engine, report, out, json_mode=json_out)
    summary = end_run(
        engine,
        {"checkpoints": result.checkpoints, "metrics": result.metrics, "outputs": outputs},
        json_mode=json_out,
    )
    if json_out:
        emit_json(summary)


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
