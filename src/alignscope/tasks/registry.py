"""The task registry (like lm-evaluation-harness's): every concrete benchmark as a Task, and the named suites.

A Task is a bundled data set, how to prompt it, how to score it (log-likelihood multiple choice, or generation
and a deterministic scorer), its chance level and its headline metric: the mean of per-item values, so that
the runner can bootstrap it over items. ``groups`` name the SOS-Bench factors and trust verticals it counts
towards.
Suites: ``sos`` (the three SOS-Bench factors), ``trust`` (the five trust verticals) and ``all``.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from alignscope.backends.base import Backend
from alignscope.config import ModelSpec
from alignscope.data import load_items
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError
from alignscope.hashing import text_hash
from alignscope.records import Generation, Item, Provenance, SamplingParams, Score
from alignscope.tasks.scorers.base import ScorerSetup

Result = dict[str, Any]

FACTORS = {
    "world_knowledge": "world knowledge",
    "instruction_following": "instruction following",
    "safety": "safety",
}
VERTICALS = {
    "toxicity": "toxicity",
    "stereotype_bias": "stereotype bias",
    "machine_ethics": "machine ethics",
    "truthfulness": "truthfulness",
    "privacy": "privacy",
}
SUITES: dict[str, tuple[str, ...]] = {
    "sos": (
        "mmlu",
        "truthfulqa-mc1",
        "truthfulqa-mc2",
        "ifeval",
        "harmbench-refusal",
        "advbench-refusal",
        "strongreject-refusal",
        "xstest-refusal",
        "harmbench-mc",
        "advbench-mc",
        "strongreject-mc",
        "xstest-mc",
        "xstest-safety-mc",
        "bbq",
    ),
    "trust": (
        "rtp-toxic",
        "rtp-nontoxic",
        "bbq",
        "dt-stereotype",
        "ethics-commonsense",
        "ethics-commonsense-hard",
        "jiminy-cricket",
        "truthfulqa-mc1",
        "truthfulqa-mc2",
        "privacy-pii",
    ),
}
SUITE_GROUPS = {"sos": tuple(FACTORS), "trust": tuple(VERTICALS), "all": (*FACTORS, *VERTICALS)}
TASK_MODULES = ("mmlu", "truthfulqa", "safety_mc", "ethics", "generation_tasks")


@dataclass(frozen=True)
class TaskContext:
    """What a task needs to run for one model: the engine, the model's backend and spec, and run options.

    ``max_tokens`` caps every generation's length; ``samples`` overrides sampled tasks' samples per prompt;
    ``scorer_options`` override the options of the scorers tasks use, by scorer name (``--scorer``).
    """

    engine: Engine
    backend: Backend
    spec: ModelSpec
    seed: int = 0
    max_tokens: int | None = None
    samples: int | None = None
    scorer_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def provenance(
        self, item: Item, template_hash: str, sampling: SamplingParams | None = None
    ) -> Provenance:
        """Provenance of a score of ``item`` under this model."""
        return Provenance(
            model=self.spec.model,
            backend=self.spec.backend,
            sampling=sampling,
            template_hash=template_hash,
            data_version=item.data_version,
            system_prompt=self.spec.system_prompt,
        )


@dataclass
class TaskOutcome:
    """One task run for one model: a Score per scored item, the scorer results behind them (for the task's
    aggregate), the items whose calls failed (id -> error) and the generations made (by store variant)."""

    scores: list[Score] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    generations: dict[str, list[Generation]] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Task(ABC):
    """A concrete benchmark. The headline ``metric`` is the mean of per-item ``value``s."""

    kind: ClassVar[str] = "task"
    name: str
    description: str
    dataset: str
    groups: tuple[str, ...]
    metric: str
    higher_is_better: bool = True

    def items(self, limit: int | None = None, seed: int = 0) -> list[Item]:
        """The task's Items, or a seeded subset of ``limit`` of them."""
        return load_items(self.dataset, limit=limit, seed=seed)

    def chance(self, items: Sequence[Item]) -> float:
        """Expected headline metric of uniform random answers on ``items`` (0 where there is no chance)."""
        return 0.0

    @abstractmethod
    def template(self) -> str:
        """The prompt format as text: its hash goes into every Score's provenance."""

    def template_hash(self) -> str:
        """Hash of :meth:`template`."""
        return text_hash(self.template())

    @abstractmethod
    def evaluate(self, ctx: TaskContext, items: Sequence[Item]) -> TaskOutcome:
        """Run the task on ``items`` for ``ctx``'s model (calls go through the engine: cached, resumable)."""

    @abstractmethod
    def aggregate(self, results: Sequence[Result]) -> Result:
        """The task's metrics over scorer results (``value`` and ``n`` always, plus named metrics)."""

    @property
    def scores_text(self) -> bool:
        """Whether :meth:`score_texts` can score existing answers (``alignscope bench score``)."""
        return False

    @property
    def samples_per_item(self) -> int:
        """How many answers one item takes (several for sampled tasks such as toxicity)."""
        return 1

    def score_texts(
        self, items: Sequence[Item], responses: Sequence[str], setup: ScorerSetup | None = None
    ) -> list[Result]:
        """Score existing answers, aligned with ``items``, with the scorer ``setup`` (options, engine) where
        the task's scorer takes one; only tasks with ``scores_text``."""
        raise ConfigError(
            f"task '{self.name}' is scored by log-likelihood, not from answer texts "
            f"(choose one of: {', '.join(t.name for t in list_tasks() if t.scores_text)})"
        )

    def make_score(
        self, ctx: TaskContext, item: Item, result: Result, sampling: SamplingParams | None = None
    ) -> Score:
        """The Score record of one item's result under ``ctx``'s model."""
        return Score(
            task=self.name,
            item_id=item.id,
            model=ctx.spec.name,
            value=float(result["value"]),
            fields=result,
            provenance=ctx.provenance(item, self.template_hash(), sampling),
            run_id=ctx.engine.run_id,
        )


