"""``alignscope leaderboard``: win rate, length-controlled win rate and Bradley-Terry ratings (with and
without style control) with their uncertainty, from stored judge runs and from the files other tools write."""

from __future__ import annotations

import math
from typing import Annotated, Any

import pandas as pd
import typer

from alignscope.cli.common import JsonOpt, SeedOpt, WorkspaceOpt, emit_json, err_console, print_table
from alignscope.cli.judgment_tables import (
    ARENA_BASELINE,
    AnnotationsOpt,
    ArenaAnswersOpt,
    ArenaBaselineOpt,
    ArenaOpt,
    JudgmentTables,
    OnlyOpt,
    RunsOpt,
    ShippedOpt,
    load_tables,
)
from alignscope.errors import DataError


def _difficulty(pairs: pd.DataFrame, notes: list[str]) -> pd.Series:
    """Instruction difficulty for the LC GLM: AlpacaEval's (estimated from the shipped annotations) when it
    covers every instruction, else a joint fit over the models given, else none (zeros)."""
    from alignscope.analysis.instruction_difficulty import fit_instruction_difficulty
    from alignscope.data.formats.alpaca_eval_results import bundled_instruction_difficulty

    instructions = pairs["instruction"].unique()
    try:
        shipped = bundled_instruction_difficulty()
    except DataError:
        shipped = pd.Series(dtype=float)
    if len(shipped) and pd.Index(instructions).isin(shipped.index).all():
        notes.append(
            "LC difficulty: AlpacaEval instruction difficulty estimated from the shipped annotations"
        )
        return shipped
    if pairs["model"].nunique() >= 2:
        notes.append(f"LC difficulty: fitted jointly over the {pairs['model'].nunique()} models given")
        return fit_instruction_difficulty(pairs)
    notes.append("LC difficulty: none (one model; the GLM has no instruction term)")
    return pd.Series(0.0, index=instructions)


def win_rate_table(pairs: pd.DataFrame, lc: bool, notes: list[str]) -> pd.DataFrame:
    """Per model and baseline: win rate with its standard error, and the LC win rate where it can be fit."""
    from alignscope.analysis.winrate import win_rates

    frames = []
    for baseline, group in pairs.groupby("baseline", sort=False):
        group = group.drop(columns="source").reset_index(drop=True)
        rates = win_rates(group)
        if lc:
            rates = rates.join(_lc_rates(group, notes))
        frames.append(rates.assign(baseline=baseline))
    return pd.concat(frames) if frames else pd.DataFrame()


