"""The report of a Meta-Rewarding (or Self-Rewarding) run: per iteration, did the model get *judged* better
(win rate and length-controlled win rate against the seed), *really* better (concrete factor scores), or
only longer? With an ``evaluate:`` block, each published benchmark per iteration with its CI; and per
iteration the model-as-judge's quality (agreement with a reference judge, position consistency) and the
meta-judge's position preference. Built from the loop's per-iteration metrics; formatting only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from alignscope.evaluation.table import score_columns, summary_table, with_ci
from alignscope.report.model import Block, Bullets, Plot, Report, Section, Table
from alignscope.report.sections import cell, frame_table, note
from alignscope.report.svg import bar_chart_svg

Z95 = 1.959963984540054
TRAINING_COLUMNS = {
    "model": "model",
    "responses": "responses",
    "judgments_unparsed": "unparsed judgments",
    "actor_pairs": "actor pairs",
    "judge_pairs": "judge pairs",
    "meta_wins_as_first": "meta-judge wins as first",
    "meta_wins_as_second": "meta-judge wins as second",
    "train_loss_first": "DPO loss first",
    "train_loss_last": "DPO loss last",
    "mean_length_chars": "answer chars",
}


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else float("nan")


def _wald(metrics: dict[str, Any], key: str) -> tuple[float, float, float]:
    """(value, low, high) of a win rate with its standard error ``key_se``, at 95%."""
    value, se = _number(metrics.get(key)), _number(metrics.get(f"{key}_se"))
    return value, value - Z95 * se, value + Z95 * se


def _judged_verdict(name: str, value: float, low: float, high: float) -> str:
    if not np.isfinite(value):
        return f"{name}: not measured"
    if not np.isfinite(low):
        return f"{name} {value:.1f}: no interval"
    if low > 50:
        verdict = "judged better than the seed"
    elif high < 50:
        verdict = "judged worse than the seed"
    else:
        verdict = "no judged difference from the seed"
    return f"{name} {value:.1f} (95% CI {low:.1f} to {high:.1f}): {verdict}"


def _factor(metrics: dict[str, Any], group: str) -> tuple[float, float, float]:
    """(value, low, high) of a concrete group score, on the 0-100 scale."""
    entry = metrics.get("concrete", {}).get("groups", {}).get(group, {})
    low, high = (entry.get("ci") or [None, None])[:2]
    return tuple(100 * _number(v) for v in (entry.get("value"), low, high))  # type: ignore[return-value]


def _concrete_verdict(group: str, seed: tuple[float, float, float], now: tuple[float, float, float]) -> str:
    value, low, high = now
    text = f"{group} {value:.1f} (95% CI {low:.1f} to {high:.1f}) vs seed {seed[0]:.1f}"
    if not (np.isfinite(value) and np.isfinite(seed[0])):
        return f"{group}: not measured"
    if low > seed[2]:
        return f"{text}: really better (intervals apart)"
    if high < seed[1]:
        return f"{text}: really worse (intervals apart)"
    return f"{text}: no concrete change shown"


def iteration_verdicts(metrics: Sequence[dict[str, Any]]) -> list[str]:
    """One plain-language line per measured quantity and iteration after the seed."""
    seed, groups = metrics[0], _groups(metrics)
    lines = []
    for m in metrics[1:]:
        head = f"iteration {m['iteration']} ({m.get('model', '?')}): "
        lines.append(head + _judged_verdict("win rate", *_wald(m, "win_rate")))
        lines.append(head + _judged_verdict("LC win rate", *_wald(m, "lc_win_rate")))
        chars, seed_chars = _number(m.get("mean_length_chars")), _number(seed.get("mean_length_chars"))
        if np.isfinite(chars) and np.isfinite(seed_chars) and seed_chars > 0:
            lines.append(
                head + f"answers {chars:.0f} characters, {100 * (chars / seed_chars - 1):+.0f}% vs seed"
            )
        lines.extend(head + _concrete_verdict(g, _factor(seed, g), _factor(m, g)) for g in groups)
    return lines


def _groups(metrics: Sequence[dict[str, Any]]) -> list[str]:
    return sorted({g for m in metrics for g in m.get("concrete", {}).get("groups", {})})


def _columns(points: Sequence[tuple[float, float, float]]) -> tuple[list[float], list[float], list[float]]:
    """(values, lows, highs) of (value, low, high) points."""
    return [p[0] for p in points], [p[1] for p in points], [p[2] for p in points]


def _plots(metrics: Sequence[dict[str, Any]]) -> list[Block]:
    trained = [m for m in metrics if m["iteration"] > 0]
    labels = [f"iter {m['iteration']}" for m in trained]
    blocks: list[Block] = []
    if trained:
        series = {
            name: _columns([_wald(m, key) for m in trained])
            for name, key in (("win rate", "win_rate"), ("LC win rate", "lc_win_rate"))
        }
        svg = bar_chart_svg(
            labels, series, title="Judged: win rates against the seed", y_label="%", reference=50.0
        )
        blocks.append(Plot(name="judged_win_rates", caption="95% CIs from the standard errors.", svg=svg))
    groups = _groups(metrics)
    every = [f"iter {m['iteration']}" for m in metrics]
    if groups:
        series = {g: _columns([_factor(m, g) for m in metrics]) for g in groups}
        svg = bar_chart_svg(
            every, series, title="Concrete: factor scores (0 = chance)", y_label="score x 100"
        )
        blocks.append(Plot(name="concrete_factors", caption="Bootstrap 95% CIs over items.", svg=svg))
    lengths = [_number(m.get("mean_length_chars")) for m in metrics]
    nan = [float("nan")] * len(metrics)
    svg = bar_chart_svg(every, {"answer chars": (lengths, nan, nan)}, title="Length", y_label="characters")
    blocks.append(Plot(name="answer_length", caption="Mean characters per evaluation answer.", svg=svg))
    return blocks


def benchmark_blocks(metrics: Sequence[dict[str, Any]]) -> list[Block]:
    """Per iteration, each published benchmark's score [95% CI], answer length and factor scores (the loop's
    ``evaluate:`` block), and a plot of each benchmark's curve with its CIs."""
    results = [(m["iteration"], m["benchmarks"]) for m in metrics if m.get("benchmarks")]
    if not results:
        return []
    header: list[str] = []
    rows = []
    for iteration, result in results:
        columns, body = summary_table(result)
        header = header or ["iteration", *columns]
        rows += [[cell(iteration), *(cell(v) for v in line)] for line in body]
    blocks: list[Block] = [
        Table(
            name="benchmarks-per-iteration",
            caption="Published benchmarks per iteration: score [95% CI], mean answer characters, factor "
            "scores x 100 [95% CI]; judge: " + results[0][1]["judge"]["name"] + ".",
            columns=header,
            rows=rows,
        )
    ]
    labels = [f"iter {i}" for i, _ in results]
    for bench, key, title in score_columns(results[0][1]):
        if key != "score":
            continue
        points = []
        for _, result in results:
            row = next((r for r in result["rows"] if r["benchmark"] == bench), {})
            low, high = row.get("ci") or [None, None]
            points.append(tuple(_number(v) for v in (row.get("score"), low, high)))
        svg = bar_chart_svg(labels, {title: _columns(points)}, title=f"{title} per iteration", y_label=title)
        blocks.append(Plot(name=f"{bench}_per_iteration", caption="95% CIs.", svg=svg))
    notes = [p["comparability"] for p in results[0][1]["protocols"].values()]
    blocks.append(Bullets(title="Comparability with published numbers", items=notes))
    return blocks


