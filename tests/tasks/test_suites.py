"""Suites: ``sos`` is SOS-Bench's benchmarks with data here, a user's copy joins it, ``--limit`` is seeded."""

from __future__ import annotations

import shutil
from pathlib import Path

from alignscope.data.loaders import subset
from alignscope.tasks.factors import SOS_BENCHMARKS, sos_benchmark
from alignscope.tasks.registry import FACTORS, list_tasks
from alignscope.tasks.suites import EXTENDED, TRUST, missing_sos, origin_text, resolve_tasks, suite_task_names

FIXTURES = Path(__file__).parents[1] / "data" / "byo"


def test_sos_is_every_present_task_of_the_release_and_names_the_rest(own_data_dir: Path) -> None:
    tasks, groups = resolve_tasks(["sos"])
    assert groups == tuple(FACTORS)
    assert all(sos_benchmark(t.origin) for t in tasks)
    assert {"ifeval", "xstest-mc", "strongreject-mc", "bbq"} <= {t.name for t in tasks}
    assert not {"mmlu", "truthfulqa-mc1", "harmbench-refusal", "xstest-refusal"} & {t.name for t in tasks}
    order = [SOS_BENCHMARKS.index(sos_benchmark(t.origin)) for t in tasks]
    assert order == sorted(order)  # in the release's order
    missing = missing_sos()
    covered = {sos_benchmark(t.origin).name for t in tasks}
    for benchmark in SOS_BENCHMARKS:  # every benchmark runs, at least in part, or is named as missing
        assert benchmark.name in covered or any(m.benchmark == benchmark.name for m in missing)
    gpqa = [m for m in missing if m.benchmark == "GPQA"]
    assert len(gpqa) == 1 and gpqa[0].lm_eval == "leaderboard_gpqa"  # one row for a wholly missing benchmark
    assert gpqa[0].reason.startswith("bring your own copy: alignscope data add gpqa PATH")
    toxigen = next(m for m in missing if m.benchmark == "Toxigen")
    assert toxigen.reason.startswith("bring your own copy: alignscope data add toxigen PATH")


def test_a_users_copy_joins_its_factor_in_sos(own_data_dir: Path) -> None:
    before = suite_task_names("sos")
    shutil.copytree(FIXTURES / "gpqa", own_data_dir / "gpqa")
    shutil.copy(FIXTURES / "wildguardtest.jsonl", own_data_dir / "wildguardtest.jsonl")
    after = suite_task_names("sos")
    assert set(after) - set(before) == {"gpqa-diamond", "gpqa-main", "wildguardtest-mc"}
    missing = {(m.benchmark, m.lm_eval) for m in missing_sos()}
    assert ("GPQA", "leaderboard_gpqa_extended") in missing and (
        "GPQA",
        "leaderboard_gpqa_main",
    ) not in missing
    assert not any(b == "WildGuardTest" for b, _ in missing)


def test_extended_and_all_suites(own_data_dir: Path) -> None:
    sos, extended, everything = (suite_task_names(s) for s in ("sos", "sos-extended", "all"))
    assert extended[: len(sos)] == sos and set(EXTENDED) <= set(extended)
    assert set(everything) == set(extended) | set(TRUST) and len(everything) == len(set(everything))


def test_every_release_task_counts_towards_its_factor_the_right_way_round() -> None:
    for task in list_tasks():
        benchmark = sos_benchmark(task.origin)
        if benchmark is None:
            continue
        assert benchmark.factor in task.groups, task.name
        assert task.higher_is_better is not benchmark.inverse, task.name
        assert origin_text(task) == f"SOS-Bench {benchmark.name}; lm-eval {task.origin}"


def test_limit_draws_the_same_items_per_task_for_a_seed(own_data_dir: Path) -> None:
    shutil.copytree(FIXTURES / "wmdp", own_data_dir / "wmdp")
    tasks, _ = resolve_tasks(["sos"])
    for task in tasks:
        everything = task.items()
        n = min(5, len(everything) - 1)
        drawn = task.items(limit=n, seed=3)  # the runner's call: the same draw as from the full list
        assert len(drawn) == n and drawn == subset(everything, n, 3) == subset(list(everything), n, 3), (
            task.name
        )
        ids = [it.id for it in everything]
        assert [ids.index(it.id) for it in drawn] == sorted(ids.index(it.id) for it in drawn)  # in order
        if len(everything) > 50:
            assert [it.id for it in subset(everything, n, 4)] != [it.id for it in drawn], task.name
