"""The judge-audit service: from judgment tables (and the leaderboard's win rates) to position consistency,
length bias, criterion weights, verbosity gaming and self-preference, each part either a result or the reason
the judgments cannot support it (one line). ``audit-judge``, ``audit`` and the published AlpacaEval audit all
call it; the statistics are those of :mod:`alignscope.analysis.judge_audit`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from alignscope.analysis.judge_audit import (
    PositionConsistency,
    Slope,
    VerbosityGaming,
    criterion_weights,
    length_bias,
    position_consistency,
    self_preference,
    variant_families,
    verbosity_gaming,
)
from alignscope.analysis.judgment_tables import JudgmentTables
from alignscope.errors import DataError

MIN_CRITERIA_VERDICTS = 60  # 10 per weight of the criterion-weights regression (5 criteria + intercept)
MIN_LENGTH_BIAS_PROMPTS = 5  # fewer clusters make the clustered standard error meaningless (0 with one)
PARTS = ("position", "length_bias", "criterion_weights", "verbosity_gaming", "self_preference")


def position_check(tables: JudgmentTables, level: float = 0.95) -> PositionConsistency:
    """Position consistency and first-position preference, from the battles judged in both orders."""
    battles = tables.battles
    if battles.empty:
        raise DataError("no pairwise judgments")
    result = position_consistency(battles[["question_id", "model_a", "model_b", "p_a"]], level)
    if result.n_pairs == 0:
        raise DataError("no pair was judged in both orders (judge with position swap to measure it)")
    return result


def length_check(pairs: pd.DataFrame, level: float = 0.95) -> Slope:
    """Logistic slope of the judged model's win probability on its length lead over the baseline (pairs
    table of :mod:`alignscope.analysis.length_control`), one intercept per model, CIs clustered by
    instruction; needs answer lengths and MIN_LENGTH_BIAS_PROMPTS+ instructions."""
    pairs = pairs.dropna(subset=["len_model", "len_baseline"])
    if pairs.empty:
        raise DataError("no answer lengths (give the answers, e.g. --arena-answers)")
    prompts = pairs["instruction"].nunique()
    if prompts < MIN_LENGTH_BIAS_PROMPTS:
        raise DataError(
            f"its CI is clustered by prompt, and {prompts} prompt(s) are too few (needs "
            f"{MIN_LENGTH_BIAS_PROMPTS}+)"
        )
    battles = pd.DataFrame(
        {
            "p_a": pairs["p_win"].to_numpy(dtype=float),
            "len_a": pairs["len_model"].to_numpy(dtype=float),
            "len_b": pairs["len_baseline"].to_numpy(dtype=float),
            "question_id": pairs["instruction"].to_numpy(),
            "model": pairs["model"].to_numpy(),
        }
    )
    try:
        return length_bias(battles, group="model", level=level)
    except np.linalg.LinAlgError as exc:
        raise DataError(f"the length model cannot be fitted ({exc})") from exc


def criteria_check(tables: JudgmentTables, level: float = 0.95) -> dict[str, Any]:
    """Per judged model, the correlation of each criterion verdict of a multi-criteria judge (SOS-Bench) with
    its overall verdict; and, from MIN_CRITERIA_VERDICTS verdicts on, the weight of each criterion in the
    overall verdict (``weights_unavailable`` says why not below that)."""
    from alignscope.analysis.criteria_weights import criterion_correlations
    from alignscope.judges.criteria import criteria_table
    from alignscope.judges.parsing import CRITERIA

    table = criteria_table(tables.judgments)
    if table.empty:
        raise DataError("no parsed multi-criteria judgments (judge with --mode criteria or criteria-split)")
    correlations = criterion_correlations(table, list(CRITERIA), level=level)
    out: dict[str, Any] = {
        "n": len(table),
        "weights": [],
        "correlations": [
            {k: _plain(v) for k, v in r.items()} for r in correlations.to_dict(orient="records")
        ],
    }
    if len(table) < MIN_CRITERIA_VERDICTS:
        out["weights_unavailable"] = (
            f"{len(table)} verdicts are too few for {len(CRITERIA) + 1} weights (needs "
            f"{MIN_CRITERIA_VERDICTS}+, 10 per weight; fewer separate the verdicts and give spurious weights)"
        )
        return out
    as_p = table.assign(**{c: (table[c] + 1.0) / 2.0 for c in CRITERIA})  # +1/0/-1 -> P(A better)
    weights = criterion_weights(
        as_p.rename(columns={"item_id": "question_id"}), list(CRITERIA), "overall", level
    )
    out["weights"] = records(weights, "criterion")
    return out


def gaming_check(rates: pd.DataFrame, extra: Mapping[str, Sequence[str]]) -> VerbosityGaming:
    """Spread of raw and LC win rates across prompted-length variants of one model (``_concise``/``_verbose``
    and the ``extra`` families, base -> variants)."""
    if rates.empty or "lc_win_rate" not in rates or rates["lc_win_rate"].isna().all():
        raise DataError("needs win rates and LC win rates (pairwise judgments against a baseline)")
    families = variant_families(list(rates.index))
    for base, variants in extra.items():
        families.setdefault(base, [base]).extend(variants)
    if not families:
        raise DataError("no model with _concise/_verbose variants among the judged models")
    return verbosity_gaming(rates.dropna(subset=["lc_win_rate"]), families)


def self_preference_check(
    rates: pd.DataFrame, reference: pd.Series | None, own_family: str | None, level: float = 0.95
) -> dict[str, Any]:
    """How much more the judge likes its own family (models matching the regex ``own_family``) than the
    ``reference`` scores predict, on the LC win rate where fitted (else the win rate)."""
    if reference is None or not own_family:
        raise DataError("give the judge's own model family and reference scores (--own-family, --reference)")
    if rates.empty:
        raise DataError("needs win rates against a baseline")
    metric = "lc_win_rate" if "lc_win_rate" in rates and rates["lc_win_rate"].notna().any() else "win_rate"
    judge_scores = rates[metric].dropna()
    pattern = re.compile(own_family, re.IGNORECASE)
    families = {m: ("judge" if pattern.search(str(m)) else "other") for m in judge_scores.index}
    result = self_preference(judge_scores, reference, families, "judge", level)
    own = sorted(m for m, f in families.items() if f == "judge" and m in reference.index)
    return asdict(result) | {"metric": metric, "own_family_models": own}


@dataclass
class JudgeAudit:
    """The audit of one set of judgments: counts, then each part's result or why it is unavailable."""

    verdicts: int
    parse_failures: int
    parse_failure_rate: float | None
    position: PositionConsistency | None = None
    length: Slope | None = None
    criteria: dict[str, Any] | None = None
    gaming: VerbosityGaming | None = None
    self_preference: dict[str, Any] | None = None
    unavailable: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every part as its result or ``{"unavailable": why}``."""
        parts: dict[str, Any] = {
            "position": asdict(self.position) if self.position else None,
            "length_bias": asdict(self.length)
            | {"unit_name": "characters", "meaning": "log-odds of winning per sd of length lead"}
            if self.length
            else None,
            "criterion_weights": self.criteria,
            "verbosity_gaming": {
                "families": records(self.gaming.families, "family"),
                "gameability": self.gaming.gameability,
            }
            if self.gaming
            else None,
            "self_preference": self.self_preference,
        }
        out: dict[str, Any] = {
            "verdicts": self.verdicts,
            "parse_failures": self.parse_failures,
            "parse_failure_rate": self.parse_failure_rate,
        }
        why = {k: {"unavailable": self.unavailable.get(k, "not computed")} for k in parts}
        return out | {k: v if v is not None else why[k] for k, v in parts.items()}


def audit_judge(
    tables: JudgmentTables,
    rates: pd.DataFrame | None = None,
    *,
    level: float = 0.95,
    families: Mapping[str, Sequence[str]] | None = None,
    reference: pd.Series | None = None,
    own_family: str | None = None,
    parts: Sequence[str] = PARTS,
) -> JudgeAudit:
    """The judge audit of ``tables``: the ``parts`` asked for; ``rates`` (the leaderboard's win rates, index
    model) feed verbosity gaming and self-preference."""
    rates = pd.DataFrame() if rates is None else rates
    out = JudgeAudit(tables.n_verdicts, tables.n_failed, tables.failure_rate)
    checks: dict[str, tuple[str, Callable[[], Any]]] = {
        "position": ("position", lambda: position_check(tables, level)),
        "length_bias": ("length", lambda: length_check(tables.pairs, level)),
        "criterion_weights": ("criteria", lambda: criteria_check(tables, level)),
        "verbosity_gaming": ("gaming", lambda: gaming_check(rates, families or {})),
        "self_preference": (
            "self_preference",
            lambda: self_preference_check(rates, reference, own_family, level),
        ),
    }
    for part in parts:
        attribute, check = checks[part]
        try:
            setattr(out, attribute, check())
        except DataError as exc:
            out.unavailable[part] = str(exc)
    return out


def records(df: pd.DataFrame, index_name: str) -> list[dict[str, Any]]:
    """Rows of ``df`` as JSON-ready dicts, the index under ``index_name``."""
    return [{index_name: idx, **{k: _plain(v) for k, v in row.items()}} for idx, row in df.iterrows()]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
