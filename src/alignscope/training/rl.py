"""On-policy RL (GRPO or RLOO through TRL) whose reward is a Python callable: an alignscope judge or scorer.

The reward hook sees plain text: ``reward(prompts, completions) -> scores``, one score per completion, where a
chat prompt is given as its last user message and a chat completion as its assistant text. ``None`` or NaN
marks a completion the reward could not score (TRL leaves it out of the group statistics). A reward that
also takes a keyword ``item_ids`` receives each completion's Item id (from an ``item_id`` column, e.g. rows
built by ``data.prompts_from_items``), so a scorer can look up its reference answer or instruction specs.

A reward marked ``trl_level = True`` (e.g. a learned reward model, ``rewards.rm_reward``) takes TRL's protocol
as it is: the prompts and completions as the model saw them (chat messages or text) and the dataset's other
columns as keywords; one that sets ``needs_chosen`` gets each prompt's ``chosen`` reply, which the rows carry.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from datasets import Dataset

from alignscope.errors import DataError
from alignscope.training.config import RLTrainConfig
from alignscope.training.data import prompt_dataset
from alignscope.training.trl_common import TrainResult, run_trainer

RewardFn = Callable[[list[str], list[str]], list[float | None]]
TrlRewardFn = Callable[..., list[float | None]]


def _text(value: str | list[dict[str, str]], role: str) -> str:
    if isinstance(value, str):
        return value
    if role == "user":
        return next((m["content"] for m in reversed(value) if m["role"] == "user"), value[-1]["content"])
    return "".join(m["content"] for m in value if m["role"] == role)


def as_trl_reward(reward: RewardFn, name: str = "reward") -> Callable[..., list[float | None]]:
    """Adapt a text-level reward to TRL's reward-function protocol (logged as ``rewards/<name>/mean``)."""

    takes_ids = "item_ids" in inspect.signature(reward).parameters

    def trl_reward(
        prompts: list[Any], completions: list[Any], item_id: list[str] | None = None, **_: Any
    ) -> list[float | None]:
        texts = [_text(p, "user") for p in prompts], [_text(c, "assistant") for c in completions]
        scores = reward(*texts, item_ids=item_id) if takes_ids else reward(*texts)
        return [None if s is None else float(s) for s in scores]

    trl_reward.__name__ = name
    return trl_reward


def _with_chosen(rows: list[dict[str, Any]]) -> Dataset:
    """A prompt dataset that keeps each row's ``chosen`` reply (for a reward relative to it)."""
    missing = next((i for i, r in enumerate(rows, 1) if not isinstance(r.get("chosen"), str | list)), None)
    if missing is not None:
        raise DataError(f"row {missing}: the reward compares with the prompt's chosen reply; give 'chosen'")
    return prompt_dataset(rows).add_column("chosen", [r["chosen"] for r in rows])


def train_rl(
    model: str | Path,
    prompts: Dataset | list[dict[str, Any]],
    reward: RewardFn | TrlRewardFn,
    config: RLTrainConfig,
    output_dir: Path,
    workspace: Path | None = None,
    callbacks: list[Any] | None = None,
) -> TrainResult:
    """Train ``model`` on-policy on ``prompts`` (rows with a ``prompt``) to raise ``reward``; save it."""
    trl_level = getattr(reward, "trl_level", False)
    if getattr(reward, "needs_chosen", False) and not isinstance(prompts, Dataset):
        prompts = _with_chosen(list(prompts))
    from trl import GRPOConfig, GRPOTrainer, RLOOConfig, RLOOTrainer

    config_cls, trainer_cls = (
        (GRPOConfig, GRPOTrainer) if config.algorithm == "grpo" else (RLOOConfig, RLOOTrainer)
    )
    args = {
        "num_generations": config.num_generations,
        "max_completion_length": config.max_completion_length,
        "temperature": config.temperature,
        "top_p": config.top_p,
        "beta": config.beta,
    }
    return run_trainer(
        trainer_cls, config_cls, config, model, prompts, prompt_dataset, output_dir, workspace, callbacks,
        args, reward_funcs=reward if trl_level else as_trl_reward(reward, config.reward or "reward"),
    )  # fmt: skip
