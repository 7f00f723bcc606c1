"""Trust-study config (YAML via ``alignscope.config.load_config``): the training stages of "More RLHF, More
Trust?" (SFT on the chosen replies, then DPO, and a reward model + on-policy RL, the study's "ppo" arm) on
preference pairs, and the trust tasks every checkpoint is evaluated on.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from alignscope.training.config import DPOTrainConfig, RewardTrainConfig, RLTrainConfig, SFTTrainConfig
from alignscope.training.meta_config import GenerationSettings

STUDY_FIELDS = ("model", "name", "data")


def _set_by_study(self: Any) -> Any:
    for name in (*STUDY_FIELDS, "reward"):
        if getattr(self, name, None):
            raise ValueError(
                f"{name} is set by the study (the parent checkpoint, its pairs, its RM); remove it"
            )
    return self


class StudySFT(SFTTrainConfig):
    """The SFT stage (base -> sft, on prompt + chosen)."""

    model: str = ""
    check_stage = model_validator(mode="after")(_set_by_study)


class StudyDPO(DPOTrainConfig):
    """The DPO stage (sft -> dpo, on the pairs)."""

    model: str = ""
    check_stage = model_validator(mode="after")(_set_by_study)


class StudyRM(RewardTrainConfig):
    """The reward model (from sft, on the pairs)."""

    model: str = ""
    check_stage = model_validator(mode="after")(_set_by_study)


class StudyRL(RLTrainConfig):
    """The on-policy RL stage (sft -> ppo, on the pairs' prompts, reward r(sample) - r(chosen) by the RM)."""

    model: str = ""
    algorithm: Literal["grpo", "rloo"] = "rloo"
    check_stage = model_validator(mode="after")(_set_by_study)


class TrustStudyConfig(BaseModel):
    """``alignscope trust-study``: train base -> sft -> dpo and sft -> rm + rl ("ppo"), evaluate every
    checkpoint on ``tasks`` and report each stage's change against its parent."""

    model_config = ConfigDict(extra="forbid")
    model: str = Field("", description="base model (embedded name, HF directory, GGUF file or checkpoint)")
    name: str = Field("trust", description="checkpoints are registered as <name>-sft, -dpo, -rm, -ppo")
    data: str = Field("hh_rlhf/harmless-base", description="preference pairs: HH split, HH or TRL file")
    pairs: int | None = Field(None, ge=2, description="a seeded subset of this many pairs")
    seed: int = 0
    sft: StudySFT = Field(default_factory=StudySFT)
    dpo: StudyDPO = Field(default_factory=StudyDPO)
    rm: StudyRM = Field(default_factory=StudyRM)
    rl: StudyRL = Field(default_factory=StudyRL)
    tasks: list[str] = Field(
        default_factory=lambda: ["rlhf-trust"], description="suites and/or task names every checkpoint runs"
    )
    protocol: str | None = Field(None, description="run suites under a protocol (rlhf-trust)")
    limit: int | None = Field(None, ge=1, description="a seeded subset of this many items per task")
    samples: int | None = Field(None, ge=1, description="samples per prompt of sampled tasks (override)")
    temperature: float | None = Field(None, ge=0, description="temperature of sampled tasks (override)")
    max_tokens: int | None = Field(None, ge=1, description="new-token cap of every answer (override)")
    n_boot: int = Field(2000, ge=100, description="bootstrap replicates of every interval")
    level: float = Field(0.95, gt=0, lt=1, description="interval level and the verdicts' confidence")
    generation: GenerationSettings = Field(default_factory=GenerationSettings)

    def checkpoint_name(self, stage: str) -> str:
        """The registered name of the checkpoint a stage trains (sft, dpo, rm, ppo)."""
        return f"{self.name}-{stage}"
