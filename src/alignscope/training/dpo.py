"""Direct preference optimisation: a typed wrapper over TRL's DPOTrainer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasets import Dataset

from alignscope.training.config import DPOTrainConfig
from alignscope.training.data import preference_dataset
from alignscope.training.trl_common import TrainResult, run_trainer


def train_dpo(
    model: str | Path,
    pairs: Dataset | list[dict[str, Any]],
    config: DPOTrainConfig,
    output_dir: Path,
    workspace: Path | None = None,
    callbacks: list[Any] | None = None,
) -> TrainResult:
    """DPO of ``model`` on prompt/chosen/rejected rows (e.g. from ``pairs``), saved to ``output_dir``.

    The reference model is ``model`` itself (with LoRA: the base with adapters disabled).
    """
    from trl import DPOConfig, DPOTrainer

    args = {"max_length": config.max_length, "beta": config.beta, "loss_type": [config.loss_type]}
    return run_trainer(
        DPOTrainer,
        DPOConfig,
        config,
        model,
        pairs,
        preference_dataset,
        output_dir,
        workspace,
        callbacks,
        args,
    )
