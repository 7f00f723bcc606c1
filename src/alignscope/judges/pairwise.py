"""Pairwise judging (AlpacaEval / Arena-Hard / MT-Bench pairwise): every pair in both orders, every turn.

A Pair's ``first`` answer is shown as A in the unswapped order (``swapped=False``), as B in the swapped one;
the Judgments keep the judge's own frame (``model_a`` is the answer shown first) and ``preference`` =
P(shown-first preferred). :func:`pair_table` joins both orders of each pair into one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from alignscope.judges.calls import JudgeCall
from alignscope.judges.config import JudgeSpec
from alignscope.judges.context import answers_of, judged_turns, turn_variables
from alignscope.judges.modes import judge_mode_names
from alignscope.judges.templates import JudgeTemplate
from alignscope.records import Generation, Item, Judgment


@dataclass(frozen=True)
class Pair:
    """Two answers to one item; ``first`` is shown first unswapped (the baseline, by convention)."""

    item: Item
    first: Generation
    second: Generation


def pair_calls(spec: JudgeSpec, base: JudgeTemplate, pairs: Sequence[Pair]) -> list[JudgeCall]:
    """The judge calls of ``pairs``: per judged turn, the unswapped and (``spec.swap``) the swapped order."""
    calls = []
    for pair in pairs:
        first, second = answers_of(pair.first), answers_of(pair.second)
        plan = judged_turns(
            base,
            pair.item,
            min(len(first), len(second)),
            all_turns=spec.turns == "all",
            use_reference=spec.use_reference,
            user_templates=spec.templates,
        )
        for turn, template in plan:
            orders = [(pair.first, first, pair.second, second, False)]
            if spec.swap:
                orders.append((pair.second, second, pair.first, first, True))
            for gen_a, ans_a, gen_b, ans_b, swapped in orders:
                variables = turn_variables(pair.item, turn, a=ans_a, b=ans_b)
                calls.append(
                    JudgeCall(
                        messages=template.render(**variables, logprob=spec.verdict == "logprob"),
                        template=template,
                        item=pair.item,
                        model_a=gen_a.model,
                        model_b=gen_b.model,
                        swapped=swapped,
                        fields={"turn": turn},
                    )
                )
    return calls


def pair_table(judgments: Sequence[Judgment]) -> pd.DataFrame:
    """One row per (item, turn, pair of models, sample) in the canonical frame (``model_a`` = the answer shown
    first unswapped): ``p_first_order`` = P(model_a preferred) when shown first, ``p_swapped_order`` = that
    when shown second (NaN where that order failed or was not run), ``p_a`` their mean over the orders that
    gave a verdict (NaN if none did), and ``consistent`` (both orders name the same winner)."""
    rows: dict[tuple, dict] = {}
    pair_modes = set(judge_mode_names("pair"))
    for j in judgments:
        if j.mode not in pair_modes or j.model_b is None:
            continue
        a, b = (j.model_b, j.model_a) if j.swapped else (j.model_a, j.model_b)
        key = (j.judge, j.dataset, j.item_id, j.fields.get("turn", 1), j.fields.get("sample", 0), a, b)
        row = rows.setdefault(
            key,
            {
                "judge": j.judge,
                "dataset": j.dataset,
                "item_id": j.item_id,
                "turn": key[3],
                "sample": key[4],
                "model_a": a,
                "model_b": b,
                "p_first_order": float("nan"),
                "p_swapped_order": float("nan"),
            },
        )
        p = float("nan") if j.preference is None or j.parse_status == "failed" else j.preference
        if j.swapped:
            row["p_swapped_order"] = 1.0 - p
        else:
            row["p_first_order"] = p
    df = pd.DataFrame(list(rows.values()))
    if df.empty:
        return df
    df["p_a"] = df[["p_first_order", "p_swapped_order"]].mean(axis=1, skipna=True)
    first, second = _winner(df["p_first_order"]), _winner(df["p_swapped_order"])
    df["consistent"] = pd.array(
        np.where(np.isnan(first) | np.isnan(second), None, first == second), dtype="boolean"
    )
    return df


def pair_summary(judgments: Sequence[Judgment]) -> dict[str, Any]:
    """One judged model's pairs against the baseline (the answer shown first unswapped): wins, ties, losses
    and pairs without a verdict from the judged model's side, pairs judged in both orders and how many of
    those the orders disagree on."""
    table = pair_table(judgments)
    p_model = 1.0 - table["p_a"]
    return {
        "pairs": len(table),
        "wins": int((p_model > 0.5).sum()),
        "ties": int((p_model == 0.5).sum()),
        "losses": int((p_model < 0.5).sum()),
        "no_verdict": int(p_model.isna().sum()),
        "both_orders": int(table["consistent"].notna().sum()),
        "inconsistent": int((table["consistent"] == False).sum()),  # noqa: E712 - nullable boolean
    }


def _winner(p: pd.Series) -> np.ndarray:
    """+1 where model_a is preferred, -1 where model_b is, 0 for a tie, NaN where there is no verdict."""
    values = p.to_numpy(dtype=float)
    sign = np.sign(values - 0.5)
    sign[np.abs(values - 0.5) < 1e-9] = 0.0
    return sign
