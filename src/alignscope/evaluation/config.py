"""``EvaluateConfig`` (``alignscope evaluate``) and ``BenchmarkSettings``, the same settings as the
Meta-Rewarding loop's ``evaluate:`` block."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

import alignscope.backends  # noqa: F401  (registers the backend names these settings accept)
from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY, LCDifficultyPolicy
from alignscope.analysis.leaderboard import BT_BOOTSTRAP
from alignscope.config import ModelSpec
from alignscope.evaluation.benchmarks import ALL_BENCHMARKS, BenchmarkName


class BenchmarkSettings(BaseModel):
    """Which benchmarks, judged by ``judge`` (the loop's default: its seed model), on a seeded subset of
    ``limit`` items each (the SOS-Bench tasks too); answers greedy up to ``max_tokens``, judgments up to
    ``judge_max_tokens``, SOS-Bench generation tasks up to ``task_max_tokens`` (their own when None);
    ``lc_difficulty`` is the LC win rate's instruction-difficulty policy; a judgment that holds no verdict
    in its benchmark's format is concluded from the judge's likelihoods (``unparsed: conclude``, where the
    judge's backend gives them) or left out, as the benchmarks' own scripts do (``fail``)."""

    model_config = ConfigDict(extra="forbid")
    benchmarks: list[BenchmarkName] = Field(default_factory=lambda: list(ALL_BENCHMARKS))
    judge: ModelSpec | None = None
    limit: int | None = Field(None, ge=1)
    max_tokens: int = Field(1024, ge=1)
    judge_max_tokens: int = Field(1024, ge=1)
    task_max_tokens: int | None = Field(
        None, ge=1, description="answer length of the SOS-Bench generation tasks (default: each protocol's)"
    )
    lc_difficulty: LCDifficultyPolicy = DEFAULT_LC_DIFFICULTY
    unparsed: Literal["conclude", "fail"] = "conclude"
    n_bootstrap: int = Field(BT_BOOTSTRAP, ge=10)
    seed: int = 0

    @field_validator("benchmarks")
    @classmethod
    def _some_benchmark(cls, value: list[BenchmarkName]) -> list[BenchmarkName]:
        if not value:
            raise ValueError("name at least one benchmark")
        return list(dict.fromkeys(value))


class EvaluateConfig(BenchmarkSettings):
    """``alignscope evaluate``: ``models`` (one row each; several make a leaderboard) on the benchmarks."""

    models: list[ModelSpec] = Field(min_length=1)
    judge: ModelSpec
