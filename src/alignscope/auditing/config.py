"""AuditConfig: which models, judges, concrete suites and prompts one ``alignscope audit`` run uses (YAML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY, LCDifficultyPolicy
from alignscope.config import ModelSpec, load_config, validate_config
from alignscope.judges.config import JudgeSpec
from alignscope.judges.modes import get_judge_mode
from alignscope.records import SamplingParams

DEFAULT_OUT = "alignscope-audit"


class StrengthComparison(BaseModel):
    """Two of the audit's judges whose preference strength |P(A) - P(B)| is compared on the pairs both
    judged: ``base`` (a pretrained model) and ``aligned`` (its aligned version), by their labels."""

    model_config = ConfigDict(extra="forbid")
    base: str
    aligned: str


class AuditConfig(BaseModel):
    """An audit: ``models`` answer ``judge_data`` (judged pairwise against ``baseline`` by every judge in
    ``judges``) and run the concrete ``suites``; then the meta-analysis correlates every judge-based score
    with every concrete factor across the models. ``limit`` items per task and per judge data set (seeded
    subsets), ``judge_limit`` prompts of the judge data set where it differs (default: ``limit``);
    ``sampling`` is that of the answers to judge prompts, ``suite_max_tokens`` caps the answers of
    generation tasks (default: ``sampling.max_tokens``); ``published`` adds the analyses of the published
    results that ship with alignscope; ``lc_difficulty`` is the instruction difficulty of the LC win rates
    (see :mod:`alignscope.analysis.instruction_difficulty`); ``strength`` compares the preference strength
    of a base and an aligned judge among ``judges`` (both pairwise with logprob verdicts)."""

    model_config = ConfigDict(extra="forbid")
    models: list[ModelSpec] = Field(default_factory=list)
    judges: list[JudgeSpec] = Field(default_factory=list)
    baseline: str | None = None
    judge_data: str = "mt_bench"
    suites: list[str] = Field(default_factory=list)
    limit: int | None = Field(None, ge=1)
    judge_limit: int | None = Field(None, ge=1)
    seed: int = 0
    sampling: SamplingParams = SamplingParams(max_tokens=128)
    suite_max_tokens: int | None = Field(None, ge=1)
    published: bool = True
    n_boot: int = Field(2000, ge=100)
    level: float = Field(0.95, gt=0.0, lt=1.0)
    lc_difficulty: LCDifficultyPolicy = DEFAULT_LC_DIFFICULTY
    strength: StrengthComparison | None = None
    out: str = DEFAULT_OUT

    @model_validator(mode="after")
    def _consistent(self) -> AuditConfig:
        names = [m.name for m in self.models]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"model name(s) {', '.join(dupes)} given twice; every model needs its own name")
        if self.judges and len(self.models) < 2:
            raise ValueError("judging pairwise needs at least two models (a baseline and one more)")
        if self.baseline is not None and self.baseline not in names:
            raise ValueError(f"baseline '{self.baseline}' is not one of the models ({', '.join(names)})")
        if not self.models and not self.published:
            raise ValueError("nothing to do: give models, or keep published: true")
        if self.strength is not None:
            self._check_strength(self.strength)
        return self

    def _check_strength(self, strength: StrengthComparison) -> None:
        """ValueError unless ``strength`` names two distinct pairwise judges with logprob verdicts."""
        judges = {j.label: j for j in self.judges}
        for role, label in (("base", strength.base), ("aligned", strength.aligned)):
            judge = judges.get(label)
            if judge is None:
                known = ", ".join(judges) or "none"
                raise ValueError(f"strength.{role} '{label}' is not a judge of this audit (judges: {known})")
            if get_judge_mode(judge.mode).kind != "pair" or judge.verdict != "logprob":
                raise ValueError(
                    f"strength.{role} '{label}' must judge pairwise with verdict: logprob (preference "
                    "strength reads P(A) - P(B))"
                )
        if strength.base == strength.aligned:
            raise ValueError("strength.base and strength.aligned name the same judge")

    @property
    def judge_items(self) -> int | None:
        """How many prompts of ``judge_data`` are answered and judged (None: all)."""
        return self.judge_limit or self.limit

    @property
    def baseline_name(self) -> str | None:
        """The pairwise baseline: the given one, else the first model."""
        return self.baseline or (self.models[0].name if self.models else None)


def load_audit_config(path: Path) -> AuditConfig:
    """Read and validate an audit YAML file (one-line ConfigError naming file and field)."""
    return load_config(path, AuditConfig)


def with_overrides(
    cfg: AuditConfig,
    *,
    limit: int | None = None,
    seed: int | None = None,
    out: str | None = None,
    max_tokens: int | None = None,
    published: bool | None = None,
    where: str = "command line",
) -> AuditConfig:
    """``cfg`` with the command line's settings (None: keep the config's). ``limit`` sets both the items per
    task and the judge prompts; ``max_tokens`` caps every answer (judge prompts and generation tasks).
    Validated again: a bad value is one ConfigError line naming ``where``."""
    updates: dict[str, Any] = {"seed": seed, "out": out, "published": published}
    updates = {k: v for k, v in updates.items() if v is not None}
    if limit is not None:
        updates |= {"limit": limit, "judge_limit": None}
    if max_tokens is not None:
        updates["sampling"] = cfg.sampling.model_dump() | {"max_tokens": max_tokens}
        updates["suite_max_tokens"] = min(max_tokens, cfg.suite_max_tokens or max_tokens)
    return validate_config(cfg.model_dump() | updates, AuditConfig, where)
