"""``alignscope dissect fit``: preference weights (Bayesian logistic regression per scenario and source) from
a feature table, a stored judge run, or AlpacaEval annotations; tables, JSON, Parquet and plots."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from alignscope.cli.common import (
    JsonOpt,
    SeedOpt,
    WorkspaceOpt,
    emit_json,
    err_console,
    open_store,
    out_console,
    print_table,
)
from alignscope.cli.dissect.scenarios import ClassifierOpt, classify
from alignscope.cli.dissect.shared import OutOpt, write_result
from alignscope.errors import ConfigError


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
    seed: SeedOpt = 0,
    out: OutOpt = None,
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Fit preference weights (Bayesian logistic regression per scenario and source) with intervals."""
    from alignscope.analysis.dissection.alpaca_style import judge_style_weights, load_annotations
    from alignscope.analysis.dissection.judge_run import dissect_run, fit_pairs
    from alignscope.analysis.dissection.table import fit_table, fits_json, read_feature_table

    if sum(x is not None and x != [] for x in (table, judge_run, alpaca_eval)) != 1:
        raise ConfigError("give exactly one of a feature table, --judge-run or --alpaca-eval")
    if only and not alpaca_eval:
        raise ConfigError("--only applies to --alpaca-eval annotations")
    _choice("--features", features, ("annotated", "style"))
    _choice("--by", by, ("all", "category", "scenario"))
    counts: dict[str, int] = {}
    if table is not None:
        frame = read_feature_table(table)
        if by == "scenario":
            frame = _table_scenarios(frame, classifier, str(table), seed, json_out, workspace)
        fitted = fit_table(frame, prior_scale=prior_scale, level=level)
        origin: dict[str, Any] = {"table": str(table), "by": by}
    elif alpaca_eval:
        fitted = judge_style_weights(
            load_annotations(alpaca_eval, only), seed=seed, prior_scale=prior_scale, level=level
        )
        origin = {"alpaca_eval": alpaca_eval, "only": only, "features": "style"}
    else:
        store = open_store(workspace)
        groups = (
            classify(store, _run_items(store, judge_run), classifier, judge_run, seed, json_out)
            if by == "scenario"
            else None
        )
        pairs = dissect_run(
            store,
            judge_run,
            annotation_run=annotations,
            features=features,
            judge=judge,
            annotator=annotator,
            scenario_by=by,
            scenarios=groups,
            seed=seed,
        )  # type: ignore[arg-type]
        counts = pairs.counts
        fitted = fit_pairs(pairs, prior_scale=prior_scale, level=level)
        origin = {"judge_run": judge_run, "annotations": annotations or judge_run, "features": features}
    result = {
        **origin,
        "prior_scale": prior_scale,
        "level": level,
        "counts": counts,
        "fits": fits_json(fitted),
    }
    _print_fits(fitted, level, json_out)
    if counts:
        line = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items())
        (err_console if json_out else out_console).print(f"pairs: {line}")
    if out is not None:
        result["files"] = _write_fit(out, fitted, result)
    if json_out:
        emit_json(result)


def _table_scenarios(
    frame: pd.DataFrame, classifier: str, source: str, seed: int, json_out: bool, workspace: Path | None
) -> pd.DataFrame:
    """The table with a scenario column: its own, else its prompts' scenario groups by ``classifier``."""
    from alignscope.experiments.scenarios import query_items

    if "scenario" in frame.columns:
        return frame.drop(columns=["prompt"], errors="ignore")
    if "prompt" not in frame.columns:
        raise ConfigError(
            "--by scenario needs a scenario column, or a prompt column to label with --classifier"
        )
    prompts = frame["prompt"].astype(str)
    items = query_items(list(prompts))
    groups = classify(open_store(workspace), items, classifier, source, seed, json_out)
    by_text = {it.prompt: groups[(it.dataset, it.id)] or "failed" for it in items}
    return frame.drop(columns=["prompt"]).assign(scenario=prompts.map(by_text).to_numpy())


def _run_items(store: Any, judge_run: str) -> list[Any]:
    """The Items answered in a stored run."""
    from alignscope.judges.run import stored_items

    store.get_run(judge_run)
    return stored_items(store, {(g.dataset, g.item_id) for g in store.records("generations", judge_run)})


def _choice(option: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{option} {value!r}: choose {' or '.join(choices)}")


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


def _write_fit(out: Path, fitted: pd.DataFrame, result: dict[str, Any]) -> list[str]:
    """fit.json, fit.parquet, one bar chart of preference scores per scenario, and a similarity heat map of
    the sources when there are several with weights in every scenario."""
    from alignscope.analysis.dissection.compare import similarity_matrix
    from alignscope.analysis.dissection.plots import preference_bar_chart, similarity_heatmap
    from alignscope.analysis.dissection.table import to_weights_frame
    from alignscope.report.sections import slug

    out.mkdir(parents=True, exist_ok=True)
    files = [out / "fit.parquet"]
    fitted.to_parquet(files[0], index=False)
    for scenario, part in fitted.groupby("scenario", sort=False):
        by_source = {s: p.set_index("property") for s, p in part.groupby("source", sort=False)}
        labels = list(next(iter(by_source.values())).index)
        svg = preference_bar_chart(
            {s: p.loc[labels, "score"] for s, p in by_source.items()},
            labels,
            intervals={
                s: (p.loc[labels, "score_lower"], p.loc[labels, "score_upper"]) for s, p in by_source.items()
            },
            title=f"preference scores: {scenario}",
        )
        files.append(out / f"scores_{slug(str(scenario))}.svg")
        files[-1].write_text(svg, encoding="utf-8")
    weights = to_weights_frame(fitted)
    complete = weights.groupby("source")["scenario"].nunique().eq(weights["scenario"].nunique()).all()
    if weights["source"].nunique() > 1 and complete:
        files.append(out / "similarity.svg")
        files[-1].write_text(
            similarity_heatmap(similarity_matrix(weights), title="profile similarity"), "utf-8"
        )
    return write_result(out / "fit.json", result, files)
