"""``alignscope dissect fit``: preference weights (Bayesian logistic regression per scenario and source) from
a feature table, a stored judge run, or AlpacaEval annotations; tables, JSON, Parquet and plots."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from alignscope.api.dissect import fit as fit_weights
from alignscope.cli import options as opt
from alignscope.cli.common import console, emit_json, print_table
from alignscope.cli.dissect.scenarios import ClassifierOpt
from alignscope.cli.dissect.shared import OutOpt


def fit(
    table: Annotated[
        Path | None,
        typer.Argument(
            help="Feature table (CSV or Parquet): one column per property (snake_case) with values -1/0/1, "
            "label (1 = A preferred), optional scenario and source."
        ),
    ] = None,
    judge_run: Annotated[
        str | None, typer.Option("--judge-run", help="Dissect the pairwise Judgments of this stored run.")
    ] = None,
    alpaca_eval: Annotated[
        list[str] | None,
        typer.Option(
            "--alpaca-eval",
            help="AlpacaEval annotations.json (repeatable), or 'shipped' for the bundled GPT-4-Turbo "
            "annotations: the judge's weights on style features (length, formatting, lists, headers, bold).",
        ),
    ] = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="With --alpaca-eval: only these models' annotations.")
    ] = None,
    annotations: Annotated[
        str | None,
        typer.Option(
            "--annotations", help="Run holding the annotations of the judged answers (default: --judge-run)."
        ),
    ] = None,
    features: Annotated[
        str, typer.Option(help="annotated (the 29 properties) or style (text-measured, no annotator).")
    ] = "annotated",
    judge: Annotated[str | None, typer.Option(help="Only this judge's Judgments.")] = None,
    annotator: Annotated[str | None, typer.Option(help="Only this annotator's annotations.")] = None,
    by: Annotated[
        str,
        typer.Option(
            help="Scenarios: all (one fit), category (the items' categories) or scenario (the original's "
            "scenario groups: a table's scenario column, else labelled by --classifier from the run's "
            "queries or the table's prompt column)."
        ),
    ] = "all",
    classifier: ClassifierOpt = "hf:smollm2-135m",
    prior_scale: Annotated[float, typer.Option(help="Scale of the Laplace prior on each weight.")] = 0.1,
    level: Annotated[float, typer.Option(help="Posterior interval level.")] = 0.95,
    seed: opt.Seed = 0,
    out: OutOpt = None,
    workspace: opt.Workspace = None,
    json_out: opt.Json = False,
) -> None:
    """Fit preference weights (Bayesian logistic regression per scenario and source) with intervals."""
    result = fit_weights(
        table, judge_run=judge_run, alpaca_eval=alpaca_eval or (), only=only or (), annotations=annotations,
        features=features, judge=judge, annotator=annotator, by=by, classifier=classifier,
        prior_scale=prior_scale, level=level, seed=seed, out=out, workspace=workspace,
    )  # fmt: skip
    _print_fits(result.fits, level, json_out)
    counts = result.summary["counts"]
    if counts:
        line = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items())
        console(json_out).print(f"pairs: {line}")
    if json_out:
        emit_json(result.to_dict())


def _print_fits(fitted: pd.DataFrame, level: float, json_mode: bool) -> None:
    """One table per (scenario, source) for up to 6 of them, else the top and bottom 3 of each."""
    groups = list(fitted.groupby(["scenario", "source"], sort=False))
    pct = f"{level:.0%}"
    if len(groups) <= 6:
        for (scenario, source), part in groups:
            print_table(
                f"{source} / {scenario}: {int(part['n_pairs'].iloc[0])} pairs"
                + ("" if part["converged"].all() else " (not converged)"),
                ["property", "weight", f"{pct} interval", "score (50 = indifferent)", f"score {pct}"],
                [
                    [
                        r.property,
                        r.mean,
                        f"[{r.lower:.3f}, {r.upper:.3f}]",
                        r.score,
                        f"[{r.score_lower:.1f}, {r.score_upper:.1f}]",
                    ]
                    for r in part.itertuples()
                ],
                json_mode=json_mode,
            )
        return
    rows = []
    for (scenario, source), part in groups:
        ranked = part.sort_values("score", ascending=False)
        top = ", ".join(f"{r.property} {r.score:.1f}" for r in ranked.head(3).itertuples())
        bottom = ", ".join(f"{r.property} {r.score:.1f}" for r in ranked.tail(3)[::-1].itertuples())
        rows.append([scenario, source, int(part["n_pairs"].iloc[0]), top, bottom])
    print_table(
        "preference scores: most and least preferred",
        ["scenario", "source", "pairs", "top 3", "bottom 3"],
        rows,
        json_mode=json_mode,
    )
