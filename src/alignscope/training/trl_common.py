"""What the SFT, DPO and RL wrappers share: model resolution, TRL arguments, LoRA, the train sequence
(:func:`run_trainer`) and saving the result.

Each wrapper also takes ``callbacks``: transformers ``TrainerCallback`` objects (progress, timing, stopping).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from datasets import Dataset

from alignscope.backends.gguf_convert import dequantised_directory
from alignscope.backends.local_files import resolve_local_model
from alignscope.errors import BackendError, ConfigError, DataError
from alignscope.training.checkpoints import resolve_checkpoint
from alignscope.training.config import LoraSettings, TrainConfig
from alignscope.training.data import as_conversational, is_conversational

A = TypeVar("A")


@dataclass(frozen=True)
class TrainResult:
    """A finished run: the saved HF model directory and TRL's log history (one dict per logging step)."""

    path: Path
    log_history: list[dict[str, float]]

    def series(self, key: str) -> list[float]:
        """The logged values of ``key`` in step order (e.g. "loss", "reward", "rewards/chosen")."""
        return [float(h[key]) for h in self.log_history if key in h]


@dataclass(frozen=True)
class LoadedBase:
    """The model to train as a local HF directory (a GGUF model is converted once), with its tokenizer."""

    directory: Path
    tokenizer: Any

    @property
    def model_id(self) -> str:
        """What TRL's trainers take as ``model``."""
        return str(self.directory)


def load_base(model: str | Path, workspace: Path | None = None) -> LoadedBase:
    """A registered checkpoint name, HF directory, GGUF file, cached hub id or embedded model + tokenizer.

    GGUF weights are dequantised once into the user's cache (:mod:`alignscope.backends.gguf_convert`), so TRL
    can load policy and reference models from a directory.
    """
    name = str(model)
    registered = resolve_checkpoint(name, workspace) if workspace is not None else None
    local = resolve_local_model(str(registered or name), where="train.model")
    directory = local.directory
    if local.gguf_file:
        directory = dequantised_directory(local)
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackendError(f"cannot load the tokenizer of {name!r}: {first}") from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return LoadedBase(directory, tokenizer)


def chat_ready(dataset: Dataset, base: LoadedBase, apply_chat_template: bool) -> Dataset:
    """Rows as the model sees them: plain rows become chat if asked and the model has a chat template."""
    has_template = bool(base.tokenizer.chat_template)
    if apply_chat_template and has_template:
        return as_conversational(dataset)
    if not has_template and is_conversational(dataset):
        raise DataError("rows are chat messages but the model has no chat template; give plain-text rows")
    return dataset


def _precision(choice: str, gpu_bf16: bool) -> tuple[bool, bool]:
    """(bf16, fp16) mixed-precision flags; "auto" is bf16 on a GPU that has it, fp32 elsewhere."""
    if choice == "auto":
        return gpu_bf16, False
    return choice == "bf16", choice == "fp16"


def trl_args(cls: type[A], cfg: TrainConfig, output_dir: Path, **specific: Any) -> A:
    """A TRL config of class ``cls``: common fields, then ``specific``, then the user's ``trl`` options."""
    import torch

    cuda = torch.cuda.is_available()
    bf16, fp16 = _precision(cfg.precision, cuda and torch.cuda.is_bf16_supported())
    kwargs: dict[str, Any] = {
        "output_dir": str(output_dir),
        "learning_rate": cfg.learning_rate,
        "num_train_epochs": cfg.epochs,
        "max_steps": cfg.max_steps,
        "per_device_train_batch_size": cfg.batch_size,
        "gradient_accumulation_steps": cfg.grad_accum,
        "seed": cfg.seed,
        "bf16": bf16,
        "fp16": fp16,
        "logging_steps": cfg.logging_steps,
        "logging_first_step": True,
        "save_strategy": "no",
        "report_to": "none",
        "dataloader_pin_memory": cuda,
        **specific,
        **cfg.trl,
    }
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    # transformers 5 renamed gradient_checkpointing (TRL defaults it on) to activation_checkpointing
    checkpointing = (
        "activation_checkpointing" if "activation_checkpointing" in known else "gradient_checkpointing"
    )
    kwargs.setdefault(checkpointing, cfg.gradient_checkpointing)
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise ConfigError(f"trl: unknown {cls.__name__} option {unknown[0]!r}")
    try:
        return cls(**kwargs)
    except ValueError as exc:
        raise ConfigError(f"trl: {str(exc).strip().splitlines()[0]}") from None


def peft_config(lora: LoraSettings | None, task_type: str = "CAUSAL_LM") -> Any:
    """A peft LoraConfig for ``task_type`` models (causal LMs unless told), or None without LoRA."""
    if lora is None:
        return None
    from peft import LoraConfig

    return LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=lora.target_modules,
        task_type=task_type,
    )


def save_result(trainer: Any, base: LoadedBase, output_dir: Path) -> TrainResult:
    """Save the trained model as a plain HF directory (LoRA adapters merged, also kept under ``adapter/``)."""
    from peft import PeftModel

    if not isinstance(trainer.model, PeftModel):
        trainer.save_model(str(output_dir))
    else:
        adapter_dir = output_dir / "adapter"
        trainer.save_model(str(adapter_dir))
        if trainer.accelerator.is_main_process:
            from transformers import AutoModelForCausalLM

            merged = AutoModelForCausalLM.from_pretrained(base.model_id, dtype="auto", local_files_only=True)
            merged = PeftModel.from_pretrained(merged, adapter_dir).merge_and_unload()
            merged.save_pretrained(output_dir)
            base.tokenizer.save_pretrained(output_dir)
        trainer.accelerator.wait_for_everyone()
    return TrainResult(output_dir, [dict(h) for h in trainer.state.log_history])


def run_trainer(
    trainer_cls: type,
    args_cls: type,
    config: TrainConfig,
    model: str | Path,
    rows: Dataset | list[dict[str, Any]],
    to_dataset: Callable[[list[dict[str, Any]]], Dataset],
    output_dir: Path,
    workspace: Path | None,
    callbacks: list[Any] | None,
    args: dict[str, Any],
    lora_task: str = "CAUSAL_LM",
    save: Callable[[Any, LoadedBase, Path], TrainResult] = save_result,
    **trainer_kwargs: Any,
) -> TrainResult:
    """The sequence every wrapper runs: load ``model``, turn ``rows`` (via ``to_dataset`` unless already a
    Dataset) into chat-ready data, build ``args_cls`` from ``config`` and the trainer-specific ``args``, train
    ``trainer_cls`` (with ``trainer_kwargs``, e.g. reward functions; LoRA for ``lora_task`` models) and
    ``save`` it to ``output_dir``."""
    base = load_base(model, workspace)
    dataset = rows if isinstance(rows, Dataset) else to_dataset(rows)
    dataset = chat_ready(dataset, base, config.apply_chat_template)
    trainer = trainer_cls(
        model=base.model_id,
        args=trl_args(args_cls, config, output_dir, **args),
        train_dataset=dataset,
        processing_class=base.tokenizer,
        peft_config=peft_config(config.lora, lora_task),
        callbacks=callbacks,
        **trainer_kwargs,
    )
    trainer.train()
    return save(trainer, base, output_dir)
