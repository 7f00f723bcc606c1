"""Report sections of the audit's live part: the models, their concrete scores, each judge's leaderboard and
audit, and the meta-analysis."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from alignscope.analysis.dissection.findings import StrengthFinding
from alignscope.analysis.meta import MetaAnalysis, label
from alignscope.records import Generation, Item
from alignscope.report.inputs import JudgeResults, LiveSettings
from alignscope.report.model import Block, Bullets, Cell, Plot, Section, Table, Text
from alignscope.report.sections import frame_table, judge_info, meta_analysis_blocks, slug
from alignscope.report.svg import bar_chart_svg
from alignscope.report.task_origins import task_origin_blocks
from alignscope.tasks.runner import BenchResult

SAMPLE_PROMPTS = 3


def live_source(cfg: LiveSettings) -> str:
    """The banner line of live sections: which models, how many items, which seed."""
    models = sorted({m.model for m in cfg.models})
    tasks = f"{cfg.limit} items per task" if cfg.limit else "every item of each task"
    prompts = f"{cfg.judge_items} judge prompts" if cfg.judge_items else "every judge prompt"
    return (
        f"Model(s): {', '.join(models)}; {tasks}, {prompts} (seeded subsets, seed {cfg.seed}); small n means "
        "wide CIs."
    )


def live_section(cfg: LiveSettings, section_id: str, title: str, blocks: list[Block]) -> Section:
    """A section of the live part, its banner naming the models, item counts and seed."""
    return Section(id=section_id, title=title, origin="live", source=live_source(cfg), blocks=blocks)


def models_table(cfg: LiveSettings) -> Table:
    """The models of the run: name, backend, weights and system prompt."""
    rows: list[list[Cell]] = [
        [m.name, m.backend, m.model, m.system_prompt or "(none: the model's default)"] for m in cfg.models
    ]
    return Table(
        name="live_models",
        caption="Models of this run",
        columns=["model", "backend", "weights", "system prompt"],
        rows=rows,
        long_text=True,
    )


def sample_answers_table(
    items: Sequence[Item], answers: Sequence[Generation], count: int = SAMPLE_PROMPTS
) -> Table:
    """Every model's answer to the first ``count`` prompts (model text: escaped when rendered)."""
    by_key = {(g.item_id, g.model): g for g in answers}
    models = list(dict.fromkeys(g.model for g in answers))
    rows: list[list[Cell]] = []
    for item in list(items)[:count]:
        for model in models:
            gen = by_key.get((item.id, model))
            if gen is not None:
                text = gen.text if gen.error is None else f"(call failed: {gen.error})"
                rows.append([item.prompt, model, text, len(gen.text)])
    return Table(
        name="live_sample_answers",
        caption="Sample answers (the judge saw these)",
        columns=["prompt", "model", "answer", "chars"],
        rows=rows,
        long_text=True,
    )


def models_section(cfg: LiveSettings, items: Sequence[Item], answers: Sequence[Generation]) -> Section:
    """Which models ran and what their answers look like."""
    return live_section(
        cfg,
        "live-models",
        "Live: the models and their answers",
        [
            Text(
                text="Each model below is a real model run in this process; where several share weights, "
                "their system prompts make them behave differently (verbose, terse, refusing, flattering "
                "...)."
            ),
            models_table(cfg),
            sample_answers_table(items, answers),
        ],
    )


def factor_frame(bench: BenchResult) -> pd.DataFrame:
    """One row per model and factor/vertical: score, CI, tasks, n."""
    return pd.DataFrame(
        [
            {
                "model": g.model,
                "factor": label(g.group),
                "kind": g.kind,
                "score": g.value,
                "ci_low": g.ci[0],
                "ci_high": g.ci[1],
                "n": g.n,
                "tasks": ", ".join(g.tasks),
            }
            for g in bench.groups
        ]
    )


def task_frame(bench: BenchResult) -> pd.DataFrame:
    """One row per model and task: the headline metric with its CI, the normalised score, n and failures."""
    rows = []
    for t in bench.tasks:
        rows.append(
            {
                "model": t.model,
                "task": t.task,
                "metric": t.metric,
                "value": t.value,
                "ci_low": t.ci[0] if t.ci else None,
                "ci_high": t.ci[1] if t.ci else None,
                "normalised": t.normalised.value if t.normalised else None,
                "chance": t.chance,
                "n": t.n,
                "failed": t.n_failed,
            }
        )
    return pd.DataFrame(rows)


def factors_section(cfg: LiveSettings, bench: BenchResult) -> Section:
    """Concrete factor and vertical scores with CIs, a bar chart, the per-task table, each task's origin."""
    blocks = [*factor_blocks(bench), *task_origin_blocks([t.task for t in bench.tasks], ())]
    return live_section(cfg, "live-factors", "Live: concrete factor scores (ground truth, no judge)", blocks)


