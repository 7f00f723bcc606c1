"""Training configs (YAML via ``alignscope.config.load_config``): SFT, DPO, reward models and on-policy RL.

Fields common to all three map onto TRL's trainer arguments; ``trl`` passes any other TRL option verbatim
(``trl: {warmup_ratio: 0.1, save_steps: 200}``), and an option TRL does not know is a ConfigError.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class LoraSettings(BaseModel):
    """LoRA adapters through peft; the adapters are merged into the saved checkpoint."""

    model_config = ConfigDict(extra="forbid")
    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.05, ge=0.0, lt=1.0)
    target_modules: list[str] | Literal["all-linear"] = "all-linear"


class TrainConfig(BaseModel):
    """What every training run needs: a model, an output name, optimisation and batching."""

    model_config = ConfigDict(extra="forbid")
    model: str = Field(
        description="local HF directory, hub id, or a checkpoint name registered in the workspace"
    )
    name: str | None = Field(None, description="checkpoint name to save and register the result under")
    data: str | None = Field(None, description="training data file (JSONL, JSON, CSV, Parquet)")
    learning_rate: float = Field(1e-5, gt=0)
    epochs: float = Field(1.0, gt=0)
    max_steps: int = Field(-1, description="stop after this many optimiser steps (-1: run all epochs)")
    batch_size: int = Field(8, ge=1, description="per-device batch size")
    grad_accum: int = Field(1, ge=1)
    seed: int = 0
    precision: Literal["auto", "bf16", "fp16", "fp32"] = "auto"
    gradient_checkpointing: bool = False
    logging_steps: int = Field(10, ge=1)
    apply_chat_template: bool = Field(
        True, description="wrap plain-text rows as chat messages when the model has a chat template"
    )
    lora: LoraSettings | None = None
    trl: dict[str, Any] = Field(default_factory=dict, description="extra TRL config options, passed verbatim")


class SFTTrainConfig(TrainConfig):
    """Supervised fine-tuning on messages, prompt/completion or text rows."""

    learning_rate: float = Field(2e-5, gt=0)
    max_length: int | None = Field(1024, ge=8, description="token cap of a training sequence")
    completion_only_loss: bool | None = Field(
        None, description="prompt/completion rows: loss on completion only"
    )
    assistant_only_loss: bool = Field(False, description="messages rows: loss on assistant turns only")
    packing: bool = False


class DPOTrainConfig(TrainConfig):
    """Direct preference optimisation on prompt/chosen/rejected rows."""

    learning_rate: float = Field(1e-6, gt=0)
    max_length: int | None = Field(1024, ge=8, description="token cap of prompt + completion")
    beta: float = Field(0.1, gt=0)
    loss_type: str = "sigmoid"


class RewardTrainConfig(TrainConfig):
    """A Bradley-Terry reward model (one-logit sequence classifier) on prompt/chosen/rejected rows."""

    learning_rate: float = Field(1e-5, gt=0)
    max_length: int | None = Field(
        1024, ge=8, description="token cap of prompt + reply (longer pairs dropped)"
    )
    center_rewards_coefficient: float | None = Field(
        None, ge=0, description="weight of the penalty pulling rewards towards 0 (Eisenstein et al. 2023)"
    )


class RLTrainConfig(TrainConfig):
    """On-policy RL (GRPO or RLOO) rewarded by a scorer, a learned reward model (``rm:NAME``), a callable."""

    learning_rate: float = Field(1e-6, gt=0)
    algorithm: Literal["grpo", "rloo"] = "grpo"
    reward: str | None = Field(
        None,
        description="a scorer name, or rm:NAME (a reward-model checkpoint name or directory: reward = "
        "r(sample) - r(the prompt's chosen reply), so data must hold prompt/chosen pairs)",
    )
    num_generations: int = Field(4, ge=2, description="completions sampled per prompt (the group size)")
    max_completion_length: int = Field(256, ge=1)
    temperature: float = Field(1.0, gt=0)
    top_p: float = Field(1.0, gt=0, le=1)
    beta: float = Field(
        0.0, ge=0, description="KL penalty towards the reference model (0: no reference model)"
    )
