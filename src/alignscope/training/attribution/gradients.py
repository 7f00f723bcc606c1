"""Per-example gradients of a loss with respect to a model's LoRA matrices, one backward pass each."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import torch


def per_example_gradients(
    params: Mapping[str, torch.nn.Parameter], losses: Iterable[Callable[[], torch.Tensor]]
) -> dict[str, torch.Tensor]:
    """For each loss closure, the flattened gradient of each parameter: ``{name: [n, numel]}`` (float32)."""
    rows: dict[str, list[torch.Tensor]] = {name: [] for name in params}
    tensors = list(params.values())
    for loss in losses:
        grads = torch.autograd.grad(loss(), tensors, allow_unused=True)
        for name, param, grad in zip(params, tensors, grads, strict=True):
            rows[name].append(
                torch.zeros(param.numel()) if grad is None else grad.detach().reshape(-1).float()
            )
    if not next(iter(rows.values()), []):
        raise ValueError("no examples")
    return {name: torch.stack(r) for name, r in rows.items()}


def mean_gradient(
    params: Mapping[str, torch.nn.Parameter], losses: Iterable[Callable[[], torch.Tensor]]
) -> dict[str, torch.Tensor]:
    """The gradient of the mean of the losses (the test side's v), ``{name: [numel]}``."""
    return {name: g.mean(dim=0) for name, g in per_example_gradients(params, losses).items()}
