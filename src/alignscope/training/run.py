"""One training run from a config: load its data, train, save under the workspace, register the checkpoint."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from datasets import Dataset

from alignscope.errors import ConfigError
from alignscope.training.checkpoints import checkpoint_dir, register_checkpoint
from alignscope.training.config import DPOTrainConfig, RewardTrainConfig, RLTrainConfig, SFTTrainConfig
from alignscope.training.data import load_preference_file, load_prompt_file, load_sft_file, source_rows
from alignscope.training.dpo import train_dpo
from alignscope.training.reward_model import train_rm
from alignscope.training.rl import RewardFn, TrlRewardFn, train_rl
from alignscope.training.sft import train_sft
from alignscope.training.trl_common import TrainResult

AnyTrainConfig = SFTTrainConfig | DPOTrainConfig | RewardTrainConfig | RLTrainConfig


def _kind(config: AnyTrainConfig) -> str:
    if isinstance(config, SFTTrainConfig):
        return "sft"
    if isinstance(config, DPOTrainConfig):
        return "dpo"
    if isinstance(config, RewardTrainConfig):
        return "rm"
    return config.algorithm


def _load_data(
    config: AnyTrainConfig, reward: RewardFn | TrlRewardFn | None
) -> Dataset | list[dict[str, Any]]:
    if config.data is None:
        raise ConfigError("data: give a training data file (or pass rows in code)")
    path = Path(config.data)
    if isinstance(config, SFTTrainConfig):
        return load_sft_file(path)
    if isinstance(config, DPOTrainConfig | RewardTrainConfig):
        return load_preference_file(path)
    if getattr(reward, "needs_chosen", False):
        return source_rows(path)[0]  # prompts with their chosen replies
    return load_prompt_file(path)


def train_from_config(
    config: AnyTrainConfig,
    workspace: Path,
    *,
    data: Dataset | list[dict[str, Any]] | None = None,
    reward: RewardFn | TrlRewardFn | None = None,
) -> tuple[str, TrainResult]:
    """Train as ``config`` says (rows from ``data`` or ``config.data``); returns the registered name, result.

    RL needs ``reward``: a ``(prompts, completions) -> scores`` callable or a learned reward model's reward
    (``rewards.make_reward``; see ``alignscope.training.rl``).
    The checkpoint goes to ``<workspace>/checkpoints/<name>``; ``name`` defaults to ``<kind>-<timestamp>``.
    """
    from accelerate import PartialState

    if isinstance(config, RLTrainConfig) and reward is None:
        raise ConfigError("reward: on-policy RL needs a reward (a judge or scorer)")
    if config.name is None and PartialState().num_processes > 1:
        raise ConfigError("name: give the checkpoint a name when training on several processes")
    kind = _kind(config)
    name = config.name or f"{kind}-{datetime.now():%Y%m%d-%H%M%S}"
    output_dir = checkpoint_dir(name, workspace)
    rows = data if data is not None else _load_data(config, reward)
    if isinstance(config, SFTTrainConfig):
        result = train_sft(config.model, rows, config, output_dir, workspace)
    elif isinstance(config, DPOTrainConfig):
        result = train_dpo(config.model, rows, config, output_dir, workspace)
    elif isinstance(config, RewardTrainConfig):
        result = train_rm(config.model, rows, config, output_dir, workspace)
    else:
        result = train_rl(config.model, rows, reward, config, output_dir, workspace)
    if PartialState().is_main_process:
        summary = {k: v for k, v in result.log_history[-1].items() if k.startswith("train_")}
        register_checkpoint(name, output_dir, workspace, kind=kind, base_model=config.model, metrics=summary)
    return name, result
