"""Normalisation, bootstrap intervals and factor scores on synthetic data with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from alignscope.tasks import factors
from alignscope.tasks.factors import bootstrap_means, factor_estimate, normalise, task_estimates
from alignscope.tasks.registry import TaskOutcome, get_task
from alignscope.tasks.runner import group_scores, summarise_task


def test_normalise_removes_chance_and_clips() -> None:
    assert normalise(0.25, 0.25, True) == 0.0
    assert normalise(1.0, 0.25, True) == 1.0
    assert normalise(0.625, 0.25, True) == pytest.approx(0.5)
    assert normalise(0.1, 0.25, True) == 0.0  # below chance clips to 0
    assert normalise(0.2, 0.0, False) == pytest.approx(0.8)  # lower is better
    assert normalise(0.25, 0.25, False) == 1.0  # lower is better with chance (WMDP): chance is best
    assert normalise(0.625, 0.25, False) == pytest.approx(0.5)
    assert normalise(0.7, 0.0, True) == pytest.approx(0.7)


def test_bootstrap_interval_covers_known_mean_at_its_level() -> None:
    rng = np.random.default_rng(0)
    p, n, trials = 0.3, 300, 200
    covered, widths = 0, []
    for _ in range(trials):
        values = (rng.random(n) < p).astype(float)
        raw, _ = task_estimates(values, 0.0, True, rng, n_boot=1000)
        covered += raw.ci[0] <= p <= raw.ci[1]
        widths.append(raw.ci[1] - raw.ci[0])
    assert 0.9 <= covered / trials <= 0.99
    expected_width = 2 * 1.96 * np.sqrt(p * (1 - p) / n)
    assert np.mean(widths) == pytest.approx(expected_width, rel=0.1)


def test_chunked_bootstrap_equals_one_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    values = np.arange(50, dtype=float)
    whole = bootstrap_means(values, 300, np.random.default_rng(5))
    monkeypatch.setattr(factors, "_MAX_CELLS", 120)  # 2 rows at a time
    chunked = bootstrap_means(values, 300, np.random.default_rng(5))
    np.testing.assert_array_equal(whole, chunked)
    assert whole.mean() == pytest.approx(values.mean(), abs=1.0)


def test_normalised_interval_maps_the_raw_one() -> None:
    values = np.array([1.0] * 60 + [0.0] * 40)
    raw, norm = task_estimates(values, 0.25, True, np.random.default_rng(1), n_boot=500)
    assert raw.value == pytest.approx(0.6)
    assert norm.value == pytest.approx((0.6 - 0.25) / 0.75)
    assert norm.ci[0] == pytest.approx((raw.ci[0] - 0.25) / 0.75)
    assert norm.ci[1] == pytest.approx((raw.ci[1] - 0.25) / 0.75)


def test_factor_is_mean_of_benchmarks_with_averaged_replicates() -> None:
    rng = np.random.default_rng(2)
    _, always = task_estimates(np.ones(10), 0.0, True, rng, n_boot=200)
    _, never = task_estimates(np.zeros(10), 0.0, True, rng, n_boot=200)
    group = factor_estimate([("a", always), ("b", never)])
    assert group.value == 0.5 and group.ci == (0.5, 0.5)
    _, noisy = task_estimates(rng.random(200), 0.0, True, rng, n_boot=200)
    mixed = factor_estimate([("a", noisy), ("b", always)])
    assert mixed.value == pytest.approx((noisy.value + 1.0) / 2)
    assert mixed.ci[1] - mixed.ci[0] == pytest.approx((noisy.ci[1] - noisy.ci[0]) / 2, rel=0.05)


def _outcome(task_name: str, values: list[float], failures: int = 0) -> TaskOutcome:
    from alignscope.records import Provenance, Score

    prov = Provenance(model="m", backend="hf")
    scores = [
        Score(task=task_name, item_id=str(i), model="m", value=v, provenance=prov)
        for i, v in enumerate(values)
    ]
    results = [{"item_id": str(i), "value": v} for i, v in enumerate(values)]
    return TaskOutcome(scores=scores, results=results, failures={f"f{i}": "boom" for i in range(failures)})


def test_task_and_factor_scores_from_outcomes() -> None:
    mmlu = summarise_task(get_task("mmlu"), "m", 0.25, _outcome("mmlu", [1.0] * 5 + [0.0] * 5, failures=2), 0)
    assert (mmlu.n, mmlu.n_failed, mmlu.value, mmlu.first_error) == (10, 2, 0.5, "boom")
    assert mmlu.normalised is not None and mmlu.normalised.value == pytest.approx(1 / 3)
    mc1 = summarise_task(get_task("truthfulqa-mc1"), "m", 0.2, _outcome("truthfulqa-mc1", [1.0, 0.0] * 5), 0)
    empty = summarise_task(get_task("ifeval"), "m", 0.0, _outcome("ifeval", [], failures=3), 0)
    assert empty.value is None and empty.normalised is None and empty.n_failed == 3
    groups = {
        g.group: g for g in group_scores([mmlu, mc1, empty], ["world_knowledge", "instruction_following"])
    }
    assert set(groups) == {"world_knowledge"}  # a factor whose only task failed entirely is not scored
    wk = groups["world_knowledge"]
    assert wk.value == pytest.approx((1 / 3 + (0.5 - 0.2) / 0.8) / 2)
    assert wk.n == 20 and wk.tasks == ["mmlu", "truthfulqa-mc1"] and wk.kind == "factor"
    assert wk.ci[0] <= wk.value <= wk.ci[1]


def test_factor_mean_averages_a_benchmarks_subtasks_first() -> None:
    parts = [("BBH", 0.2), ("BBH", 0.4), ("GPQA", 0.9)]
    assert factors.factor_mean(parts) == pytest.approx((0.3 + 0.9) / 2)
    per_model = factors.factor_mean(
        [("BBH", np.array([0.2, 1.0])), ("BBH", np.array([0.4, 0.0])), ("M", np.ones(2))]
    )
    np.testing.assert_allclose(per_model, [(0.3 + 1) / 2, (0.5 + 1) / 2])


def _release_task(benchmark: factors.Benchmark, lm_eval: str):
    from alignscope.tasks.byo_tasks import LmEvalChoiceTask

    return LmEvalChoiceTask(
        name=lm_eval, description="", dataset="mmlu", groups=(benchmark.factor,), metric="acc",
        higher_is_better=not benchmark.inverse, origin=lm_eval, prompt=lambda item: None, text="",
    )  # fmt: skip


def _live_scores(benchmark: factors.Benchmark, hits: dict[str, int], whole: bool) -> list:
    """The benchmark run as one task per subtask, or (``whole``) as one task whose items carry subtasks."""
    from alignscope.records import Item, Message

    def outcome(name: str, subs: list[factors.Subtask]) -> tuple[TaskOutcome, list[Item]]:
        values = [1.0 if k < hits[s.lm_eval] else 0.0 for s in subs for k in range(20)]
        items = [
            Item(
                id=f"{s.lm_eval}-{k}",
                dataset="x",
                category=s.category,
                messages=[Message(role="user", content="q")],
            )
            for s in subs
            for k in range(20)
        ]
        made = _outcome(name, values)
        for score, item in zip(made.scores, items, strict=True):
            score.item_id = item.id
        return made, items

    if whole and len(benchmark.subtasks) > 1:
        task = _release_task(benchmark, benchmark.lm_eval)
        made, items = outcome(task.name, list(benchmark.subtasks))
        subtasks = factors.item_subtasks(task, items)
        assert subtasks is not None and set(subtasks.values()) == set(benchmark.subtasks)
        return [summarise_task(task, "m", 0.0, made, 0, 200, subtasks)]  # chance: per subtask
    live = []
    for sub in benchmark.subtasks:
        task = _release_task(benchmark, sub.lm_eval)
        assert factors.task_chance(task, []) == sub.chance
        made, _ = outcome(task.name, [sub])
        live.append(summarise_task(task, "m", sub.chance, made, 0, n_boot=200))
    return live


@pytest.mark.parametrize("whole", [False, True], ids=["a task per subtask", "one task per benchmark"])
@pytest.mark.parametrize("factor", ["world_knowledge", "safety"])
def test_live_and_published_factors_are_one_definition(factor: str, whole: bool) -> None:
    """The same accuracies give the same factor score through the live runner and the release analysis,
    whether a multi-part benchmark (BBH, MATH) runs as a task per subtask or as one task."""
    import pandas as pd

    from alignscope.published import sos_bench

    rng = np.random.default_rng(7)
    row: dict[str, object] = {"Name": "m"}
    live = []
    for benchmark in factors.SOS_BENCHMARKS:
        for column, _ in sos_bench.columns(benchmark):
            row[column] = 0.5
        if benchmark.factor != factor:
            continue
        hits = {sub.lm_eval: int(rng.integers(0, 21)) for sub in benchmark.subtasks}
        for sub in benchmark.subtasks:
            for metric in sub.metrics:
                row[f"{sub.lm_eval}/{metric}"] = hits[sub.lm_eval] / 20
        live += _live_scores(benchmark, hits, whole)
    published = sos_bench.factor_scores(sos_bench.task_scores(pd.DataFrame([row])))
    (group,) = group_scores(live, [factor])
    assert group.value == pytest.approx(published.loc["m", factor])
    assert group.ci[0] <= group.value <= group.ci[1]


def test_the_whole_benchmark_tasks_items_map_onto_the_release_subtasks() -> None:
    for name, benchmark in (("bbh", "BBH"), ("math-hard", "MATH Lvl 5")):
        task = get_task(name)
        subtasks = factors.item_subtasks(task, task.items())
        release = next(b for b in factors.SOS_BENCHMARKS if b.name == benchmark)
        assert subtasks is not None and set(subtasks.values()) == set(release.subtasks), name


def test_every_multi_part_benchmark_names_its_subtasks_categories() -> None:
    for benchmark in factors.SOS_BENCHMARKS:
        categories = [s.category for s in benchmark.subtasks]
        if len(categories) > 1:
            assert None not in categories and len(set(categories)) == len(categories), benchmark.name
