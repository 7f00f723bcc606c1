"""Run tasks for models: Items -> calls through the Engine -> Scores in the store -> task and factor scores.

Every call goes through the engine, so a rerun of the same run answers from the cache and a killed run
resumes. ``limit`` takes the same seeded subset of each task's Items for every model (the same code path as a
full run).
Items whose calls failed are left out of a task's n and counted as ``n_failed`` with the first error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from alignscope.backends.base import Backend
from alignscope.config import ModelSpec
from alignscope.engine.runner import Engine
from alignscope.tasks.factors import (
    N_BOOT,
    Estimate,
    Subtask,
    benchmark_key,
    factor_estimate,
    item_subtasks,
    task_chance,
    task_estimates,
    task_rng,
)
from alignscope.tasks.registry import FACTORS, VERTICALS, Task, TaskContext, TaskOutcome


@dataclass
class TaskScore:
    """One task's result for one model: the headline metric with its interval, the normalised score, n."""

    task: str
    model: str
    groups: tuple[str, ...]
    metric: str
    higher_is_better: bool
    chance: float
    n: int
    n_failed: int
    value: float | None
    ci: tuple[float, float] | None
    normalised: Estimate | None
    details: dict[str, Any]
    first_error: str | None = None
    benchmark: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row."""
        return {
            "task": self.task,
            "model": self.model,
            "groups": list(self.groups),
            "metric": self.metric,
            "higher_is_better": self.higher_is_better,
            "chance": self.chance,
            "n": self.n,
            "n_failed": self.n_failed,
            "value": self.value,
            "ci": list(self.ci) if self.ci else None,
            "normalised": self.normalised.value if self.normalised else None,
            "normalised_ci": list(self.normalised.ci) if self.normalised else None,
            "details": self.details,
            "first_error": self.first_error,
            "benchmark": self.benchmark,
        }


@dataclass
class GroupScore:
    """A factor's (or vertical's) score for one model: its tasks' mean normalised score, with interval."""

    group: str
    kind: str
    model: str
    value: float
    ci: tuple[float, float]
    tasks: list[str]
    n: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row."""
        return {
            "group": self.group,
            "kind": self.kind,
            "model": self.model,
            "value": self.value,
            "ci": list(self.ci),
            "tasks": self.tasks,
            "n": self.n,
        }


@dataclass
class BenchResult:
    """Every task score and every factor/vertical score of a run."""

    tasks: list[TaskScore] = field(default_factory=list)
    groups: list[GroupScore] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result."""
        return {"tasks": [t.to_dict() for t in self.tasks], "groups": [g.to_dict() for g in self.groups]}


def summarise_task(
    task: Task,
    model: str,
    chance: float,
    outcome: TaskOutcome,
    seed: int,
    n_boot: int = N_BOOT,
    subtasks: Mapping[str, Subtask] | None = None,
) -> TaskScore:
    """A TaskScore from one task run's Scores (bootstrap over items, seeded by seed, task and model);
    ``subtasks`` (by item id) normalises a whole multi-part benchmark subtask by subtask."""
    values = [s.value for s in outcome.scores]
    raw = norm = None
    if values:
        parts = [subtasks[s.item_id] for s in outcome.scores] if subtasks else None
        raw, norm = task_estimates(
            values, chance, task.higher_is_better, task_rng(seed, task.name, model), n_boot, parts
        )
    details = task.aggregate(outcome.results) if outcome.results else {}
    return TaskScore(
        task=task.name,
        model=model,
        groups=task.groups,
        metric=task.metric,
        higher_is_better=task.higher_is_better,
        chance=chance,
        n=len(values),
        n_failed=len(outcome.failures),
        value=raw.value if raw else None,
        ci=raw.ci if raw else None,
        normalised=norm,
        details=details,
        first_error=next(iter(outcome.failures.values()), None),
        benchmark=benchmark_key(task),
    )


def group_scores(scores: Sequence[TaskScore], groups: Sequence[str]) -> list[GroupScore]:
    """For each model and group, the mean normalised score of the group's scored tasks, the tasks of one
    SOS-Bench benchmark averaged first (``tasks.factors.factor_mean``)."""
    out = []
    for model in dict.fromkeys(s.model for s in scores):
        for group in groups:
            members = [
                s for s in scores if s.model == model and group in s.groups and s.normalised is not None
            ]
            if not members:
                continue
            estimate = factor_estimate(
                [(s.benchmark or s.task, s.normalised) for s in members if s.normalised is not None]
            )
            out.append(
                GroupScore(
                    group=group,
                    kind="factor" if group in FACTORS else "vertical",
                    model=model,
                    value=estimate.value,
                    ci=estimate.ci,
                    tasks=[s.task for s in members],
                    n=sum(s.n for s in members),
                )
            )
    return out


def run_bench(
    engine: Engine,
    models: Sequence[tuple[ModelSpec, Backend]],
    tasks: Sequence[Task],
    *,
    groups: Sequence[str] | None = None,
    limit: int | None = None,
    seed: int = 0,
    max_tokens: int | None = None,
    samples: int | None = None,
    temperature: float | None = None,
    scorer_options: Mapping[str, Mapping[str, Any]] | None = None,
    n_boot: int = N_BOOT,
) -> BenchResult:
    """Run ``tasks`` for each (spec, backend) on ``limit``-sized seeded subsets, store Items, Generations and
    Scores in the engine's run, and score tasks and ``groups`` (default: every group of the tasks);
    ``samples`` and ``temperature`` override sampled tasks' own; ``scorer_options`` override the options of
    the scorers the tasks use, by scorer name."""
    store = engine.store
    scores: list[TaskScore] = []
    for task in tasks:
        items = task.items(limit, seed)
        store.put_items(items)
        chance = task_chance(task, items)
        subtasks = item_subtasks(task, items)
        for spec, backend in models:
            ctx = TaskContext(
                engine, backend, spec, seed=seed, max_tokens=max_tokens, samples=samples,
                temperature=temperature, scorer_options=scorer_options or {},
            )  # fmt: skip
            outcome = task.evaluate(ctx, items)
            for variant, gens in outcome.generations.items():
                store.put_generations(gens, variant=variant)
            store.put_scores(outcome.scores)
            scores.append(summarise_task(task, spec.name, chance, outcome, seed, n_boot, subtasks))
    wanted = (
        groups
        if groups is not None
        else [g for g in (*FACTORS, *VERTICALS) if any(g in t.groups for t in tasks)]
    )
    return BenchResult(scores, group_scores(scores, wanted))
