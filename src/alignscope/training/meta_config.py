"""Meta-Rewarding config (YAML via ``alignscope.config.load_config``): the loop, its DPO step, its evaluation.

Defaults follow Wu et al., Meta-Rewarding Language Models (2024): K=7 responses per prompt at T=0.8,
top_p=0.95, N=11 rubric judgments per response, DPO with beta=0.1. ``self_rewarding: true`` is Yuan et al.'s
Self-Rewarding loop: actor pairs only, no meta-judge.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

import alignscope.backends  # noqa: F401  (registers the backend names these settings accept)
from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY, LCDifficultyPolicy
from alignscope.config import BackendName, ModelSpec
from alignscope.evaluation.config import BenchmarkSettings
from alignscope.training.config import DPOTrainConfig


class LoopDPOSettings(DPOTrainConfig):
    """The DPO step of each iteration; ``model``, ``name`` and ``data`` are set by the loop."""

    model: str = ""

    @model_validator(mode="after")
    def _loop_sets_model_and_data(self) -> LoopDPOSettings:
        for field in ("model", "name", "data"):
            if getattr(self, field):
                raise ValueError(
                    f"dpo.{field} is set by the loop (the current model and its pairs); remove it"
                )
        return self


class GenerationSettings(BaseModel):
    """How the current model generates: ``hf`` in-process on CPU or GPU, ``vllm`` offline, or ``openai``
    (a server that serves each iteration's checkpoint under its directory path as the model name)."""

    model_config = ConfigDict(extra="forbid")
    backend: BackendName = "hf"
    base_urls: list[str] = Field(default_factory=list)
    api_key_env: str | None = None
    batch_size: int = Field(8, ge=1)
    dtype: str = "auto"
    device: str = "auto"
    options: dict[str, Any] = Field(default_factory=dict)


class EvaluationSettings(BaseModel):
    """Per-iteration evaluation: judge win rate and LC win rate against the seed model (greedy answers to
    ``prompts``), answer length, the current model's agreement as a judge with ``reference_judge``, and the
    concrete ``tasks`` (suites or task names, ``task_limit`` items each); ``lc_difficulty`` is the LC win
    rate's instruction-difficulty policy (see :mod:`alignscope.analysis.instruction_difficulty`)."""

    model_config = ConfigDict(extra="forbid")
    prompts: str | None = Field(None, description="data set or file (default: the training prompts)")
    limit: int | None = Field(None, ge=1)
    max_tokens: int = Field(512, ge=1)
    judge: ModelSpec | None = Field(None, description="the fixed evaluation judge (default: the seed model)")
    reference_judge: ModelSpec | None = Field(
        None,
        description="judge the current model is compared with as a judge (default: the evaluation judge)",
    )
    template: str = "alpaca-eval"
    verdict: Literal["text", "logprob"] = "logprob"
    tasks: list[str] = Field(default_factory=list)
    task_limit: int | None = Field(50, ge=1)
    lc_difficulty: LCDifficultyPolicy = DEFAULT_LC_DIFFICULTY


class MetaRewardingConfig(BaseModel):
    """``alignscope train meta-rewarding``: iterations of actor sampling, rubric and meta judging, DPO."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field("meta-rewarding", description="checkpoints are registered as <name>-iter<t>")
    model: str = Field(
        description="seed model: embedded name, HF directory, GGUF file or registered checkpoint"
    )
    prompts: str = Field(description="training prompts: a bundled data set name or a file")
    prompt_limit: int | None = Field(None, ge=1, description="seeded subset of the prompts")
    iterations: int = Field(2, ge=1)
    seed: int = 0

    samples: int = Field(7, ge=2, description="K: responses sampled per prompt")
    temperature: float = Field(0.8, gt=0)
    top_p: float = Field(0.95, gt=0, le=1)
    max_tokens: int = Field(512, ge=1)

    judge_samples: int = Field(11, ge=1, description="N: rubric judgments per response, averaged")
    judge_temperature: float = Field(0.8, gt=0)
    judge_top_p: float = Field(0.95, gt=0, le=1)
    judge_max_tokens: int = Field(512, ge=1)
    parse_retries: int = Field(0, ge=0, description="retries of an unparseable judgment (0: drop and count)")
    judge_unparsed: Literal["drop", "conclude"] = Field(
        "drop",
        description="a judgment without a score: dropped and counted, or scored by the judge's next-token "
        "probabilities after its own text and 'Score: ' (see judges.conclusion; for small judges)",
    )
    meta_verdict: Literal["text", "logprob"] = Field(
        "text", description="meta-judge verdict from its text, or from P(A) vs P(B) (never fails to parse)"
    )
    rubric_template: str = "self-rewarding"
    meta_template: str = "meta-rewarding"

    rho: float = Field(0.0, ge=0, le=0.5, description="length control of actor pairs")
    judge_length_cap: int | None = Field(
        None, ge=1, description="drop judge pairs whose chosen judgment is longer (characters)"
    )
    judge_pairs: bool | list[bool] = Field(
        True, description="train on judge pairs: one switch, or one per iteration"
    )
    self_rewarding: bool = Field(False, description="Self-Rewarding: no meta-judge, actor pairs only")

    dpo: LoopDPOSettings = Field(default_factory=LoopDPOSettings)
    generation: GenerationSettings = Field(default_factory=GenerationSettings)
    evaluation: EvaluationSettings | None = Field(default_factory=EvaluationSettings)
    evaluate: BenchmarkSettings | None = Field(
        None,
        description="the published benchmarks (AlpacaEval 2, Arena-Hard, MT-Bench, SOS-Bench factors) on the "
        "seed and after every iteration; the judge defaults to the seed model",
    )

    @model_validator(mode="after")
    def _one_switch_per_iteration(self) -> MetaRewardingConfig:
        if isinstance(self.judge_pairs, list) and len(self.judge_pairs) != self.iterations:
            raise ValueError(
                f"judge_pairs lists {len(self.judge_pairs)} switches for {self.iterations} iterations"
            )
        if any(self.judge_pairs_on(t) for t in range(1, self.iterations + 1)) and self.judge_samples < 2:
            raise ValueError("judge pairs need judge_samples >= 2 (the meta-judge compares judgments)")
        return self

    def judge_pairs_on(self, iteration: int) -> bool:
        """Whether iteration ``iteration`` (1-based) builds and trains on judge pairs."""
        if self.self_rewarding:
            return False
        if isinstance(self.judge_pairs, list):
            return self.judge_pairs[iteration - 1]
        return self.judge_pairs

    def checkpoint_name(self, iteration: int) -> str:
        """The registered name of the model trained in ``iteration``."""
        return f"{self.name}-iter{iteration}"
