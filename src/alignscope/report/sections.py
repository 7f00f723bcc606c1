"""Builders that turn analysis results into report blocks and sections (no computation beyond formatting)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from alignscope.analysis.judge_audit import Slope, VerbosityGaming
from alignscope.analysis.meta import METHODS, MetaAnalysis, label
from alignscope.published.alpaca_benchmarks import AlpacaBenchmarksAnalysis
from alignscope.published.sos_bench import FACTORS, JUDGE, SosBenchAnalysis
from alignscope.report.model import Block, Bullets, Cell, JudgeInfo, Plot, Table, Text
from alignscope.report.svg import meta_analysis_heatmap_svg, meta_analysis_scatter_svgs
from alignscope.tasks.factors import SOS_BENCHMARKS as TASKS


def slug(text: str) -> str:
    """A file- and anchor-safe name: lower case letters, digits and underscores."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_") or "table"


def cell(value: Any) -> Cell:
    """A table cell from any scalar (numpy and pandas scalars included); NaN and NA become None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) else float(value)
    return str(value)


def frame_table(
    frame: pd.DataFrame,
    name: str,
    caption: str = "",
    *,
    index: str | None = None,
    long_text: bool = False,
) -> Table:
    """A Table of ``frame``; with ``index`` the frame's index becomes a first column of that name."""
    if index is not None:
        frame = frame.rename_axis(index).reset_index()
    rows = [[cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return Table(
        name=slug(name),
        caption=caption,
        columns=[str(c) for c in frame.columns],
        rows=rows,
        long_text=long_text,
    )


def correlation_frame(meta: MetaAnalysis) -> pd.DataFrame:
    """One row per (judge, concrete): n, and per method the estimate with its CI over models (and prompts)."""
    rows = []
    for judge in meta.judges:
        for conc in meta.concrete:
            row: dict[str, Any] = {"judge-based score": label(judge), "concrete score": label(conc)}
            for method in METHODS:
                r = meta.get(judge, conc, method)
                row["n"] = int(r.n)
                row[method] = r.estimate
                row[f"{method} CI low"] = r.models_ci_low
                row[f"{method} CI high"] = r.models_ci_high
                if np.isfinite(r.prompts_ci_low):
                    row[f"{method} prompts CI low"] = r.prompts_ci_low
                    row[f"{method} prompts CI high"] = r.prompts_ci_high
            rows.append(row)
    return pd.DataFrame(rows)


def meta_analysis_blocks(
    meta: MetaAnalysis,
    name: str,
    *,
    scatter_pairs: Iterable[tuple[str, str]] | None = None,
    max_scatters: int = 24,
) -> list[Block]:
    """Verdict lines, the correlation table, the Spearman heat map and scatter plots of a meta-analysis.

    ``scatter_pairs`` picks the (judge, concrete) scatters to draw (default: every pair, at most
    ``max_scatters``).
    """
    pct = f"{meta.level * 100:g}%"
    blocks: list[Block] = [
        Bullets(
            title=f"Verdicts (a judge tracks a score when the {pct} CI of Spearman's rho lies above 0 and "
            f"the test of no correlation gives p < {1 - meta.level:.2g})",
            items=[v.text for v in meta.verdicts],
        ),
        frame_table(
            correlation_frame(meta),
            f"{name}_correlations",
            f"Correlations across models, {pct} percentile-bootstrap CIs over models ({meta.n_boot} rounds; "
            "'prompts CI' columns resample prompts where per-prompt scores exist)",
        ),
        Plot(
            name=f"{slug(name)}_heatmap",
            caption="Spearman correlation of each judge-based score with each concrete score across models.",
            svg=meta_analysis_heatmap_svg(meta),
        ),
    ]
    wanted = list(scatter_pairs) if scatter_pairs is not None else None
    scatters = meta_analysis_scatter_svgs(meta)
    chosen = [pair for pair in (wanted or list(scatters)) if pair in scatters][:max_scatters]
    for judge, conc in chosen:
        blocks.append(
            Plot(
                name=f"{slug(name)}_scatter_{slug(judge)}_{slug(conc)}",
                caption=f"Each point is a model: {label(judge)} against {label(conc)}; red: least squares.",
                svg=scatters[(judge, conc)],
            )
        )
    if meta.notes:
        blocks.append(Bullets(title="Notes", items=list(meta.notes)))
    return blocks


def scores_table(meta: MetaAnalysis, name: str, caption: str) -> Table:
    """The per-model table the meta-analysis correlated (judge columns first)."""
    frame = meta.scores[meta.judges + meta.concrete].rename(columns=label)
    return frame_table(frame, name, caption, index="model")


def matching_blocks(
    pairs: Sequence[tuple[str, str]],
    how: dict[str, str],
    left: str,
    right: str,
    unmatched_left: Sequence[str],
    unmatched_right: Sequence[str],
    name: str,
) -> list[Block]:
    """How model names were matched across two files, and every name left unmatched."""
    table = Table(
        name=f"{slug(name)}_name_matching",
        caption=f"Model names matched between {left} and {right} (exact, normalised, or an explicit alias)",
        columns=[left, right, "how"],
        rows=[[a, b, how.get(a, "")] for a, b in pairs],
    )
    unmatched = [f"only in {left}: {n}" for n in unmatched_left] + [
        f"only in {right}: {n}" for n in unmatched_right
    ]
    return [table, Bullets(title="Names that could not be matched (left out)", items=unmatched or ["none"])]


def judge_info(judges: Iterable[dict[str, Any]]) -> list[JudgeInfo]:
    """JudgeInfo blocks from provenance dicts (keys as in :class:`~alignscope.report.model.JudgeInfo`)."""
    return [
        JudgeInfo(**{k: v for k, v in j.items() if k in JudgeInfo.model_fields and v is not None})
        for j in judges
    ]


def note(text: str) -> Text:
    """A plain paragraph."""
    return Text(text=text)


# -- published parts -----------------------------------------------------------------------------------------
ALPACA_EVAL_2_JUDGE = JudgeInfo(
    judge="AlpacaEval 2 (weighted_alpaca_eval_gpt4_turbo), as published",
    model="gpt-4-1106-preview",
    backend="published",
    template="alpaca_eval_clf_gpt4_turbo",
    verdict="logprob (probability of the token naming the preferred output)",
    baseline="gpt4_1106_preview",
)
SOS_HAND_MATCHED_PEARSON = {"world_knowledge": 0.15, "instruction_following": 0.36, "safety": -0.08}


def sos_bench_blocks(analysis: SosBenchAnalysis) -> list[Block]:
    """Blocks of the SOS-Bench meta-analysis."""
    meta = analysis.meta
    membership = "; ".join(
        f"{label(f)}: {', '.join(t.name for t in TASKS if t.factor == f)}" for f in FACTORS
    )
    ours = ", ".join(f"{label(f)} {meta.get(JUDGE, f, 'pearson').estimate:+.2f}" for f in FACTORS)
    paper = ", ".join(f"{label(f)} {r:+.2f}" for f, r in SOS_HAND_MATCHED_PEARSON.items())
    return [
        note(
            "The SOS-Bench release (Feuer et al., 'Style Outweighs Substance'): fine-tunes of Llama-3-8B "
            "and Mistral-7B with per-task lm-eval accuracies and their Arena-Hard-Auto judge scores. Each "
            f"task is normalised to [0, 1] ({analysis.normalisation}: chance level removed) and averaged "
            "into three factors (membership from the release's README; LiveBench is left out): "
            f"{membership}."
        ),
        JudgeInfo(
            judge="Arena-Hard-Auto (as published in the SOS-Bench release)",
            model="gpt-4-1106-preview (Arena-Hard-Auto v0.1's default judge; not recorded per score "
            "upstream)",
            backend="published",
            template="arena-hard-v0.1 pairwise, both orders",
            verdict="text ([[A>>B]] ... [[B>>A]])",
            baseline="gpt-4-0314 (the row fixed at 50)",
            note="Scores are win rates in % against the baseline with Arena-Hard-Auto's bootstrap CIs.",
        ),
        note(
            f"Pearson r of the judge score with each factor here: {ours}. A plain-mean reproduction of the "
            f"release with hand-matched model names gave: {paper}. The verdicts below use Spearman's rho "
            "with bootstrap CIs over models."
        ),
        *meta_analysis_blocks(meta, "sos_bench"),
        scores_table(
            meta, "sos_bench_scores", "Per-model judge score and factor scores (matched models only)"
        ),
        frame_table(
            analysis.task_scores, "sos_bench_task_scores", "Per-model normalised task scores", index="model"
        ),
        *matching_blocks(
            analysis.match.pairs,
            analysis.match.how,
            "eleuther_wandb.csv",
            "arena_hard_auto.csv",
            analysis.match.unmatched_left,
            analysis.match.unmatched_right,
            "sos_bench",
        ),
    ]


def alpaca_benchmarks_blocks(analysis: AlpacaBenchmarksAnalysis) -> list[Block]:
    """Blocks of the AlpacaEval benchmarks.csv + AlpacaEval 2 leaderboard meta-analysis."""
    meta = analysis.meta
    focus = [c for c in ("mmlu", "output_length (style)") if c in meta.concrete]
    pairs = [(j, c) for c in focus for j in meta.judges]
    tracked = {
        judge: [label(v.concrete) for v in meta.verdicts if v.judge == judge and v.tracks]
        for judge in meta.judges
    }
    summary = [
        f"{label(j)} tracks: {', '.join(t) if t else 'none of the concrete scores'} (at "
        f"{meta.level * 100:g}%)"
        for j, t in tracked.items()
    ]
    return [
        note(
            "AlpacaEval's notebooks/benchmarks.csv: models with Chatbot Arena Elo (human votes), "
            "LLM-judged benchmarks (MT-Bench, AlpacaEval 1/2/LC-2, WildBench) and ground-truth benchmarks "
            "(MMLU, GSM-8K, ...); the AlpacaEval 2 leaderboard supplies full-precision win rates. Output "
            "length is kept as a reference column: a judge that tracks it rewards length."
        ),
        ALPACA_EVAL_2_JUDGE.model_copy(
            update={
                "note": "MT-Bench (GPT-4 judge, 1-10), AlpacaEval 1 (GPT-4 vs text-davinci-003) and "
                "WildBench columns are as benchmarks.csv reports them; Arena Elo columns are human votes, "
                "shown for comparison."
            }
        ),
        Bullets(title="Which concrete scores each judge-based score tracks", items=summary),
        *meta_analysis_blocks(meta, "alpaca_benchmarks", scatter_pairs=pairs),
        scores_table(
            meta, "alpaca_benchmarks_scores", "Per-model scores (benchmarks.csv, leaderboard-updated)"
        ),
    ]


def dissection_blocks(
    weights: pd.DataFrame, source_a: str, source_b: str, sizes: Sequence[Any] = ()
) -> list[Block]:
    """Blocks comparing two preference sources of a fitted-weights frame (the released weights by default:
    humans vs GPT-4-Turbo): similarity, per-property scores, bar chart, similarity heat map of all sources;
    and each size finding in ``sizes`` (``findings.SizeFinding``: similarity to humans by judge size)."""
    from alignscope.analysis.dissection import compare
    from alignscope.analysis.dissection.plots import preference_bar_chart, similarity_heatmap

    similarity = compare.profile_similarity(weights, source_a, source_b)
    chosen = compare.scenarios_in(weights)
    table = compare.compare_sources(weights, source_a, source_b)
    by_property = table.set_index("property")
    properties = compare.property_columns(weights)
    chart = preference_bar_chart(
        {
            source_a: by_property.loc[properties, f"score_{source_a}"].tolist(),
            source_b: by_property.loc[properties, f"score_{source_b}"].tolist(),
        },
        [p.replace("_", " ") for p in properties],
        title=f"Preference scores, {source_a} vs {source_b} (mean over {len(chosen)} scenarios; 50 = "
        "indifferent)",
    )
    matrix = compare.similarity_matrix(weights)
    a_high = table.iloc[0]
    b_high = table.iloc[-1]
    below = [p.replace("_", " ") for p in properties if by_property.at[p, f"score_{source_a}"] < 50]
    return [
        note(
            "Preference dissection (Li et al., 'Dissecting Human and LLM Preferences'): for each scenario "
            "and each preference source, a Bayesian logistic regression of which answer won on 29 property "
            "comparisons; a property's preference score is 100 * sigmoid(weight), 50 meaning indifferent. "
            "These are the original's released fitted weights."
        ),
        Bullets(
            title="Findings on the released weights",
            items=[
                f"Similarity of {source_a} and {source_b} (Pearson correlation of weight vectors, mean over "
                f"{len(chosen)} scenarios): {similarity:.2f}",
                f"{source_a} favour '{a_high.property.replace('_', ' ')}' most relative to {source_b} "
                f"(difference {a_high.difference:+.1f}); {source_b} favours "
                f"'{b_high.property.replace('_', ' ')}' most relative to {source_a} (difference "
                f"{b_high.difference:+.1f})",
                f"Properties {source_a} dislike (score below 50): {', '.join(below) or 'none'}",
            ],
        ),
        Plot(name="dissection_preference_scores", caption="Per-property preference scores.", svg=chart),
        frame_table(
            table, "dissection_compare", f"Per-property preference scores of {source_a} and {source_b}"
        ),
        Plot(
            name="dissection_similarity",
            caption="Profile similarity of every pair of preference sources (humans and 32 LLM judges).",
            svg=similarity_heatmap(matrix, title="Profile similarity of preference sources"),
        ),
        *[block for finding in sizes for block in size_finding_blocks(finding)],
    ]


def size_finding_blocks(finding: Any) -> list[Block]:
    """A size finding (``findings.SizeFinding``): similarity to the reference by judge size group, with its
    scenario-bootstrap intervals and the difference of the largest and smallest group."""
    pct = f"{finding.level:.0%}"
    table = finding.groups.assign(members=[", ".join(m) for m in finding.groups["members"]])
    d = finding.difference
    items = [
        f"{r.group}: {r.similarity:.3f} [{r.lower:.3f}, {r.upper:.3f}] over {r.judges} judges"
        for r in finding.groups.itertuples()
    ]
    if d:
        items.append(
            f"{d['larger']} - {d['smaller']}: {d['difference']:+.3f}, {pct} interval "
            f"[{d['lower']:.3f}, {d['upper']:.3f}]"
        )
    return [
        Bullets(
            title=f"Similarity to {finding.reference} by judge size ({finding.split} split; {pct} intervals "
            f"resample the {len(finding.scenarios)} scenarios)",
            items=items,
        ),
        frame_table(table, f"dissection_sizes_{finding.split}", f"Judge size groups ({finding.split} split)"),
    ]


def alpaca_judge_audit_blocks(
    rates: pd.DataFrame,
    published: pd.DataFrame,
    gaming: VerbosityGaming,
    slope: Slope,
    lengths: pd.Series,
    notes: Sequence[str],
) -> list[Block]:
    """Blocks of the judge audit of AlpacaEval's shipped GPT-4-Turbo annotations: win rates against the
    published ones, win rate vs answer length, verbosity gaming across prompted-length variants, the length
    slope."""
    from alignscope.report.svg import scatter_svg

    table = pd.DataFrame(
        {
            "mean answer length (chars)": lengths.reindex(rates.index),
            "n": rates["n"],
            "win rate": rates["win_rate"],
            "published win rate": published["win_rate"].reindex(rates.index),
            "LC win rate": rates["lc_win_rate"],
            "published LC win rate": published["length_controlled_winrate"].reindex(rates.index),
        }
    ).sort_values("win rate", ascending=False)
    table["LC - published LC"] = table["LC win rate"] - table["published LC win rate"]
    models = list(table.index)
    plots = [
        Plot(
            name=f"alpaca_judge_{slug(metric)}_vs_length",
            caption=f"Each point is a model: {metric} against its mean answer length.",
            svg=scatter_svg(
                table["mean answer length (chars)"],
                table[metric],
                labels=models,
                title=f"{metric} vs answer length (r = "
                f"{table[['mean answer length (chars)', metric]].corr().iloc[0, 1]:+.2f})",
                x_label="mean answer length (characters)",
                y_label=f"{metric} (%)",
            ),
        )
        for metric in ("win rate", "LC win rate")
    ]
    family_table = gaming.families.rename(columns=lambda c: c.replace("_", " "))
    return [
        note(
            "AlpacaEval 2's judge (GPT-4-Turbo, weighted_alpaca_eval_gpt4_turbo) compared each model's "
            "answers to the 805 AlpacaEval instructions with the baseline's (gpt4_1106_preview). Win rates "
            "are recomputed here from the shipped annotations; LC win rates with AlpacaEval 2's "
            "length-controlled GLM."
        ),
        ALPACA_EVAL_2_JUDGE,
        Bullets(
            title="Length and verbosity",
            items=[
                f"Length bias: log-odds of winning {slope.coef:+.2f} per sd of length lead "
                f"({slope.unit:.0f} characters), 95% CI {slope.lower:+.2f} to {slope.upper:+.2f}, over "
                f"{slope.n} judgments (per-model intercepts; above 0 means longer answers win)",
                *(
                    f"Gameability of {k.replace('_', ' ')} across length variants: {v:.1f}% (lower is "
                    "harder to game)"
                    for k, v in gaming.gameability.items()
                ),
            ],
        ),
        *plots,
        frame_table(
            family_table,
            "alpaca_judge_verbosity_gaming",
            "Spread of win rate and LC win rate across prompted-length variants of one model",
            index="family",
        ),
        frame_table(
            table, "alpaca_judge_win_rates", "Recomputed vs published win rates per model", index="model"
        ),
        *([Bullets(title="Notes", items=list(notes))] if notes else []),
    ]
