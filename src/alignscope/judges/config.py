"""JudgeSpec: which model judges, in which mode, with which template, sampling and retry policy."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from alignscope.config import ModelSpec
from alignscope.errors import ConfigError
from alignscope.judges.modes import get_judge_mode
from alignscope.records import SamplingParams

VerdictSource = Literal["text", "logprob"]


def _registered_mode(name: str) -> str:
    try:
        get_judge_mode(name)
    except ConfigError as exc:
        raise PydanticCustomError("judge_mode", str(exc)) from None
    return name


Mode = Annotated[str, AfterValidator(_registered_mode)]


class JudgeSpec(BaseModel):
    """A judge. ``template`` is a bundled template name, a ``.j2`` path, or a name from ``templates``
    (the user's own templates, name -> path). ``verdict: logprob`` reads the verdict from next-token
    probabilities (never fails to parse); ``text`` parses the generated text, retrying a failed parse up to
    ``parse_retries`` times with a new seed at ``retry_temperature``; a text that still holds no verdict fails
    (``unparsed: fail``) or, with ``unparsed: conclude`` and a backend that gives log-likelihoods, gets the
    judge's most likely verdict after its own text (:mod:`alignscope.judges.conclusion`). ``n_samples``
    judgments are drawn per answer (rubric mode averages them). Pairwise and criteria judges see every pair
    in both orders when ``swap`` is true; multi-turn items are judged at every turn when ``turns`` is
    ``all``."""

    model_config = ConfigDict(extra="forbid")
    model: ModelSpec
    mode: Mode = "pairwise"
    name: str | None = None
    template: str | None = None
    templates: dict[str, str] = Field(default_factory=dict)
    verdict: VerdictSource = "text"
    sampling: SamplingParams = SamplingParams(temperature=0.0, max_tokens=1024)
    n_samples: int = Field(1, ge=1)
    parse_retries: int = Field(2, ge=0)
    retry_temperature: float = Field(0.7, gt=0.0)
    unparsed: Literal["fail", "conclude"] = "fail"
    swap: bool = True
    turns: Literal["all", "first"] = "all"
    use_reference: bool = True
    top_logprobs: int = Field(20, ge=1, le=20)
    logprob_max_tokens: int = Field(4, ge=1)

    @model_validator(mode="after")
    def _samples_need_temperature(self) -> JudgeSpec:
        if self.n_samples > 1 and self.verdict == "text" and self.sampling.temperature <= 0:
            raise ValueError("n_samples > 1 needs sampling.temperature > 0 (greedy samples are all the same)")
        if self.n_samples > 1 and self.verdict == "logprob":
            raise ValueError("n_samples > 1 has no effect with verdict: logprob (the distribution is exact)")
        return self

    @property
    def template_ref(self) -> str:
        """The template to load: the given one or the mode's default."""
        if self.template is not None:
            return self.template
        default = get_judge_mode(self.mode).template
        if default is None:
            raise ConfigError(f"mode {self.mode} has no default template: give one")
        return default

    @property
    def label(self) -> str:
        """The judge's name on its Judgments: ``name`` or model/template[/logprob]."""
        if self.name:
            return self.name
        template = self.template_ref.rsplit("/", 1)[-1].removesuffix(".j2")
        return f"{self.model.name}/{template}" + ("/logprob" if self.verdict == "logprob" else "")

    def sampling_for(self, sample: int, attempt: int) -> SamplingParams:
        """Sampling of one call: a distinct seed per sample and retry, and a positive temperature on retries
        (a retry must change the request, or the call cache would return the same text)."""
        base = self.sampling
        seed = (base.seed or 0) + sample * (self.parse_retries + 1) + attempt
        temperature = base.temperature if attempt == 0 else max(base.temperature, self.retry_temperature)
        return base.model_copy(update={"seed": seed, "temperature": temperature})

    def logprob_sampling(self) -> SamplingParams:
        """Sampling of a logprob verdict: greedy, a few tokens, with top log-probabilities."""
        return SamplingParams(
            temperature=0.0,
            max_tokens=self.logprob_max_tokens,
            seed=self.sampling.seed,
            logprobs=True,
            top_logprobs=self.top_logprobs,
        )


class JudgeRunConfig(BaseModel):
    """``alignscope judge``: a judge over the Generations of stored ``run`` or over ``answers`` files (with
    the questions from ``data`` where the files lack them); pairwise modes compare each model with
    ``baseline``."""

    model_config = ConfigDict(extra="forbid")
    judge: JudgeSpec
    run: str | None = None
    answers: list[str] = Field(default_factory=list)
    data: str | None = None
    baseline: str | None = None
    models: list[str] | None = None
    limit: int | None = Field(None, ge=1)
    seed: int = 0

    @model_validator(mode="after")
    def _one_source(self) -> JudgeRunConfig:
        if (self.run is None) == (not self.answers):
            raise ValueError("give either run (stored generations) or answers (files), not both or neither")
        return self
