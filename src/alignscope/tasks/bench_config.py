"""``alignscope bench``'s run config: models, tasks (suites and/or task names), item limit, seed, token cap,
samples, temperature, protocol and scorer options. From YAML (``alignscope bench CONFIG.yaml``, via
``config.load_config``) or from the command's flags; task names and scorer options are checked against
their registries, with the same one-line errors naming file and field."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from alignscope.config import ModelSpec, invalid
from alignscope.errors import ConfigError
from alignscope.tasks.registry import Task
from alignscope.tasks.scorers import get_scorer
from alignscope.tasks.suites import PROTOCOLS, resolve_tasks


class BenchConfig(BaseModel):
    """``alignscope bench``: ``models`` x ``tasks``; ``scorers`` overrides scorer options by scorer name
    (as ``--scorer NAME:KEY=VALUE`` does)."""

    model_config = ConfigDict(extra="forbid")
    models: list[ModelSpec] = Field(min_length=1)
    tasks: list[str] = Field(min_length=1, description="suites and/or task names")
    limit: int | None = Field(None, ge=1, description="items per task (seeded subset)")
    seed: int = 0
    max_tokens: int | None = Field(None, ge=1, description="cap on every generated answer's tokens")
    samples: int | None = Field(None, ge=1, description="samples per prompt of sampled tasks")
    temperature: float | None = Field(None, ge=0, description="temperature of sampled tasks")
    protocol: str | None = Field(None, description="run suites under a protocol, e.g. rlhf-trust")
    scorers: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("tasks")
    @classmethod
    def _known_tasks(cls, targets: list[str]) -> list[str]:
        try:
            resolve_tasks(targets)
        except ConfigError as exc:
            raise invalid(exc) from None
        return targets

    @field_validator("protocol")
    @classmethod
    def _known_protocol(cls, protocol: str | None) -> str | None:
        if protocol is not None and protocol not in PROTOCOLS:
            raise invalid(f"unknown protocol '{protocol}' (choose {', '.join(PROTOCOLS)})")
        return protocol

    @field_validator("scorers")
    @classmethod
    def _known_scorers(cls, options: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        try:
            for name, opts in options.items():
                get_scorer(name, **opts)
        except ConfigError as exc:
            raise invalid(exc) from None
        return options

    @model_validator(mode="after")
    def _distinct_model_names(self) -> BenchConfig:
        names = [m.name for m in self.models]
        twice = next((n for n in names if names.count(n) > 1), None)
        if twice is not None:
            raise invalid(f"models: two models are named '{twice}': give each model a distinct name")
        return self

    def resolve(self) -> tuple[list[Task], tuple[str, ...]]:
        """The tasks to run, in order, and the groups (factors, verticals) to report."""
        return resolve_tasks(self.tasks, self.protocol)

    def run_config(self) -> dict[str, Any]:
        """What identifies the run (its default id is a hash of this): resolved tasks and groups, models,
        limit, seed, token cap, samples, and the scorer options where any are given."""
        tasks, groups = self.resolve()
        config: dict[str, Any] = {
            "tasks": [t.name for t in tasks],
            "groups": list(groups),
            "models": [s.model_dump(mode="json") for s in self.models],
            "limit": self.limit,
            "seed": self.seed,
            "max_tokens": self.max_tokens,
            "samples": self.samples,
        }
        if self.scorers:
            config["scorers"] = self.scorers
        if self.temperature is not None:
            config["temperature"] = self.temperature
        if self.protocol is not None:
            config["protocol"] = self.protocol
        return config
