"""The change of a vertical score between a checkpoint and its parent: exact on known shifts (normalised per
task, benchmarks averaged first), the same draws as a task's delta for a one-task vertical, and an interval
that covers a known shift under noise."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from alignscope.analysis.stage_deltas import TaskItems, stage_delta, vertical_delta
from alignscope.errors import DataError
from alignscope.tasks.factors import normalise


def _items(values: np.ndarray) -> dict[str, float]:
    return {f"q{i}": float(v) for i, v in enumerate(values)}


def _task(benchmark: str, child: np.ndarray, parent: np.ndarray, chance: float, higher: bool) -> TaskItems:
    return TaskItems(benchmark, _items(child), _items(parent), partial(normalise, chance=chance,
                                                                       higher_is_better=higher))  # fmt: skip


def test_known_shifts_are_exact_and_their_interval_has_no_width() -> None:
    rng = np.random.default_rng(0)
    parent_a = rng.uniform(0.1, 0.5, 30)
    parent_b = rng.uniform(0.65, 0.8, 25)
    tasks = [
        _task("a", parent_a + 0.2, parent_a, 0.0, True),  # accuracy-like: +0.2 on the 0-1 scale
        _task("b", parent_b - 0.1, parent_b, 0.5, False),  # a rate where lower is better, chance 0.5: +0.2
    ]
    delta = vertical_delta(tasks, n_boot=500)
    assert delta.estimate.value == pytest.approx(0.2)
    assert delta.estimate.low == pytest.approx(0.2) and delta.estimate.high == pytest.approx(0.2)
    assert delta.paired and delta.n == 55


def test_a_benchmark_counts_once_however_many_tasks_it_has() -> None:
    base = np.linspace(0.1, 0.4, 20)
    tasks = [
        _task("x", base + 0.2, base, 0.0, True),
        _task("x", base + 0.4, base, 0.0, True),
        _task("y", base, base, 0.0, True),
    ]
    assert vertical_delta(tasks, n_boot=200).estimate.value == pytest.approx((0.3 + 0.0) / 2)


def test_one_linear_task_draws_what_its_task_delta_draws() -> None:
    rng = np.random.default_rng(3)
    parent = rng.uniform(0, 1, 50)
    child = np.clip(parent + rng.normal(0.05, 0.2, 50), 0, 1)
    task = TaskItems("t", _items(child), _items(parent), lambda m: np.asarray(m, dtype=np.float64))
    one, plain = vertical_delta([task], n_boot=400, seed=7), stage_delta(task.child, task.parent, n_boot=400,
                                                                       seed=7)  # fmt: skip
    assert one.estimate.value == pytest.approx(plain.estimate.value)
    assert one.estimate.low == pytest.approx(plain.estimate.low)
    assert one.estimate.high == pytest.approx(plain.estimate.high)


def test_interval_covers_a_known_shift_under_noise() -> None:
    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(40):
        parents = [rng.uniform(0.3, 0.6, 80) for _ in range(3)]
        tasks = [
            _task(f"b{i}", p + 0.1 + rng.normal(0, 0.1, 80), p, 0.0, True) for i, p in enumerate(parents)
        ]
        d = vertical_delta(tasks, n_boot=400, seed=int(rng.integers(1 << 30)))
        covered += d.estimate.low <= 0.1 <= d.estimate.high
    assert covered >= 33  # a 95% interval: about 38 of 40 expected


def test_no_task_or_no_values_is_a_data_error() -> None:
    with pytest.raises(DataError):
        vertical_delta([])
    with pytest.raises(DataError):
        vertical_delta([TaskItems("t", {}, {"a": 1.0}, np.asarray)])
