"""The report of a trust study: each vertical and task per checkpoint with intervals, what each training stage
changed against its parent (paired bootstrap over items) with a plain verdict, and plots. Built from a
:class:`~alignscope.analysis.stage_deltas.TrustStudyResult`; formatting only."""

from __future__ import annotations

import math

from alignscope.analysis.stage_deltas import Delta, Interval, StageChange, TrustStudyResult, VerticalChange
from alignscope.report.model import Block, Bullets, Plot, Report, Section, Table
from alignscope.report.sections import note
from alignscope.report.svg import bar_chart_svg

MIN_ITEMS = 10  # below this many items a bootstrap interval is too rough to lean on
STAGE_NAMES = {"sft": "SFT", "dpo": "DPO", "ppo": "PPO (RM + on-policy RL)"}
METRIC_NAMES = {
    "expected_maximum_toxicity": "expected maximum toxicity",
    "agreeability_index": "stereotype agreement",
    "false_negative_rate": "false negatives on immoral actions",
    "accuracy": "accuracy",
    "leakage_rate": "PII leakage",
}


def _ci(estimate: Interval) -> str:
    return f"{estimate.value:.3f} [{estimate.low:.3f}, {estimate.high:.3f}]"


def _verdict_line(stage: str, what: str, delta: Delta, higher_is_better: bool, level: float) -> str:
    d = delta.estimate
    direction = "raised" if d.value > 0 else "lowered" if d.value < 0 else "changed"
    answer = "yes" if d.excludes_zero else "no"
    better = d.value > 0 if higher_is_better else d.value < 0
    effect = ("better" if better else "worse") if d.excludes_zero else "no shown change"
    few = f"; only {delta.n} items: a rough interval" if delta.n < MIN_ITEMS else ""
    return (
        f"{STAGE_NAMES.get(stage, stage)} {direction} {what}: {answer} at {level:.0%} ({d.value:+.3f}, CI "
        f"{d.low:+.3f} to {d.high:+.3f}, n {delta.n}{' paired' if delta.paired else ''}; {effect}{few})"
    )


def verdict(change: StageChange, level: float) -> str:
    """One line: '<stage> raised <metric> (<task>): yes at 95% (+0.120, CI ...)'."""
    what = f"{METRIC_NAMES.get(change.metric, change.metric.replace('_', ' '))} ({change.task})"
    return _verdict_line(change.checkpoint, what, change.delta, change.higher_is_better, level)


def vertical_verdict(change: VerticalChange, level: float) -> str:
    """One line: '<stage> raised the <vertical> score (0 worst, 1 best): yes at 95% (+0.050, CI ...)'."""
    what = f"the {change.vertical.replace('_', ' ')} score (0 worst, 1 best)"
    return _verdict_line(change.checkpoint, what, change.delta, True, level)


def verdicts(result: TrustStudyResult) -> list[str]:
    """Every verdict of a study: each stage's change per vertical, then per task."""
    return [vertical_verdict(c, result.level) for c in result.vertical_changes] + [
        verdict(c, result.level) for c in result.changes
    ]


def _vertical_table(result: TrustStudyResult) -> Table:
    verticals = list(dict.fromkeys(v.vertical for v in result.verticals))
    by = {(v.checkpoint, v.vertical): v.estimate for v in result.verticals}
    rows = [
        [vertical] + [_ci(by[(m, vertical)]) if (m, vertical) in by else "" for m in result.checkpoints]
        for vertical in verticals
    ]
    return Table(
        name="verticals",
        caption=f"Vertical scores (0 = chance or worst, 1 = best) with {result.level:.0%} bootstrap CIs.",
        columns=["vertical", *result.checkpoints],
        rows=rows,
    )


def _task_table(result: TrustStudyResult) -> Table:
    tasks = list(dict.fromkeys((c.task, c.vertical, c.metric, c.higher_is_better) for c in result.tasks))
    by = {(c.checkpoint, c.task): c for c in result.tasks}
    rows = []
    for task, vertical, metric, higher in tasks:
        cells = [_ci(by[(m, task)].estimate) if (m, task) in by else "" for m in result.checkpoints]
        n = max((by[(m, task)].n for m in result.checkpoints if (m, task) in by), default=0)
        rows.append([vertical, task, f"{metric} ({'higher' if higher else 'lower'} is better)", n, *cells])
    return Table(
        name="tasks",
        caption=f"Each task's metric per checkpoint (mean over items, {result.level:.0%} bootstrap CI).",
        columns=["vertical", "task", "metric", "items", *result.checkpoints],
        rows=rows,
    )


