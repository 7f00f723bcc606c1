"""The judge-results service: judgment tables -> one leaderboard (win rate and its standard error, LC win
rate and its standard error, Bradley-Terry ratings with bootstrap CIs, with and without style control) and
the notes that say what could not be computed and why.

Every command that shows judged numbers (``judge``, ``leaderboard``, ``audit-judge``, ``audit`` and the
Meta-Rewarding iteration report) calls :func:`judge_leaderboard`, so the same judgments give the same numbers
everywhere. The LC win rate's instruction difficulty is one setting, ``lc_difficulty`` (see
:mod:`alignscope.analysis.instruction_difficulty`); the leaderboard records the policy and the source it
resolved to per baseline (:attr:`Leaderboard.lc`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY, LCDifficulty, choose_difficulty
from alignscope.analysis.judgment_tables import JudgmentTables
from alignscope.analysis.length_control import GLMSettings, length_controlled_win_rates
from alignscope.analysis.winrate import COLUMNS as WIN_RATE_COLUMNS
from alignscope.analysis.winrate import win_rates
from alignscope.errors import DataError

BT_BOOTSTRAP = 1000
LC_COLUMNS = ["lc_win_rate", "lc_standard_error"]


@dataclass
class Leaderboard:
    """Judged numbers of one set of judgment tables.

    ``rates``: index model; win-rate columns, ``lc_win_rate``/``lc_standard_error`` (NaN where not fitted)
    and ``baseline``. ``ratings``: index model; Bradley-Terry ``rating, lower, upper``, the predicted
    ``win_rate*`` against the anchor, ``n_battles`` and, with style control, the ``*_sc`` columns (empty when
    no rating could be fitted). ``style``: the style coefficients. ``lc``: baseline -> the instruction
    difficulty its LC win rates used.
    """

    anchor: str
    lc_policy: str
    rates: pd.DataFrame
    ratings: pd.DataFrame
    style: pd.DataFrame
    lc: dict[str, LCDifficulty] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def lc_summary(self) -> dict[str, Any]:
        """The LC policy asked for and, per baseline, the difficulty source it used (JSON-ready)."""
        return {
            "policy": self.lc_policy,
            "difficulty": [{"baseline": b, **d.to_dict()} for b, d in self.lc.items()],
        }

    def rows(self) -> list[dict[str, Any]]:
        """One JSON-ready row per model: n, win rate, LC win rate, standard errors, BT rating and CI (plain
        and style-controlled)."""
        return leaderboard_rows(self.rates, self.ratings)

    def win_rate_board(self, baseline: str) -> pd.DataFrame:
        """Win-rate columns of the models judged against ``baseline``, the baseline first at 50 (s.e. 0)."""
        rates = self.rates[self.rates["baseline"] == baseline].drop(columns="baseline")
        rates = rates.drop(index=[baseline], errors="ignore")
        if rates[LC_COLUMNS].isna().all().all():
            rates = rates.drop(columns=LC_COLUMNS)
        base = {"n": 0, "n_failed": 0, "n_wins": 0, "n_losses": 0, "n_draws": 0}
        base |= {"win_rate": 50.0, "standard_error": 0.0}
        if "lc_win_rate" in rates:
            base |= {"lc_win_rate": 50.0, "lc_standard_error": 0.0}
        first = pd.DataFrame([base], index=pd.Index([baseline], name="model"))
        return pd.concat([first, rates]) if not rates.empty else first

    def with_ratings(self, board: pd.DataFrame) -> pd.DataFrame:
        """``board`` (index model) with the rating columns (plain and style-controlled, with their CIs)."""
        keep = [c for c in self.ratings.columns if c.startswith(("rating", "lower", "upper"))]
        return board.join(self.ratings[keep]) if keep else board


def judge_leaderboard(
    tables: JudgmentTables,
    anchor: str | None = None,
    *,
    lc: bool = True,
    lc_difficulty: str = DEFAULT_LC_DIFFICULTY,
    ratings: bool = True,
    style: bool = True,
    n_bootstrap: int = BT_BOOTSTRAP,
    level: float = 0.95,
    seed: int = 0,
) -> Leaderboard:
    """Win rates (and LC win rates under ``lc_difficulty``) per model and baseline, and Bradley-Terry ratings
    anchored at ``anchor`` (default: the most common baseline) with ``n_bootstrap`` prompt resamples; style
    control where every answer is known and a style feature varies. What cannot be computed is a note."""
    notes: list[str] = []
    rates, used = win_rate_table(tables.pairs, lc=lc, lc_difficulty=lc_difficulty, notes=notes)
    chosen = anchor or default_anchor(tables)
    table, coefs = pd.DataFrame(), pd.DataFrame()
    if ratings:
        table, coefs = rating_table(tables, chosen, n_bootstrap, style, level, seed, notes)
    return Leaderboard(chosen, lc_difficulty, rates, table, coefs, used, notes)


def default_anchor(tables: JudgmentTables) -> str:
    """The most common baseline, else the model in the most battles."""
    if not tables.pairs.empty:
        return str(tables.pairs["baseline"].mode().iloc[0])
    counts = pd.concat([tables.battles["model_a"], tables.battles["model_b"]]).value_counts()
    if counts.empty:
        raise DataError("no judgments to rate")
    return str(counts.index[0])


def win_rate_table(
    pairs: pd.DataFrame, *, lc: bool, lc_difficulty: str, notes: list[str]
) -> tuple[pd.DataFrame, dict[str, LCDifficulty]]:
    """Per model and baseline: win rate with its standard error, and the LC win rate where it can be fit;
    with the difficulty each baseline's LC fit used."""
    frames, used = [], {}
    for baseline, group in pairs.groupby("baseline", sort=False):
        group = group.drop(columns="source", errors="ignore").reset_index(drop=True)
        rates = win_rates(group).assign(lc_win_rate=np.nan, lc_standard_error=np.nan)
        if lc:
            fitted = _lc_rates(group, str(baseline), lc_difficulty, notes)
            if fitted is not None:
                used[str(baseline)], lc_rates = fitted
                rates.loc[lc_rates.index, LC_COLUMNS] = lc_rates[LC_COLUMNS]
        frames.append(rates.assign(baseline=baseline))
    if not frames:
        return pd.DataFrame(columns=[*WIN_RATE_COLUMNS, *LC_COLUMNS, "baseline"]), used
    return pd.concat(frames), used