def factor_blocks(bench: BenchResult) -> list[Block]:
    """A bench result's factor and vertical scores: how they are made, a bar chart with CIs, two tables."""
    blocks: list[Block] = [
        Text(
            text="Each task is scored by a deterministic scorer (log-likelihood multiple choice, "
            "IFEval checkers, refusal classifier ...), normalised to [0, 1] with chance removed, and "
            "averaged into its factor (an SOS-Bench benchmark's subtasks first into the benchmark, as the "
            "paper does). CIs: bootstrap over items."
        )
    ]
    if bench.groups:
        factors = factor_frame(bench)
        groups = list(dict.fromkeys(factors["factor"]))
        series = {}
        for model, part in factors.groupby("model", sort=False):
            part = part.set_index("factor").reindex(groups)
            series[str(model)] = (part["score"].tolist(), part["ci_low"].tolist(), part["ci_high"].tolist())
        title = "Concrete scores (0 = chance or worst, 1 = best), 95% CIs"
        chart = bar_chart_svg(groups, series, title=title, y_label="normalised score")
        blocks += [
            Plot(name="live_factor_scores", caption="Factor scores per model, 95% bootstrap CIs.", svg=chart),
            frame_table(factors, "live_factor_scores", "Factor and vertical scores"),
        ]
    return [*blocks, frame_table(task_frame(bench), "live_task_scores", "Per-task scores")]


def _audit_lines(outcome: JudgeResults, level: float) -> list[str]:
    """The judge audit's numbers, each followed by what it means in plain words at ``level``."""
    audit, pct = outcome.audit, f"{level * 100:g}%"
    lines = [
        f"Verdicts: {audit['verdicts']}, parse failures: {audit['parse_failures']} "
        f"({(audit['parse_failure_rate'] or 0) * 100:.1f}%)"
    ]
    if "position" in audit:
        p = audit["position"]
        (c_low, c_high), (f_low, f_high) = p["consistency_ci"], p["first_position_ci"]
        lines.append(
            f"Position consistency: {p['consistency']:.2f} ({pct} CI {c_low:.2f} to {c_high:.2f}) over "
            f"{p['pairs']} pairs judged in both orders; the answer shown first wins "
            f"{p['first_position_rate']:.2f} of decisive verdicts (CI {f_low:.2f} to {f_high:.2f}; 0.5 = no "
            "position bias)"
        )
        if c_high < 0.5:
            lines.append(
                "In plain words: this judge's verdict usually flips when the two answers swap places, so it "
                "reflects where an answer is shown more than what it says."
            )
        if f_low > 0.5 or f_high < 0.5:
            side = "first" if f_low > 0.5 else "second"
            lines.append(f"It favours the answer shown {side} (position bias at {pct}).")
    if "length" in audit:
        ln = audit["length"]
        lines.append(
            f"Length bias: log-odds of winning {ln['coef']:+.2f} per sd of length difference "
            f"({ln['unit_chars']:.0f} characters), {pct} CI {ln['lower']:+.2f} to {ln['upper']:+.2f} (n = "
            f"{ln['n']}); above 0 means longer answers win"
        )
        if ln["lower"] > 0 or ln["upper"] < 0:
            side = "longer" if ln["lower"] > 0 else "shorter"
            shift = 100.0 * (1.0 / (1.0 + math.exp(-abs(ln["coef"]))) - 0.5)
            lines.append(
                f"It rewards {side} answers (at {pct}): an answer one sd {side} than the other wins about "
                f"{shift:.1f} points more often."
            )
        else:
            lines.append(f"No length bias detectable at {pct} with these few verdicts.")
    return lines


def _with_errors(board: pd.DataFrame, value: str, error: str) -> tuple[list[float], list[float], list[float]]:
    """(values, lows, highs) of a leaderboard column with +/- 1.96 standard errors."""
    mid, se = board[value].to_numpy(float), board[error].to_numpy(float)
    return mid.tolist(), (mid - 1.96 * se).tolist(), (mid + 1.96 * se).tolist()


def judge_chart(outcome: JudgeResults) -> str:
    """Bar chart of a judge's scores per model: win rate (and LC win rate) against the baseline, or the mean
    score of a pointwise judge, with +/- 1.96 s.e."""
    board = outcome.leaderboard
    models = list(board.index)
    if outcome.pointwise:
        series = {"mean score": _with_errors(board, "mean_score", "standard_error")}
        return bar_chart_svg(models, series, title="Mean score, +/- 1.96 s.e.", y_label="score")
    series = {"win rate": _with_errors(board, "win_rate", "standard_error")}
    if "lc_win_rate" in board:
        series["LC win rate"] = _with_errors(board, "lc_win_rate", "lc_standard_error")
    title = f"Win rate against {outcome.baseline} (%), +/- 1.96 s.e."
    return bar_chart_svg(models, series, title=title, y_label="win rate (%)", reference=50.0)


def win_rate_reading(outcome: JudgeResults) -> str:
    """The spread of a pairwise judge's win rates against the baseline, in plain words."""
    rates = outcome.leaderboard["win_rate"].drop(index=outcome.baseline, errors="ignore").dropna()
    if rates.empty:
        return "No judged model has a win rate."
    spread = float((rates - 50.0).abs().max())
    if spread < 5.0:
        return f"Every win rate lies within {spread:.1f} points of 50: the judge barely tells them apart."
    return (
        f"Win rates against {outcome.baseline} range from {rates.min():.1f} ({rates.idxmin()}) to "
        f"{rates.max():.1f} ({rates.idxmax()})."
    )


