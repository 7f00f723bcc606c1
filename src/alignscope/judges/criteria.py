"""Multi-criteria pairwise judging (SOS-Bench): per-criterion verdicts on correctness, completeness, safety,
conciseness and style, then an overall verdict. Judging goes through
:func:`alignscope.judges.pairwise.pair_calls` with a ``criteria`` JudgeSpec (template
``sos-bench-criteria``); :func:`criteria_table` turns the verdicts into numbers for the audit (the weight of
each criterion in the overall verdict)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from alignscope.judges.parsing import CRITERIA, preference_of
from alignscope.records import Judgment


def criteria_table(judgments: Sequence[Judgment]) -> pd.DataFrame:
    """One row per parsed (text or logprob) multi-criteria Judgment in the judge's frame: each criterion as
    +1 (A better), 0 (tie) or -1 (B better), and ``overall`` = P(A preferred) of the overall verdict."""
    rows = []
    for j in judgments:
        crit = j.fields.get("criteria")
        if j.parse_status == "failed" or not isinstance(crit, dict) or j.preference is None:
            continue
        row = {"item_id": j.item_id, "model_a": j.model_a, "model_b": j.model_b, "swapped": j.swapped}
        row |= {name: 2.0 * preference_of(crit[name]) - 1.0 for name in CRITERIA if name in crit}
        row["overall"] = j.preference
        rows.append(row)
    return pd.DataFrame(rows, columns=["item_id", "model_a", "model_b", "swapped", *CRITERIA, "overall"])
