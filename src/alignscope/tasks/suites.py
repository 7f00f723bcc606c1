"""Named suites of tasks, and resolving suite and task names into tasks.

- ``sos``: exactly SOS-Bench's benchmarks (``tasks.factors.SOS_BENCHMARKS``), as far as their data is
  present here (bundled, or the user's own copy added with ``alignscope data add``); :func:`missing_sos` names
  the rest;
- ``sos-extended``: ``sos`` plus further tasks for the same three factors (MMLU, TruthfulQA, refusal rates of
  generated answers, more yes/no safety sets);
- ``trust``: the five trust verticals; ``all``: ``sos-extended`` then the ``trust`` tasks not already in it;
- ``rlhf-trust``: the five verticals with the protocols of "More RLHF, More Trust?" (``tasks.rlhf_trust``),
  also reached as ``trust`` under ``--protocol rlhf-trust`` (:data:`PROTOCOLS` maps a protocol's suites);
  ``rlhf-trust-raw`` the same continuing the paper's raw texts (no chat template), for base models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from alignscope.data.registry import dataset_status
from alignscope.errors import ConfigError
from alignscope.tasks.factors import SOS_BENCHMARKS, sos_benchmark
from alignscope.tasks.registry import FACTORS, VERTICALS, Task, get_task, list_tasks

EXTENDED = (
    "mmlu",
    "truthfulqa-mc1",
    "truthfulqa-mc2",
    "harmbench-refusal",
    "advbench-refusal",
    "strongreject-refusal",
    "xstest-refusal",
    "harmbench-mc",
    "advbench-mc",
    "xstest-safety-mc",
)
TRUST = (
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
)
RLHF_TRUST = (
    "rlhf-toxicity-toxic",
    "rlhf-toxicity-nontoxic",
    "rlhf-toxicity-toxic-adv",
    "rlhf-toxicity-nontoxic-adv",
    "rlhf-stereotype",
    "rlhf-stereotype-adv",
    "rlhf-ethics",
    "rlhf-ethics-ll",
    "rlhf-truthfulqa",
    "truthfulqa-mc1",
    "rlhf-privacy",
)
RLHF_TRUST_RAW = tuple(
    name if name in ("rlhf-ethics-ll", "truthfulqa-mc1") else f"{name}-raw" for name in RLHF_TRUST
)
PROTOCOLS = {"rlhf-trust": {"trust": "rlhf-trust"}, "rlhf-trust-raw": {"trust": "rlhf-trust-raw"}}
SUITE_GROUPS = {
    "sos": tuple(FACTORS),
    "sos-extended": tuple(FACTORS),
    "trust": tuple(VERTICALS),
    "all": (*FACTORS, *VERTICALS),
    "rlhf-trust": tuple(VERTICALS),
    "rlhf-trust-raw": tuple(VERTICALS),
}


@dataclass(frozen=True)
class Missing:
    """An SOS-Bench benchmark (or part of one) that ``sos`` cannot run here, and why."""

    benchmark: str
    lm_eval: str
    reason: str


def _sos_order(task: Task) -> tuple[int, int, str]:
    benchmark = sos_benchmark(task.origin)
    assert benchmark is not None
    origins = [s.lm_eval for s in benchmark.subtasks]
    return (
        SOS_BENCHMARKS.index(benchmark),
        origins.index(task.origin) if task.origin in origins else -1,
        task.name,
    )


def sos_tasks() -> list[Task]:
    """The registered tasks of SOS-Bench's benchmarks whose data is present, in the release's order."""
    members = [t for t in list_tasks() if sos_benchmark(t.origin) and dataset_status(t.dataset).present]
    return sorted(members, key=_sos_order)


def missing_sos() -> list[Missing]:
    """SOS-Bench's lm-eval tasks that no present task covers: a whole benchmark in one row where none of it
    runs, with how to add its data or that alignscope has no data for it."""
    tasks = [t for t in list_tasks() if sos_benchmark(t.origin)]
    out = []
    for benchmark in SOS_BENCHMARKS:
        rows = []
        for sub in benchmark.subtasks:
            covering = [t for t in tasks if t.origin in (sub.lm_eval, benchmark.lm_eval)]
            status = [dataset_status(t.dataset) for t in covering]
            if any(s.present for s in status):
                continue
            reason = status[0].how if status else "no data set for it here"
            rows.append(Missing(benchmark.name, sub.lm_eval, reason))
        if rows and len(rows) == len(benchmark.subtasks) and len({r.reason for r in rows}) == 1:
            rows = [Missing(benchmark.name, benchmark.lm_eval, rows[0].reason)]
        out += rows
    return out


def suite_task_names(suite: str) -> tuple[str, ...]:
    """The task names of a suite."""
    sos = tuple(t.name for t in sos_tasks())
    if suite == "sos":
        return sos
    extended = tuple(dict.fromkeys((*sos, *EXTENDED)))
    if suite == "sos-extended":
        return extended
    if suite == "trust":
        return TRUST
    if suite == "rlhf-trust":
        return RLHF_TRUST
    if suite == "rlhf-trust-raw":
        return RLHF_TRUST_RAW
    if suite == "all":
        return tuple(dict.fromkeys((*extended, *TRUST)))
    raise ConfigError(f"unknown suite '{suite}' (choose {', '.join(SUITE_GROUPS)})")


def resolve_tasks(targets: Sequence[str], protocol: str | None = None) -> tuple[list[Task], tuple[str, ...]]:
    """Tasks named by suites and/or task names (comma-separated allowed), without repeats, in order; and the
    groups to report: each suite's factors/verticals, plus the groups of tasks named one by one. Under a
    ``protocol`` a suite it defines (``trust`` under ``rlhf-trust``) is replaced by the protocol's suite."""
    if protocol is not None and protocol not in PROTOCOLS:
        raise ConfigError(f"unknown protocol '{protocol}' (choose {', '.join(PROTOCOLS)})")
    names: list[str] = []
    groups: list[str] = []
    for target in (t.strip() for raw in targets for t in raw.split(",")):
        if not target:
            continue
        if protocol is not None:
            target = PROTOCOLS[protocol].get(target, target)
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


def origin_text(task: Task) -> str:
    """Where a task comes from: its SOS-Bench benchmark and lm-eval task name (empty for alignscope's own)."""
    benchmark = sos_benchmark(task.origin)
    lm_eval = f"lm-eval {task.origin}" if task.origin else ""
    return f"SOS-Bench {benchmark.name}; {lm_eval}" if benchmark else lm_eval
