"""Reward models: TRL's RewardTrainer (Bradley-Terry loss on prompt/chosen/rejected), saved as a plain HF
sequence-classification checkpoint with one label, which ``AutoModelForSequenceClassification`` and
OpenRLHF's ``--reward_pretrain`` load as they are; and :class:`RewardModel`, which scores replies with one.

A reply is scored as the trainer saw it in training: chat rows through the tokenizer's chat template (prompt
turns + the assistant reply), plain rows as prompt + reply + EOS; the reward is the logit at the last token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datasets import Dataset

from alignscope.errors import ConfigError
from alignscope.training.checkpoints import resolve_checkpoint
from alignscope.training.config import RewardTrainConfig
from alignscope.training.data import preference_dataset
from alignscope.training.trl_common import LoadedBase, TrainResult, run_trainer

Text = str | list[dict[str, str]]


def _save_merged(trainer: Any, base: LoadedBase, output_dir: Path) -> TrainResult:
    """Save the trained reward model as a sequence classifier (LoRA adapters merged in memory, also kept under
    ``adapter/``) with its tokenizer."""
    from peft import PeftModel

    if isinstance(trainer.model, PeftModel):
        trainer.model.save_pretrained(output_dir / "adapter")
        if trainer.accelerator.is_main_process:
            trainer.model.merge_and_unload().save_pretrained(output_dir)
            base.tokenizer.save_pretrained(output_dir)
        trainer.accelerator.wait_for_everyone()
    else:
        trainer.save_model(str(output_dir))
    return TrainResult(output_dir, [dict(h) for h in trainer.state.log_history])


def train_rm(
    model: str | Path,
    pairs: Dataset | list[dict[str, Any]],
    config: RewardTrainConfig,
    output_dir: Path,
    workspace: Path | None = None,
    callbacks: list[Any] | None = None,
) -> TrainResult:
    """Train a reward model from ``model`` (a causal LM gets a fresh one-logit head) on preference rows; save
    it to ``output_dir`` as a sequence classifier (LoRA adapters merged) with its tokenizer."""
    from trl import RewardConfig, RewardTrainer

    args = {"max_length": config.max_length, "center_rewards_coefficient": config.center_rewards_coefficient}
    return run_trainer(
        RewardTrainer, RewardConfig, config, model, pairs, preference_dataset, output_dir, workspace,
        callbacks, args, lora_task="SEQ_CLS", save=_save_merged,
    )  # fmt: skip


def reward_model_dir(ref: str, workspace: Path | None) -> Path:
    """The directory of reward model ``ref`` (a registered checkpoint name or a directory); ConfigError when
    it is not a one-logit sequence classifier."""
    registered = resolve_checkpoint(ref, workspace) if workspace is not None else None
    path = registered or Path(ref)
    config_file = path / "config.json"
    if not config_file.is_file():
        raise ConfigError(f"reward: rm:{ref} is neither a registered checkpoint nor a HF model directory")
    config = json.loads(config_file.read_text(encoding="utf-8"))
    architectures = config.get("architectures") or []
    if not any(a.endswith("ForSequenceClassification") for a in architectures):
        found = ", ".join(architectures) or "none"
        raise ConfigError(
            f"reward: rm:{ref} is not a sequence-classification reward model (architectures: {found}); "
            "train one with 'alignscope train rm'"
        )
    labels = len(config.get("id2label") or {}) or config.get("num_labels", 1)
    if labels != 1:
        raise ConfigError(f"reward: rm:{ref} has {labels} labels; a reward model has one (num_labels=1)")
    return path


@dataclass
class RewardModel:
    """A loaded one-logit sequence classifier and its tokenizer, scoring (prompt, reply) pairs."""

    path: Path
    model: Any
    tokenizer: Any
    batch_size: int = 8

    @classmethod
    def load(cls, ref: str, workspace: Path | None = None, batch_size: int = 8) -> RewardModel:
        """Load reward model ``ref`` (name or directory) on the CPU, or the first GPU when there is one."""
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        path = reward_model_dir(ref, workspace)
        device = "cuda" if torch.cuda.is_available() else "cpu"
        model = AutoModelForSequenceClassification.from_pretrained(path, local_files_only=True).to(device)
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        model.eval()
        return cls(path, model, tokenizer, batch_size)

    def check_tokenizer(self, other: Any, what: str) -> None:
        """ConfigError unless ``other`` (e.g. the policy's tokenizer) has this reward model's vocabulary."""
        if other.get_vocab() != self.tokenizer.get_vocab():
            raise ConfigError(
                f"reward: the reward model {self.path} has another tokenizer than {what}; train the reward "
                "model from the same base model"
            )

    def _ids(self, prompt: Text, reply: Text) -> list[int]:
        if isinstance(prompt, list):
            reply = [{"role": "assistant", "content": reply}] if isinstance(reply, str) else reply
            ids = self.tokenizer.apply_chat_template(prompt + reply, tokenize=True, return_dict=True)
            return list(ids["input_ids"])
        if isinstance(reply, list):
            reply = "".join(m["content"] for m in reply)
        text = prompt + reply
        if not text.endswith(self.tokenizer.eos_token):
            text += self.tokenizer.eos_token
        return list(self.tokenizer(text)["input_ids"])

    def score(self, prompts: list[Text], replies: list[Text]) -> list[float]:
        """The reward of each reply to its prompt (chat messages or plain text, as in training)."""
        import torch

        rows = [self._ids(p, r) for p, r in zip(prompts, replies, strict=True)]
        out: list[float] = []
        pad = self.tokenizer.pad_token_id
        for start in range(0, len(rows), self.batch_size):
            batch = rows[start : start + self.batch_size]
            width = max(len(r) for r in batch)
            ids = torch.tensor([r + [pad] * (width - len(r)) for r in batch])
            mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in batch])
            with torch.no_grad():
                logits = self.model(
                    input_ids=ids.to(self.model.device), attention_mask=mask.to(self.model.device)
                ).logits
            out.extend(float(v) for v in logits[:, 0].cpu())
        return out
