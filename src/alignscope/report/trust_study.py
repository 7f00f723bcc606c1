"""The report of a trust study: each vertical and task per checkpoint with intervals, what each training stage
changed against its parent (paired bootstrap over items) with a plain verdict, and plots. Built from a
:class:`~alignscope.analysis.stage_deltas.TrustStudyResult`; formatting only."""

from __future__ import annotations

import math

from alignscope.analysis.stage_deltas import Interval, StageChange, TrustStudyResult
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


def verdict(change: StageChange, level: float) -> str:
    """One line: '<stage> raised <metric> (<task>): yes at 95% (+0.120, CI ...)'."""
    d = change.delta.estimate
    stage = STAGE_NAMES.get(change.checkpoint, change.checkpoint)
    what = f"{METRIC_NAMES.get(change.metric, change.metric.replace('_', ' '))} ({change.task})"
    direction = "raised" if d.value > 0 else "lowered" if d.value < 0 else "changed"
    answer = "yes" if d.excludes_zero else "no"
    better = d.value > 0 if change.higher_is_better else d.value < 0
    effect = ("better" if better else "worse") if d.excludes_zero else "no shown change"
    few = f"; only {change.delta.n} items: a rough interval" if change.delta.n < MIN_ITEMS else ""
    return (
        f"{stage} {direction} {what}: {answer} at {level:.0%} ({d.value:+.3f}, CI {d.low:+.3f} to "
        f"{d.high:+.3f}, n {change.delta.n}{' paired' if change.delta.paired else ''}; {effect}{few})"
    )


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


def _delta_table(result: TrustStudyResult) -> Table:
    rows = [
        [
            f"{c.parent} -> {c.checkpoint}",
            c.vertical,
            c.task,
            c.delta.estimate.value,
            c.delta.estimate.low,
            c.delta.estimate.high,
            c.delta.n,
            "paired" if c.delta.paired else "unpaired",
            "yes" if c.delta.estimate.excludes_zero else "no",
        ]  # fmt: skip
        for c in result.changes
    ]
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
    if result.changes:
        labels = [f"{c.checkpoint}: {c.task}" for c in result.changes]
        est = [c.delta.estimate for c in result.changes]
        svg = bar_chart_svg(
            labels,
            {"delta vs parent": ([e.value for e in est], [e.low for e in est], [e.high for e in est])},
            title="What each stage changed (task metric, child - parent)",
            y_label="delta",
            reference=0.0,
        )
        blocks.append(Plot(name="stage_deltas", caption="Paired bootstrap CIs over items.", svg=svg))
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
        Bullets(title="Verdicts", items=[verdict(c, result.level) for c in result.changes]),
        _vertical_table(result),
        _task_table(result),
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