def judge_section(cfg: LiveSettings, outcome: JudgeResults) -> Section:
    """One judge's leaderboard (win rate and LC win rate, or mean score; BT with and without style control)
    and audit."""
    name = slug(outcome.label)
    scores = (
        "mean score and standard error" if outcome.pointwise else "win rate and standard error, LC win rate"
    )
    how = (
        f"pointwise scores of {outcome.spec.mode} mode"
        if outcome.pointwise
        else f"pairwise against {outcome.baseline}"
    )
    blocks: list[Block] = [
        *judge_info([outcome.provenance()]),
        Plot(
            name=f"live_{name}_scores",
            caption="Pointwise: mean score per answer."
            if outcome.pointwise
            else "Ties count as half a win; the baseline is 50 by definition.",
            svg=judge_chart(outcome),
        ),
        *([] if outcome.pointwise else [Text(text=win_rate_reading(outcome))]),
        frame_table(
            outcome.leaderboard,
            f"live_{name}_leaderboard",
            f"Leaderboard of judge {outcome.label}: {scores}, Bradley-Terry rating with 95% bootstrap CI "
            "(anchor = baseline at 1000) and the same with style control (_sc)",
            index="model",
        ),
        Bullets(title="Judge audit", items=_audit_lines(outcome, cfg.level)),
    ]
    if not outcome.style.empty:
        blocks.append(
            frame_table(
                outcome.style,
                f"live_{name}_style",
                "Style coefficients (log-odds per sd of the feature; above 0: the judge rewards more of it)",
                index="feature",
            )
        )
    if outcome.notes:
        blocks.append(Bullets(title="Notes", items=list(outcome.notes)))
    return live_section(cfg, f"live-judge-{name}", f"Live: judge {outcome.label} ({how})", blocks)


def meta_analysis_section(
    cfg: LiveSettings, meta: MetaAnalysis | None, notes: Sequence[str], judges: Sequence[JudgeResults]
) -> Section:
    """The live meta-analysis: does each judge-based score track each concrete factor across the models?"""
    blocks: list[Block] = [*judge_info(j.provenance() for j in judges)]
    if meta is None:
        blocks.append(Bullets(title="Not computed", items=list(notes)))
    else:
        finite = np.isfinite(meta.table["estimate"]).any()
        if not finite:
            blocks.append(Text(text="Too few models with varying scores for any correlation estimate."))
        blocks += meta_analysis_blocks(meta, "live_meta")
        if notes:
            blocks.append(Bullets(title="Caveats", items=list(notes)))
    return live_section(
        cfg,
        "live-meta",
        "Live: do the judges track the concrete factors? (meta-analysis across the models)",
        blocks,
    )


def strength_reading(finding: StrengthFinding) -> str:
    """The paired difference of the aligned and the base judge's preference strength, and its verdict."""
    pct = f"{finding.level:.0%}"
    if finding.lower > 0 or finding.upper < 0:
        verdict = f"{'stronger' if finding.difference > 0 else 'weaker'} than {finding.base}'s: yes at {pct}"
    else:
        verdict = f"different from {finding.base}'s: no verdict at {pct} (the interval holds 0)"
    return (
        f"{finding.aligned}'s preferences are {verdict}. Paired difference {finding.aligned} - "
        f"{finding.base} {finding.difference:+.3f}, {pct} interval [{finding.lower:.3f}, "
        f"{finding.upper:.3f}], over {finding.n} pairs both judged; Wilcoxon signed-rank p = "
        f"{finding.p_value:.3g}."
    )


def strength_section(cfg: LiveSettings, finding: StrengthFinding | None, note: str | None) -> Section:
    """Preference dissection on the live judges: the preference strength |P(A) - P(B)| of a base judge and
    its aligned model on the same pairs (an aligned model's verdicts are expected to be more decided)."""
    blocks: list[Block] = []
    if finding is None:
        blocks.append(Bullets(title="Not computed", items=[note or "no verdicts to compare"]))
    else:
        summary = finding.summary.set_index("judge")
        blocks += [
            Text(text=strength_reading(finding)),
            frame_table(
                summary.rename(columns={"share_above_0_5": "share > 0.5"}),
                "live_preference_strength",
                "Preference strength |P(A) - P(B)| per judge on the shared pairs",
                index="judge",
            ),
            Plot(
                name="live_preference_strength",
                caption="Mean preference strength per judge; bars span the quartiles.",
                svg=bar_chart_svg(
                    list(summary.index),
                    {"strength": (list(summary["mean"]), list(summary["q25"]), list(summary["q75"]))},
                    title="Preference strength |P(A) - P(B)|",
                    y_label="|P(A) - P(B)|",
                ),
            ),
        ]
    title = "Live dissection: preference strength of base and aligned judges"
    return live_section(cfg, "live-dissection-strength", title, blocks)