def _share(first: Any, second: Any) -> str:
    a, b = _number(first), _number(second)
    return f"{a / (a + b):.2f} ({a:.0f} of {a + b:.0f})" if np.isfinite(a + b) and a + b > 0 else "-"


def judge_quality_blocks(metrics: Sequence[dict[str, Any]]) -> list[Block]:
    """Per iteration: the actor and judge pairs trained on, the meta-judge's position preference, and the
    model-as-judge's agreement with the reference judge and its position consistency."""
    rows = []
    for m in metrics:
        agree, position = m.get("judge_agreement") or {}, m.get("judge_position") or {}
        accuracy = agree.get("accuracy")
        rows.append(
            [cell(v) for v in (
                m["iteration"], m.get("model"), m.get("actor_pairs"), m.get("judge_pairs"),
                _share(m.get("meta_wins_as_first"), m.get("meta_wins_as_second")),
                f"{accuracy:.2f} (kappa {agree.get('kappa', float('nan')):.2f}, n {agree.get('n')})"
                if accuracy is not None else "-",
                with_ci(position.get("consistency"), position.get("consistency_ci"), 2),
                with_ci(position.get("first_position_rate"), position.get("first_position_ci"), 2),
            )]
        )  # fmt: skip
    columns = ["iteration", "model", "actor pairs", "judge pairs", "meta-judge picks first",
               "agreement with reference judge", "position consistency", "picks first as judge"]  # fmt: skip
    return [
        Table(
            name="judge-quality",
            caption="The model as a judge per iteration: agreement with the reference judge on the held-out "
            "evaluation pairs and position consistency over both orders [Wilson 95% CI]; the meta-judge's "
            "share of verdicts for the judgment shown first.",
            columns=columns,
            rows=rows,
        )
    ]


def meta_rewarding_report(
    metrics: Sequence[dict[str, Any]], config: dict[str, Any], facts: dict[str, str]
) -> Report:
    """The report of a loop's ``metrics`` (iteration 0 = the seed) under ``config``."""
    self_rewarding = bool(config.get("self_rewarding"))
    loop = "Self-Rewarding" if self_rewarding else "Meta-Rewarding"
    frame = pd.DataFrame(
        [{title: m.get(key) for key, title in TRAINING_COLUMNS.items()} for m in metrics],
        index=pd.Index([m["iteration"] for m in metrics], name="iteration"),
        dtype=object,  # counts stay integers beside missing values
    )
    notes = [f"iteration {m['iteration']}: {n}" for m in metrics for n in m.get("notes", [])]
    judged_vs_concrete: list[Block] = [
        note(
            "Judged: the seed model judges each iteration's answers against its own (win rate and "
            "AlpacaEval's length-controlled win rate). Concrete: the configured benchmark factors. A loop "
            "that only improves style moves the first and the length, not the second."
        ),
        Bullets(title="Verdicts", items=iteration_verdicts(metrics)),
        *_plots(metrics),
        *benchmark_blocks(metrics),
    ]
    training: list[Block] = [
        frame_table(frame, "iterations", "Per-iteration training records", index="iteration"),
        *judge_quality_blocks(metrics),
    ]
    if notes:
        training.append(Bullets(title="Notes", items=notes))
    return Report(
        title=f"alignscope {loop}: judged better, or really better?",
        subtitle=f"{len(metrics) - 1} iteration(s) from {config.get('model', '?')}",
        facts=facts,
        sections=[
            Section(
                id="judged-vs-concrete", title="Judged vs concrete", origin="live", blocks=judged_vs_concrete
            ),
            Section(id="training", title="Training", origin="live", blocks=training),
        ],
    )