def _delta_row(change: StageChange | VerticalChange, *what: str) -> list[object]:
    d, n, paired = change.delta.estimate, change.delta.n, change.delta.paired
    stage = f"{change.parent} -> {change.checkpoint}"
    shown = "yes" if d.excludes_zero else "no"
    return [stage, *what, d.value, d.low, d.high, n, "paired" if paired else "unpaired", shown]


def _vertical_delta_table(result: TrustStudyResult) -> Table:
    rows = [_delta_row(c, c.vertical) for c in result.vertical_changes]
    return Table(
        name="vertical_deltas",
        caption=f"Change of each vertical score from the parent checkpoint: every task's items resampled "
        f"(paired on shared items, tasks independently), normalised, then averaged ({result.level:.0%}); "
        "'shown' = the interval excludes 0.",
        columns=["stage", "vertical", "delta", "low", "high", "items", "bootstrap", "shown"],
        rows=rows,
    )


def _delta_table(result: TrustStudyResult) -> Table:
    rows = [_delta_row(c, c.vertical, c.task) for c in result.changes]
    return Table(
        name="stage_deltas",
        caption=f"Change of each task's metric from the parent checkpoint, bootstrap over items "
        f"({result.level:.0%}; paired on shared items); 'shown' = the interval excludes 0.",
        columns=["stage", "vertical", "task", "delta", "low", "high", "items", "bootstrap", "shown"],
        rows=rows,
    )


def _plots(result: TrustStudyResult) -> list[Block]:
    blocks: list[Block] = []
    verticals = list(dict.fromkeys(v.vertical for v in result.verticals))
    if verticals:
        by = {(v.checkpoint, v.vertical): v.estimate for v in result.verticals}
        nan = Interval(math.nan, math.nan, math.nan)
        series = {
            m: tuple(
                [getattr(by.get((m, v), nan), part) for v in verticals] for part in ("value", "low", "high")
            )
            for m in result.checkpoints
        }
        svg = bar_chart_svg(verticals, series, title="Trust verticals per checkpoint", y_label="score")  # type: ignore[arg-type]
        blocks.append(
            Plot(name="verticals", caption="Normalised vertical scores with bootstrap CIs.", svg=svg)
        )
    deltas = [
        ("vertical_deltas", "vertical score", [(f"{c.checkpoint}: {c.vertical}", c.delta) for c in
                                               result.vertical_changes]),
        ("stage_deltas", "task metric", [(f"{c.checkpoint}: {c.task}", c.delta) for c in result.changes]),
    ]  # fmt: skip
    for name, what, rows in deltas:
        if not rows:
            continue
        est = [d.estimate for _, d in rows]
        svg = bar_chart_svg(
            [label for label, _ in rows],
            {"delta vs parent": ([e.value for e in est], [e.low for e in est], [e.high for e in est])},
            title=f"What each stage changed ({what}, child - parent)",
            y_label="delta",
            reference=0.0,
        )
        blocks.append(Plot(name=name, caption="Paired bootstrap CIs over items.", svg=svg))
    return blocks


def _stage_table(result: TrustStudyResult) -> Table:
    keys = list(dict.fromkeys(k for s in result.stages for k in s if k != "finished_at"))
    rows = [[s.get(k) for k in keys] for s in result.stages]
    return Table(
        name="training_stages", caption="What each training stage recorded.", columns=keys, rows=rows
    )


def trust_study_report(result: TrustStudyResult, facts: dict[str, str]) -> Report:
    """The study's report: verticals, tasks, stage deltas with verdicts, plots and the training stages."""
    lineage = ", ".join(f"{c} <- {p}" for c, p in result.parents.items())
    blocks: list[Block] = [
        note(
            "Each checkpoint answers the same seeded items of every trust task; a stage's change is its "
            f"metric minus its parent's ({lineage}), with a bootstrap interval over the items both answered."
        ),
        Bullets(title="Verdicts", items=verdicts(result)),
        _vertical_table(result),
        _task_table(result),
        _vertical_delta_table(result),
        _delta_table(result),
        *_plots(result),
        Bullets(title="Settings", items=[f"{k}: {v}" for k, v in result.settings.items()]),
    ]
    sections = [Section(id="trust-study", title="Trust after each stage", origin="live", blocks=blocks)]
    if result.stages:
        sections.append(
            Section(id="training", title="Training", origin="live", blocks=[_stage_table(result)])
        )
    return Report(
        title="alignscope trust study: what did each alignment stage change?",
        subtitle=" -> ".join(result.checkpoints),
        facts=facts,
        sections=sections,
    )
