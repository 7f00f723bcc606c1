"""Concrete ground-truth benchmarks (docs/ARCHITECTURE.md, the tasks layer): items, prompting and
deterministic scorers. ``register_task`` adds a task (``alignscope bench NAME``); every module of this
package, and of installed plugins, is found on the first look-up (``get_task``, ``list_tasks``)."""

from alignscope.tasks.registry import Task, TaskContext, TaskOutcome, get_task, list_tasks, register_task

__all__ = ["Task", "TaskContext", "TaskOutcome", "get_task", "list_tasks", "register_task"]