_TASKS: dict[str, Task] = {}
_DISCOVERED = False


def register_task(task: Task) -> Task:
    """Add ``task`` to the registry (its name must be new) and return it."""
    if task.name in _TASKS:
        raise ValueError(f"task {task.name!r} registered twice")
    unknown = [g for g in task.groups if g not in FACTORS and g not in VERTICALS]
    if unknown:
        raise ValueError(f"task {task.name!r}: unknown group {unknown[0]!r}")
    _TASKS[task.name] = task
    return task


def _discover() -> None:
    global _DISCOVERED
    if not _DISCOVERED:
        for module in TASK_MODULES:
            importlib.import_module(f"alignscope.tasks.{module}")
        _DISCOVERED = True


def list_tasks() -> list[Task]:
    """Every registered task, sorted by name."""
    _discover()
    return [_TASKS[k] for k in sorted(_TASKS)]


def get_task(name: str) -> Task:
    """The task called ``name``; ConfigError naming the choices otherwise."""
    _discover()
    if name not in _TASKS:
        raise ConfigError(
            f"unknown task '{name}' (choose a suite {', '.join(SUITE_GROUPS)} "
            f"or a task: {', '.join(sorted(_TASKS))})"
        )
    return _TASKS[name]


def suite_task_names(suite: str) -> tuple[str, ...]:
    """The task names of a suite (``all`` is ``sos`` then the ``trust`` tasks not already in it)."""
    if suite == "all":
        return tuple(dict.fromkeys((*SUITES["sos"], *SUITES["trust"])))
    return SUITES[suite]


def resolve_tasks(targets: Sequence[str]) -> tuple[list[Task], tuple[str, ...]]:
    """Tasks named by suites and/or task names (comma-separated allowed), without repeats, in order; and the
    groups to report: each suite's factors/verticals, plus the groups of tasks named one by one."""
    names: list[str] = []
    groups: list[str] = []
    for target in (t.strip() for raw in targets for t in raw.split(",")):
        if not target:
            continue
        if target in SUITE_GROUPS:
            names += suite_task_names(target)
            groups += SUITE_GROUPS[target]
        else:
            task = get_task(target)
            names.append(task.name)
            groups += task.groups
    if not names:
        raise ConfigError(
            f"name a suite ({', '.join(SUITE_GROUPS)}) or at least one task (see `alignscope bench list`)"
        )
    tasks = [get_task(n) for n in dict.fromkeys(names)]
    return tasks, tuple(dict.fromkeys(groups))
