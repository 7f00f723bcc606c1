"""Attribution of one stage's change on one vertical to its training pairs: encode pairs and test prompts,
generate the new and the parent model's continuations, take per-pair LoRA gradients of the stage's training
loss and the mean test-loss gradient, and score each pair by DataInf."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

import torch

from alignscope.training.attribution.datainf import DAMPING_DIVISOR, datainf_influence, layer_damping
from alignscope.training.attribution.gradients import mean_gradient, per_example_gradients
from alignscope.training.attribution.lora import LoraStage
from alignscope.training.attribution.losses import (
    Contrast,
    Pair,
    bradley_terry_loss,
    dpo_loss,
    lm_test_loss,
    render,
    reply_logprob,
    rm_test_loss,
    sft_loss,
)

Kind = Literal["sft", "dpo", "rl"]


@dataclass(frozen=True)
class AttributionSettings:
    """How pairs are scored: the stage's loss (``kind``; DPO's ``beta``), the SVD rank for stages trained
    without LoRA, token caps, and whether texts go through the chat template as in training."""

    kind: Kind
    beta: float = 0.1
    rank: int = 8
    max_length: int = 512
    max_new_tokens: int = 32
    chat: bool = True
    damping_divisor: float = DAMPING_DIVISOR


@dataclass
class Influence:
    """Each pair's DataInf influence on the test loss (negative: the pair moved the model towards its new
    continuations), the mean test loss, and the costs."""

    scores: torch.Tensor
    test_loss: float
    damping: dict[str, float]
    seconds: dict[str, float] = field(default_factory=dict)


def encode_pairs(tokenizer: Any, rows: Sequence[dict[str, Any]], chat: bool) -> list[Pair]:
    """Token ids of prompt/chosen/rejected rows (a missing rejected reply, as in SFT rows, stays empty)."""
    pairs = []
    for row in rows:
        prompt, chosen = render(tokenizer, row["prompt"], row["chosen"], chat)
        rejected = render(tokenizer, row["prompt"], row["rejected"], chat)[1] if row.get("rejected") else []
        pairs.append(Pair(prompt, chosen, rejected))
    return pairs


@torch.no_grad()
def continuations(
    model: Any, tokenizer: Any, prompts: Sequence[list[int]], max_new_tokens: int
) -> list[list[int]]:
    """Greedy continuations (token ids, up to ``max_new_tokens``, end token dropped) of each prompt."""
    out = []
    for prompt in prompts:
        ids = torch.tensor([prompt])
        gen = model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=max_new_tokens,
            do_sample=False,
            pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
        )[0, len(prompt) :].tolist()
        ends = {tokenizer.eos_token_id, tokenizer.pad_token_id}
        cut = next((i for i, t in enumerate(gen) if t in ends), len(gen))
        out.append(gen[:cut] or gen[:1])
    return out


def contrasts(
    new: Any, parent: Any, tokenizer: Any, prompts: Sequence[Any], settings: AttributionSettings
) -> list[Contrast]:
    """Each test prompt (text or chat messages) with the new model's and the parent's greedy continuation."""
    ids = [render(tokenizer, p, None, settings.chat)[0] for p in prompts]
    mine = continuations(new, tokenizer, ids, settings.max_new_tokens)
    theirs = continuations(parent, tokenizer, ids, settings.max_new_tokens)
    return [Contrast(p, a, b) for p, a, b in zip(ids, mine, theirs, strict=True)]


@torch.no_grad()
def _reference(stage: LoraStage, pairs: Sequence[Pair], max_length: int) -> list[tuple[float, float]]:
    with stage.model.disable_adapter():
        return [
            (
                float(reply_logprob(stage.model, p.prompt, p.chosen, max_length)),
                float(reply_logprob(stage.model, p.prompt, p.rejected, max_length)),
            )
            for p in pairs
        ]


def train_losses(
    stage: LoraStage, pairs: Sequence[Pair], settings: AttributionSettings
) -> list[Callable[[], torch.Tensor]]:
    """One loss closure per pair: SFT's LM loss, DPO's loss against the reference (the parent: the stage
    with its adapters disabled), or the reward model's Bradley-Terry loss (``rl``, ``stage`` = the RM)."""
    m, n = stage.model, settings.max_length
    if settings.kind == "sft":
        return [partial(sft_loss, m, p, n) for p in pairs]
    if settings.kind == "dpo":
        refs = _reference(stage, pairs, n)
        return [partial(dpo_loss, m, p, ref, settings.beta, n) for p, ref in zip(pairs, refs, strict=True)]
    return [partial(bradley_terry_loss, m, p.prompt, p.chosen, p.rejected, n) for p in pairs]


def test_losses(
    stage: LoraStage, cases: Sequence[Contrast], settings: AttributionSettings
) -> list[Callable[[], torch.Tensor]]:
    """One test-loss closure per test prompt: the log-likelihood difference for policies, the RM's
    Bradley-Terry loss of new over parent continuation for ``rl``."""
    loss = rm_test_loss if settings.kind == "rl" else lm_test_loss
    return [partial(loss, stage.model, c, settings.max_length) for c in cases]


def influence(
    stage: LoraStage, pairs: Sequence[Pair], cases: Sequence[Contrast], settings: AttributionSettings
) -> Influence:
    """DataInf influence of every pair on the mean test loss over ``cases``."""
    params = stage.lora_parameters()
    clock = time.perf_counter()
    train = per_example_gradients(params, train_losses(stage, pairs, settings))
    after_train = time.perf_counter()
    tests = test_losses(stage, cases, settings)
    test = mean_gradient(params, tests)
    with torch.no_grad():
        test_loss = sum(float(t()) for t in tests) / len(tests)
    after_test = time.perf_counter()
    damping = layer_damping(train, settings.damping_divisor)
    scores = datainf_influence(train, test, damping)
    seconds = {
        "train_gradients": after_train - clock,
        "test_gradient": after_test - after_train,
        "datainf": time.perf_counter() - after_test,
    }
    return Influence(scores, test_loss, damping, seconds)
