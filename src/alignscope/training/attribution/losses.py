"""The losses attribution differentiates, on token ids: the training loss of one pair per stage kind (SFT: LM
loss on the chosen reply; DPO: the sigmoid DPO loss against the reference; RM/RL: the Bradley-Terry loss of
the reward model) and the test loss of a vertical (its prompts with the new model's continuation vs the
parent's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

Ids = list[int]


@dataclass(frozen=True)
class Pair:
    """One training pair as token ids: the rendered prompt, the chosen and the rejected reply."""

    prompt: Ids
    chosen: Ids
    rejected: Ids


@dataclass(frozen=True)
class Contrast:
    """One test prompt with the new model's continuation and the parent's (token ids)."""

    prompt: Ids
    new: Ids
    parent: Ids


def _messages(text: Any, role: str) -> list[dict[str, str]]:
    return [{"role": role, "content": text}] if isinstance(text, str) else list(text)


def render(tokenizer: Any, prompt: Any, reply: Any | None, chat: bool) -> tuple[Ids, Ids]:
    """(prompt ids, reply ids) as TRL's trainers see a prompt/completion row: with a chat template the reply
    is the rendered conversation minus the rendered prompt (end-of-turn tokens included); without one the
    reply is followed by the end-of-sequence token."""
    if chat and tokenizer.chat_template:
        msgs = _messages(prompt, "user")
        head = tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
        ids = tokenizer(head, add_special_tokens=False)["input_ids"]
        if reply is None:
            return ids, []
        full = tokenizer.apply_chat_template(msgs + _messages(reply, "assistant"), tokenize=False)
        tail = full[len(head) :] if full.startswith(head) else str(reply)
        return ids, tokenizer(tail, add_special_tokens=False)["input_ids"]
    text = prompt if isinstance(prompt, str) else "\n".join(m["content"] for m in prompt)
    ids = tokenizer(text)["input_ids"]
    if reply is None:
        return ids, []
    return ids, tokenizer(str(reply), add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]


def _joined(prompt: Ids, reply: Ids, max_length: int) -> tuple[torch.Tensor, int]:
    reply = reply[: max(1, max_length // 2)]
    prompt = prompt[-(max_length - len(reply)) :]
    return torch.tensor([prompt + reply]), len(prompt)


def reply_logprob(model: Any, prompt: Ids, reply: Ids, max_length: int, mean: bool = False) -> torch.Tensor:
    """Summed (or mean) log-probability of ``reply`` after ``prompt`` under a causal LM."""
    ids, start = _joined(prompt, reply, max_length)
    logits = model(input_ids=ids).logits[0, start - 1 : -1].float()
    logps = torch.log_softmax(logits, dim=-1).gather(1, ids[0, start:, None]).squeeze(1)
    return logps.mean() if mean else logps.sum()


def reward(model: Any, prompt: Ids, reply: Ids, max_length: int) -> torch.Tensor:
    """A sequence-classification reward model's score of ``reply`` after ``prompt``."""
    ids, _ = _joined(prompt, reply, max_length)
    return model(input_ids=ids).logits[0, 0].float()


def sft_loss(model: Any, pair: Pair, max_length: int) -> torch.Tensor:
    """SFT's loss on a pair: mean negative log-likelihood of the chosen reply's tokens."""
    return -reply_logprob(model, pair.prompt, pair.chosen, max_length, mean=True)


def dpo_loss(
    model: Any, pair: Pair, reference: tuple[float, float], beta: float, max_length: int
) -> torch.Tensor:
    """The sigmoid DPO loss -log s(beta((log pi(c) - log ref(c)) - (log pi(r) - log ref(r))))."""
    chosen = reply_logprob(model, pair.prompt, pair.chosen, max_length) - reference[0]
    rejected = reply_logprob(model, pair.prompt, pair.rejected, max_length) - reference[1]
    return -F.logsigmoid(beta * (chosen - rejected))


def bradley_terry_loss(model: Any, prompt: Ids, better: Ids, worse: Ids, max_length: int) -> torch.Tensor:
    """The reward model's Bradley-Terry loss -log s(r(better) - r(worse))."""
    return -F.logsigmoid(reward(model, prompt, better, max_length) - reward(model, prompt, worse, max_length))


def lm_test_loss(model: Any, case: Contrast, max_length: int) -> torch.Tensor:
    """Test loss of an LM stage: log p(parent's continuation) - log p(new continuation); it falls as the model
    moves from the parent's behaviour to the new one."""
    parent = reply_logprob(model, case.prompt, case.parent, max_length)
    return parent - reply_logprob(model, case.prompt, case.new, max_length)


def rm_test_loss(model: Any, case: Contrast, max_length: int) -> torch.Tensor:
    """Test loss through a reward model: Bradley-Terry loss of the new continuation over the parent's."""
    return bradley_terry_loss(model, case.prompt, case.new, case.parent, max_length)
