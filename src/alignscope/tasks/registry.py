"""The task registry (like lm-evaluation-harness's): every concrete benchmark as a Task.

A Task is a bundled data set, how to prompt it, how to score it (log-likelihood multiple choice, or generation
and a deterministic scorer), its chance level and its headline metric: the mean of per-item values, so that
the runner can bootstrap it over items. ``groups`` name the SOS-Bench factors and trust verticals it counts
towards.
The named suites are in ``tasks.suites``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar, overload

from alignscope.backends.base import Backend
from alignscope.config import ModelSpec
from alignscope.data import load_items
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError
from alignscope.hashing import text_hash
from alignscope.plugins import Registry
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
GROUPS = (*FACTORS, *VERTICALS)


@dataclass(frozen=True)
class TaskContext:
    """What a task needs to run for one model: the engine, the model's backend and spec, and run options.

    ``max_tokens`` caps every generation's length; ``samples`` and ``temperature`` override sampled tasks'
    samples per prompt and temperature; ``scorer_options`` override the options of the scorers tasks use, by
    scorer name (``--scorer``).
    """

    engine: Engine
    backend: Backend
    spec: ModelSpec
    seed: int = 0
    max_tokens: int | None = None
    samples: int | None = None
    temperature: float | None = None
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
    """A concrete benchmark. The headline ``metric`` is the mean of per-item ``value``s. ``origin``: the
    lm-evaluation-harness task it reproduces (SOS-Bench's benchmarks are keyed by these names);
    ``deviation``: how it differs from that protocol, where it does."""

    kind: ClassVar[str] = "task"
    name: str
    description: str
    dataset: str
    groups: tuple[str, ...]
    metric: str
    higher_is_better: bool = True
    origin: str | None = None
    deviation: str | None = None

    def items(self, limit: int | None = None, seed: int = 0) -> list[Item]:
        """The task's Items, or a seeded subset of ``limit`` of them."""
        return load_items(self.dataset, limit=limit, seed=seed)

    def settings(self) -> dict[str, Any]:
        """The task's protocol settings (samples, temperature, tokens, source) for ``bench list`` and reports;
        none by default."""
        return {}

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


_TASKS: Registry[Task] = Registry("task", packages=("alignscope.tasks",))
TaskT = TypeVar("TaskT", bound=Task)


@overload
def register_task(task: TaskT) -> TaskT: ...


@overload
def register_task(task: None = None, **fields: Any) -> Callable[[type[TaskT]], type[TaskT]]: ...


def register_task(task: Task | None = None, **fields: Any) -> Any:
    """Add ``task`` to the registry and return it; or, given only ``fields``, a class decorator that
    registers ``cls(**fields)`` and returns the class. ConfigError if another task has the name or a group
    is not a factor or vertical. Every module of ``alignscope.tasks`` is imported on the first look-up, and
    the modules of installed plugins (``alignscope.plugins`` entry points), so a task module needs no list."""
    if task is None:

        def add(cls: type[TaskT]) -> type[TaskT]:
            register_task(cls(**fields))
            return cls

        return add
    unknown = [g for g in task.groups if g not in FACTORS and g not in VERTICALS]
    if unknown:
        raise ConfigError(f"task {task.name!r}: unknown group {unknown[0]!r} (choose {', '.join(GROUPS)})")
    return _TASKS.register(task.name, task)


def leaderboard_task(cls: type[TaskT], name: str, description: str, **fields: Any) -> TaskT:
    """The Open LLM Leaderboard v2 task ``cls`` called ``name``: world knowledge, over the data set of that
    name, reproducing lm-eval's ``leaderboard_<name>`` (dashes as underscores), whose prompts are raw text
    (the description says so: no system prompt reaches them); ``fields`` add the rest."""
    origin = f"leaderboard_{name.replace('-', '_')}"
    description = f"{description}; raw-text prompts as lm-eval sends them (no chat template or system prompt)"
    return cls(
        name=name, description=description, dataset=name, groups=("world_knowledge",), origin=origin, **fields
    )


def list_tasks() -> list[Task]:
    """Every registered task, sorted by name."""
    return list(_TASKS)


def get_task(name: str) -> Task:
    """The task called ``name``; ConfigError naming the choices otherwise."""
    if name not in _TASKS:
        from alignscope.tasks.suites import SUITE_GROUPS

        raise ConfigError(
            f"unknown task '{name}' (choose a suite {', '.join(SUITE_GROUPS)} "
            f"or a task: {', '.join(_TASKS.names())})"
        )
    return _TASKS.get(name)
