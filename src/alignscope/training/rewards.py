"""RL rewards for ``training.rl``: alignscope scorers (``reward(prompts, completions) -> scores``) and learned
reward models (``rm:NAME``, see :func:`rm_reward`).

A scorer's per-completion ``value`` is the reward when higher is better for it, its negation otherwise (so
that RL lowers toxicity). Only scorers that need nothing but the prompt and the completion can serve (the
others read per-item targets that a plain prompt file does not carry).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alignscope.errors import ConfigError
from alignscope.records import Item, Message
from alignscope.training.reward_model import RewardModel
from alignscope.training.rl import RewardFn
from alignscope.training.trl_common import load_base

RM_PREFIX = "rm:"

PROMPT_ONLY_SCORERS = ("refusal", "toxicity", "stereotype-agreement")


def scorer_reward(name: str) -> RewardFn:
    """The reward of scorer ``name`` (one of ``PROMPT_ONLY_SCORERS``); ConfigError otherwise."""
    if name not in PROMPT_ONLY_SCORERS:
        raise ConfigError(
            f"reward: unknown reward {name!r} (choose a scorer: {', '.join(PROMPT_ONLY_SCORERS)})"
        )
    from alignscope.tasks.scorers import get_scorer

    scorer = get_scorer(name)
    sign = 1.0 if scorer.higher_is_better else -1.0

    def reward(prompts: list[str], completions: list[str]) -> list[float | None]:
        items = [
            Item(id=str(i), dataset="rl-prompts", messages=[Message(role="user", content=p)])
            for i, p in enumerate(prompts)
        ]
        results = scorer.score_many(items, completions)
        return [None if r.get("value") is None else sign * float(r["value"]) for r in results]

    return reward


class RelativeRMReward:
    """TRL reward r(sample) - r(chosen): the reward model's score of a sampled completion minus its score of
    the prompt's chosen reply (a ``chosen`` column of the RL rows), as the PPO runs of "More RLHF, More
    Trust?" (Li et al. 2025) reward samples; the chosen reply's score is computed once per distinct prompt."""

    trl_level = True
    needs_chosen = True

    def __init__(self, rm: RewardModel, name: str) -> None:
        self.rm = rm
        self.__name__ = name

    def __call__(
        self, prompts: list[Any], completions: list[Any], chosen: list[Any], **_: Any
    ) -> list[float]:
        sampled = self.rm.score(prompts, completions)
        keys = [repr((p, c)) for p, c in zip(prompts, chosen, strict=True)]
        first = {k: i for i, k in reversed(list(enumerate(keys)))}
        order = list(first.values())
        baseline = dict(
            zip(order, self.rm.score([prompts[i] for i in order], [chosen[i] for i in order]), strict=True)
        )
        return [s - baseline[first[k]] for s, k in zip(sampled, keys, strict=True)]


def rm_reward(spec: str, workspace: Path | None, policy: str | Path) -> RelativeRMReward:
    """The reward ``rm:NAME`` (a registered reward-model checkpoint or a directory) for training ``policy``;
    one ConfigError line when it is not a reward model or its tokenizer is not the policy's."""
    ref = spec.removeprefix(RM_PREFIX)
    rm = RewardModel.load(ref, workspace)
    rm.check_tokenizer(load_base(policy, workspace).tokenizer, f"the policy {policy}")
    return RelativeRMReward(rm, spec)


def make_reward(spec: str, workspace: Path | None, policy: str | Path) -> RewardFn | RelativeRMReward:
    """The reward a config names: ``rm:NAME`` (a learned reward model) or a scorer name."""
    return rm_reward(spec, workspace, policy) if spec.startswith(RM_PREFIX) else scorer_reward(spec)
