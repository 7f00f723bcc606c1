"""Supervised fine-tuning: a typed wrapper over TRL's SFTTrainer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasets import Dataset

from alignscope.training.config import SFTTrainConfig
from alignscope.training.data import sft_dataset
from alignscope.training.trl_common import TrainResult, run_trainer


def train_sft(
    model: str | Path,
    data: Dataset | list[dict[str, Any]],
    config: SFTTrainConfig,
    output_dir: Path,
    workspace: Path | None = None,
    callbacks: list[Any] | None = None,
) -> TrainResult:
    """Fine-tune ``model`` on SFT rows (messages | prompt + completion | text); save it to ``output_dir``."""
    from trl import SFTConfig, SFTTrainer

    args = {
        "max_length": config.max_length,
        "packing": config.packing,
        "completion_only_loss": config.completion_only_loss,
        "assistant_only_loss": config.assistant_only_loss,
    }
    return run_trainer(
        SFTTrainer, SFTConfig, config, model, data, sft_dataset, output_dir, workspace, callbacks, args
    )
