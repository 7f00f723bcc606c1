"""A trained stage as a LoRA model over its parent, so that LoRA gradients exist: the stage's own adapter
when it was trained with LoRA, otherwise a rank-r truncated SVD of each linear layer's weight difference."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from alignscope.errors import DataError

HEADS = ("lm_head", "score", "classifier")  # output layers stay as trained, without adapters


@dataclass
class LoraStage:
    """The stage as a peft model (only its LoRA matrices trainable) and how it was obtained."""

    model: Any
    source: str  # "adapter" or "svd"
    rank: int
    energy: (
        float  # share of the weight differences' squared Frobenius norm the adapters hold (1 for adapters)
    )

    def lora_parameters(self) -> dict[str, torch.nn.Parameter]:
        """The LoRA matrices by parameter name, in model order."""
        return {n: p for n, p in self.model.named_parameters() if "lora_A" in n or "lora_B" in n}


def _auto(task: str) -> Any:
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    return AutoModelForSequenceClassification if task == "seq-cls" else AutoModelForCausalLM


def _freeze_all_but_lora(model: Any) -> None:
    for name, param in model.named_parameters():
        param.requires_grad_("lora_A" in name or "lora_B" in name)


def from_adapter(adapter: Path, parent: Path, task: str) -> LoraStage:
    """The parent with the stage's saved LoRA adapter (``<stage>/adapter``) loaded trainable."""
    from peft import PeftModel

    base = _auto(task).from_pretrained(parent, dtype=torch.float32, local_files_only=True)
    model = PeftModel.from_pretrained(base, adapter, is_trainable=True)
    model.eval()
    _freeze_all_but_lora(model)
    rank = int(next(iter(model.peft_config.values())).r)
    return LoraStage(model, "adapter", rank, 1.0)


def _targets(model: Any) -> list[str]:
    return [
        name
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and name.split(".")[-1] not in HEADS
    ]


def from_weight_difference(stage: Path, parent: Path, rank: int, task: str) -> LoraStage:
    """The stage's non-linear weights and heads as trained, each other linear layer as the parent's weight
    plus a rank-``rank`` LoRA ``B A`` = the truncated SVD of (stage - parent) (B = U S^1/2, A = S^1/2 V^T)."""
    from peft import LoraConfig, get_peft_model

    model = _auto(task).from_pretrained(stage, dtype=torch.float32, local_files_only=True)
    parent_state = (
        _auto(task).from_pretrained(parent, dtype=torch.float32, local_files_only=True).state_dict()
    )
    targets = _targets(model)
    factors: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    kept = total = 0.0
    for name in targets:
        layer = model.get_submodule(name)
        before = parent_state.get(f"{name}.weight")
        if before is None or before.shape != layer.weight.shape:
            raise DataError(f"layer {name} differs in shape from the parent's; is the parent right?")
        u, s, vh = torch.linalg.svd((layer.weight.detach() - before).double(), full_matrices=False)
        r = min(rank, s.numel())
        root = s[:r].sqrt()
        factors[name] = ((u[:, :r] * root).float(), (root[:, None] * vh[:r]).float())
        kept, total = kept + float((s[:r] ** 2).sum()), total + float((s**2).sum())
        layer.weight.data.copy_(before)
    if total == 0.0:
        raise DataError("the stage's linear weights equal its parent's: nothing was trained to attribute")
    kind = "SEQ_CLS" if task == "seq-cls" else "CAUSAL_LM"
    config = LoraConfig(r=rank, lora_alpha=rank, lora_dropout=0.0, target_modules=targets, task_type=kind)
    peft_model = get_peft_model(model, config)
    for name, (b, a) in factors.items():
        layer = peft_model.base_model.model.get_submodule(name)
        layer.lora_A["default"].weight.data.zero_()[: a.shape[0]].copy_(a)
        layer.lora_B["default"].weight.data.zero_()[:, : b.shape[1]].copy_(b)
    peft_model.eval()
    _freeze_all_but_lora(peft_model)
    return LoraStage(peft_model, "svd", rank, kept / total)


def lora_stage(stage: Path, parent: Path, rank: int, task: str = "causal-lm") -> LoraStage:
    """The stage as a LoRA model over ``parent``: its adapter when it has one, else the SVD conversion."""
    adapter = stage / "adapter"
    if (adapter / "adapter_config.json").exists():
        return from_adapter(adapter, parent, task)
    return from_weight_difference(stage, parent, rank, task)