def _lc_rates(
    group: pd.DataFrame, baseline: str, policy: str, notes: list[str]
) -> tuple[LCDifficulty, pd.DataFrame] | None:
    """The difficulty and the LC rates of the models with answer lengths and enough verdicts to fit."""
    settings = GLMSettings()
    have_lengths = group[["len_model", "len_baseline"]].notna().all(axis=1)
    verdicts = group[have_lengths & group["p_win"].notna()].groupby("model").size()
    eligible = [m for m, n in verdicts.items() if n >= settings.n_splits]
    skipped = sorted(set(group["model"]) - set(eligible))
    if skipped:
        notes.append(
            f"no LC win rate for {', '.join(map(str, skipped))}: needs answer lengths and "
            f"{settings.n_splits}+ verdicts"
        )
    if not eligible:
        return None
    usable = group[group["model"].isin(eligible) & have_lengths].reset_index(drop=True)
    try:
        difficulty = choose_difficulty(usable, policy, settings=settings)
        rates = length_controlled_win_rates(usable, difficulty.values, settings=settings)
    except DataError as exc:
        notes.append(f"no LC win rate against {baseline}: {exc}")
        return None
    notes.append(f"{difficulty.describe()} (against {baseline})")
    return difficulty, rates


def rating_table(
    tables: JudgmentTables,
    anchor: str,
    n_bootstrap: int,
    style: bool,
    level: float,
    seed: int,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bradley-Terry ratings with bootstrap CIs, with style-controlled ratings (``*_sc``) over the style
    features that vary where every answer is known; the style coefficients (empty without style control)."""
    from alignscope.analysis.bradley_terry import bradley_terry, style_controlled_leaderboard
    from alignscope.analysis.style_features import STYLE_FEATURES, add_style_features

    battles = tables.battles.dropna(subset=["p_a"]).reset_index(drop=True)
    if battles.empty:
        notes.append("no Bradley-Terry ratings: no verdicts")
        return pd.DataFrame(), pd.DataFrame()
    kwargs: dict[str, Any] = {"n_bootstrap": n_bootstrap, "level": level, "seed": seed}
    columns: list[str] = []
    if style:
        try:
            battles = add_style_features(battles, tables.answers)
            columns = [c for c in STYLE_FEATURES if battles[c].astype(float).std(ddof=1) > 0]
            dropped = [c for c in STYLE_FEATURES if c not in columns]
            if dropped:
                notes.append(f"style control leaves out {', '.join(dropped)}: it never varies in these pairs")
        except DataError as exc:
            notes.append(f"no style control: {exc}")
    try:
        if columns:
            return style_controlled_leaderboard(battles, anchor, columns, **kwargs)
        return bradley_terry(battles, anchor, **kwargs).ratings, pd.DataFrame()
    except DataError as exc:
        notes.append(f"no Bradley-Terry ratings: {exc}")
        return pd.DataFrame(), pd.DataFrame()


def leaderboard_rows(rates: pd.DataFrame, ratings: pd.DataFrame) -> list[dict[str, Any]]:
    """One JSON-ready row per model (rated or judged against a baseline)."""
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
                "win_rate": number(r["win_rate"]),
                "standard_error": number(r["standard_error"]),
                "lc_win_rate": number(r.get("lc_win_rate")),
                "lc_standard_error": number(r.get("lc_standard_error")),
            }
        if model in ratings.index:
            b = ratings.loc[model]
            row |= {"n_battles": int(b["n_battles"]), "rating": number(b["rating"]),
                    "rating_lower": number(b["lower"]), "rating_upper": number(b["upper"])}  # fmt: skip
            if "rating_sc" in ratings.columns:
                row |= {"rating_sc": number(b["rating_sc"]), "rating_sc_lower": number(b["lower_sc"]),
                        "rating_sc_upper": number(b["upper_sc"])}  # fmt: skip
        rows.append(row)
    return rows


def number(value: Any) -> float | None:
    """A float for JSON: None for a missing or NaN value."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value
