"""Report blocks of "what drives alignment": per outcome, the regression coefficients on training metadata
with their CIs, as a table and a coefficient plot."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from alignscope.analysis.drivers import DriverAnalysis
from alignscope.analysis.meta import label
from alignscope.report.model import Block, Bullets, Plot
from alignscope.report.sections import frame_table, note, slug
from alignscope.report.svg import bar_chart_svg


def drivers_blocks(analysis: DriverAnalysis, name: str, title: str) -> list[Block]:
    """The coefficient table, one coefficient plot per outcome (intercept left out) and the notes."""
    pct = f"{analysis.level * 100:g}%"
    frame = analysis.frame()
    blocks: list[Block] = [
        frame_table(
            frame.assign(outcome=frame.outcome.map(label)),
            f"{name}_coefficients",
            f"{title}: least-squares coefficients with {pct} CIs (clusters: {analysis.cluster or 'none'}; "
            "'covariance' says which CIs; naive = ordinary OLS CIs, for comparison)",
        )
    ]
    for fit in analysis.fits:
        terms = fit.terms[fit.terms.term != "intercept"]
        if terms.empty:
            continue
        blocks.append(
            Plot(
                name=f"{slug(name)}_{slug(fit.outcome)}",
                caption=f"{label(fit.outcome)}: each bar is a coefficient with its {pct} CI "
                f"({fit.covariance}, n = {fit.n} models).",
                svg=bar_chart_svg(
                    list(terms.term),
                    {label(fit.outcome): (list(terms.estimate), list(terms.ci_low), list(terms.ci_high))},
                    title=f"{title}: {label(fit.outcome)}",
                    y_label="coefficient",
                    reference=0.0,
                ),
            )
        )
    notes = analysis.to_dict()["notes"]
    if notes:
        blocks.append(Bullets(title="Notes", items=notes))
    return blocks


def release_drivers_blocks(drivers: Mapping[str, DriverAnalysis], metadata: pd.DataFrame) -> list[Block]:
    """The SOS-Bench release's driver regressions (by specification) and the metadata table behind them."""
    titles = {"stage": "Training stage", "sft_size": "SFT data-set size (log10 examples)"}
    blocks: list[Block] = [
        note(
            "What drives the scores? SOS-Bench reports that the scale and diversity of the SFT data move "
            "the factors, while preference optimisation adds little and can cost safety. Below, each factor "
            "and the judge score regressed on the models' training metadata (shipped with alignscope, every "
            "value with its source; values that could not be established are left empty and those models "
            "drop out of the fits that need them)."
        )
    ]
    for key, analysis in drivers.items():
        blocks += drivers_blocks(analysis, f"sos_bench_drivers_{key}", titles.get(key, key))
    blocks.append(
        frame_table(
            metadata, "sos_bench_model_metadata", "Training metadata of the release's models", index="model"
        )
    )
    return blocks
