"""Refitting a LoRA model on a subset of training pairs, for the counterfactual check of attribution
(remove the top-k pairs, refit, see the vertical move): full-batch Adam on the mean SFT loss from the same
parent and adapter initialisation, so that only the removed pairs differ between refits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from alignscope.training.attribution.losses import Contrast, Pair, lm_test_loss


def pad_batch(pairs: Sequence[Pair], pad: int, max_length: int = 512) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids of prompt + chosen and a mask of the chosen tokens' positions (to predict)."""
    seqs, masks = [], []
    for p in pairs:
        reply = p.chosen[: max(1, max_length // 2)]
        prompt = p.prompt[-(max_length - len(reply)) :]
        seqs.append(prompt + reply)
        masks.append([0] * len(prompt) + [1] * len(reply))
    width = max(len(s) for s in seqs)
    ids = torch.tensor([s + [pad] * (width - len(s)) for s in seqs])
    mask = torch.tensor([m + [0] * (width - len(m)) for m in masks], dtype=torch.float32)
    return ids, mask


def batch_sft_loss(model: Any, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over pairs of each pair's mean chosen-token NLL (what ``losses.sft_loss`` gives one pair)."""
    attention = torch.ones_like(ids)
    logits = model(input_ids=ids, attention_mask=attention).logits[:, :-1].float()
    logps = torch.log_softmax(logits, dim=-1).gather(2, ids[:, 1:, None]).squeeze(2)
    target = mask[:, 1:]
    return -((logps * target).sum(dim=1) / target.sum(dim=1)).mean()


def fit_sft(
    model: Any,
    pairs: Sequence[Pair],
    pad: int,
    *,
    steps: int,
    lr: float,
    max_length: int = 512,
    micro_batch: int | None = None,
) -> float:
    """Fit ``model``'s trainable parameters (LoRA matrices, or all weights) to ``pairs`` with full-batch Adam
    (gradients summed over ``micro_batch``-pair chunks to bound memory); the final loss."""
    size = micro_batch or len(pairs)
    chunks = [pad_batch(pairs[i : i + size], pad, max_length) for i in range(0, len(pairs), size)]
    weights = [len(pairs[i : i + size]) / len(pairs) for i in range(0, len(pairs), size)]
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.Adam(params, lr=lr)
    total = 0.0
    for _ in range(steps):
        optimiser.zero_grad()
        total = 0.0
        for (ids, mask), weight in zip(chunks, weights, strict=True):
            loss = batch_sft_loss(model, ids, mask) * weight
            loss.backward()
            total += float(loss.detach())
        optimiser.step()
    return total


@torch.no_grad()
def mean_test_loss(model: Any, cases: Sequence[Contrast], max_length: int = 512) -> float:
    """The vertical's mean test loss (log p(parent's continuation) - log p(new)) under ``model``."""
    return sum(float(lm_test_loss(model, c, max_length)) for c in cases) / len(cases)