def _lc_rates(group: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """LC win rate and its standard error of the models with answer lengths and enough verdicts to fit."""
    from alignscope.analysis.length_control import GLMSettings, length_controlled_win_rates

    settings = GLMSettings()
    have_lengths = group[["len_model", "len_baseline"]].notna().all(axis=1)
    verdicts = group[have_lengths & group["p_win"].notna()].groupby("model").size()
    eligible = [m for m, n in verdicts.items() if n >= settings.n_splits]
    skipped = sorted(set(group["model"]) - set(eligible))
    if skipped:
        notes.append(
            f"no LC win rate for {', '.join(skipped)}: needs answer lengths and {settings.n_splits}+ verdicts"
        )
    columns = ["lc_win_rate", "lc_standard_error"]
    if not eligible:
        return pd.DataFrame(columns=columns, dtype=float)
    usable = group[group["model"].isin(eligible) & have_lengths].reset_index(drop=True)
    return length_controlled_win_rates(usable, _difficulty(usable, notes), settings=settings)[columns]


def rating_table(
    tables: JudgmentTables, anchor: str, n_bootstrap: int, style: bool, seed: int, notes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bradley-Terry ratings with bootstrap CIs, with style-controlled ratings where every answer is known."""
    from alignscope.analysis.bradley_terry import bradley_terry, style_controlled_leaderboard
    from alignscope.analysis.style_features import STYLE_FEATURES, add_style_features

    battles = tables.battles.dropna(subset=["p_a"]).reset_index(drop=True)
    if style:
        try:
            styled = add_style_features(battles, tables.answers)
            return style_controlled_leaderboard(
                styled, anchor, STYLE_FEATURES, n_bootstrap=n_bootstrap, seed=seed
            )
        except DataError as exc:
            notes.append(f"no style control: {exc}")
    result = bradley_terry(battles, anchor, n_bootstrap=n_bootstrap, seed=seed)
    return result.ratings, result.style


def leaderboard_rows(rates: pd.DataFrame, ratings: pd.DataFrame) -> list[dict[str, Any]]:
    """One JSON-ready row per model: n, win rate, LC win rate, standard errors, BT rating and CI (plain and
    style-controlled)."""
    models = list(dict.fromkeys([*ratings.index, *rates.index]))
    rows = []
    for model in models:
        row: dict[str, Any] = {"model": model}
        if model in rates.index:
            r = rates.loc[[model]].iloc[0]
            row |= {
                "baseline": r["baseline"],
                "n": int(r["n"]),
                "n_failed": int(r["n_failed"]),
                "win_rate": _num(r["win_rate"]),
                "standard_error": _num(r["standard_error"]),
                "lc_win_rate": _num(r.get("lc_win_rate")),
                "lc_standard_error": _num(r.get("lc_standard_error")),
            }
        if model in ratings.index:
            b = ratings.loc[model]
            row |= {"n_battles": int(b["n_battles"]), "rating": _num(b["rating"]),
                    "rating_lower": _num(b["lower"]), "rating_upper": _num(b["upper"])}  # fmt: skip
            if "rating_sc" in ratings.columns:
                row |= {"rating_sc": _num(b["rating_sc"]), "rating_sc_lower": _num(b["lower_sc"]),
                        "rating_sc_upper": _num(b["upper_sc"])}  # fmt: skip
        rows.append(row)
    return rows


def _num(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _anchor(tables: JudgmentTables, anchor: str | None) -> str:
    if anchor:
        return anchor
    if not tables.pairs.empty:
        return str(tables.pairs["baseline"].mode().iloc[0])
    counts = pd.concat([tables.battles["model_a"], tables.battles["model_b"]]).value_counts()
    if counts.empty:
        raise DataError("no battles to rate")
    return str(counts.index[0])


def leaderboard(
    run: RunsOpt = None,
    annotations: AnnotationsOpt = None,
    arena_hard: ArenaOpt = None,
    arena_answers: ArenaAnswersOpt = None,
    shipped: ShippedOpt = None,
    only: OnlyOpt = None,
    arena_baseline: ArenaBaselineOpt = ARENA_BASELINE,
    anchor: Annotated[str | None, typer.Option(help="Model rated 1000 (default: the baseline).")] = None,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap rounds over prompts for the rating CIs.")] = 1000,
    style: Annotated[
        bool, typer.Option("--style/--no-style", help="Also fit style-controlled ratings.")
    ] = True,
    lc: Annotated[bool, typer.Option("--lc/--no-lc", help="Fit length-controlled win rates.")] = True,
    seed: SeedOpt = 0,
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Leaderboard of judged models from stored runs, AlpacaEval annotations or Arena-Hard judgments."""
    tables = load_tables(
        workspace, run, annotations, arena_hard, arena_answers, arena_baseline, shipped, only
    )
    notes: list[str] = []
    rates = win_rate_table(tables.pairs, lc, notes) if not tables.pairs.empty else pd.DataFrame()
    chosen = _anchor(tables, anchor)
    ratings, style_coefs = rating_table(tables, chosen, bootstrap, style, seed, notes)
    rows = leaderboard_rows(rates, ratings)
    result = {
        "anchor": chosen,
        "judges": tables.judges,
        "verdicts": tables.n_verdicts,
        "parse_failures": tables.n_failed,
        "parse_failure_rate": tables.failure_rate,
        "bootstrap": bootstrap,
        "models": rows,
        "style_coefficients": [
            {"feature": f, "coef": _num(r["coef"]), "lower": _num(r["lower"]), "upper": _num(r["upper"])}
            for f, r in style_coefs.iterrows()
        ],
        "notes": notes,
    }
    _print(result, json_out)
    if json_out:
        emit_json(result)


def _print(result: dict[str, Any], json_mode: bool) -> None:
    cols = [
        "model",
        "n",
        "win rate",
        "s.e.",
        "LC win rate",
        "LC s.e.",
        "rating",
        "95% CI",
        "styled",
        "styled CI",
    ]
    body = []
    for r in result["models"]:
        ci = f"{r['rating_lower']:.0f}..{r['rating_upper']:.0f}" if r.get("rating") is not None else None
        sci = (
            f"{r['rating_sc_lower']:.0f}..{r['rating_sc_upper']:.0f}"
            if r.get("rating_sc") is not None
            else None
        )
        body.append([r["model"], r.get("n"), r.get("win_rate"), r.get("standard_error"), r.get("lc_win_rate"),
                     r.get("lc_standard_error"), r.get("rating"), ci, r.get("rating_sc"), sci])  # fmt: skip
    rate = result["parse_failure_rate"]
    title = (
        f"leaderboard (anchor {result['anchor']} = 1000; {result['verdicts']} verdicts, parse failures "
        f"{result['parse_failures']}" + (f" = {rate:.1%})" if rate is not None else ")")
    )
    print_table(title, cols, body, json_mode=json_mode)
    if result["style_coefficients"]:
        print_table(
            "style coefficients (logit per sd)",
            ["feature", "coef", "lower", "upper"],
            [[s["feature"], s["coef"], s["lower"], s["upper"]] for s in result["style_coefficients"]],
            json_mode=json_mode,
        )
    for note in result["notes"]:
        err_console.print(f"[dim]note: {note}[/dim]")
