"""Two findings of "Dissecting Human and LLM Preferences" as analyses of any weights frame or judge run.

- **Judge size**: how similar each judge's preference profile is to humans' (Pearson r of the weight vectors
  per scenario, as in :mod:`compare`), averaged within judge size groups: the paper's two (14B or less, 30B
  or more) or the finer ``compare.SIZE_CLASSES``. Intervals resample scenarios (percentile bootstrap): a
  resample draws scenarios with replacement and recomputes every group's mean similarity, so the
  difference between groups is bootstrapped on the same draws.
- **Preference strength**: how decided a judge is, |P(A) - P(B)| = |2 P(A) - 1| of its logprob verdicts, for
  a pretrained (base) judge and its aligned model on the same pairs; the mean paired difference (aligned -
  base) with a percentile bootstrap interval over pairs, and the paired Wilcoxon signed-rank test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

from alignscope.analysis.bootstrap import mean_interval, percentile_interval
from alignscope.analysis.dissection.compare import (
    SIZE_CLASSES,
    property_columns,
    scenarios_in,
    size_class,
)
from alignscope.analysis.dissection.released import HUMAN, MODEL_SIZES_B
from alignscope.errors import ConfigError, DataError
from alignscope.records import Judgment

# The paper's two size groups (billions of parameters): name, lowest, highest (inclusive).
PAPER_SIZE_GROUPS: tuple[tuple[str, float, float], ...] = (("<=14B", 0, 14), (">=30B", 30, float("inf")))
SPLITS = ("paper", "fine")
_SIZE_IN_NAME = re.compile(r"(?:(\d+)x)?(\d+(?:\.\d+)?)b(?![a-z])", re.IGNORECASE)


def judge_size(name: str, sizes: Mapping[str, float] = MODEL_SIZES_B) -> float | None:
    """Billions of parameters of a judge: from ``sizes`` (the original's table), else from its name
    (``llama-3-8b-instruct`` -> 8, ``mixtral-8x7b`` -> 56), else None."""
    if name in sizes:
        return float(sizes[name])
    match = _SIZE_IN_NAME.search(name)
    if match is None:
        return None
    experts = int(match.group(1)) if match.group(1) else 1
    return experts * float(match.group(2))


def size_group(size_b: float, split: str = "paper") -> str | None:
    """The group of a judge of ``size_b`` billion parameters (None: between the paper's two groups)."""
    if split == "fine":
        return size_class(size_b)
    if split != "paper":
        raise ConfigError(f"size split {split!r}: choose {' or '.join(SPLITS)}")
    return next((name for name, low, high in PAPER_SIZE_GROUPS if low <= size_b <= high), None)


def similarity_to(
    weights: pd.DataFrame, reference: str = HUMAN, scenarios: Iterable[str] | None = None
) -> pd.DataFrame:
    """Pearson r of each source's weights with ``reference``'s, per scenario (index source, one column per
    scenario)."""
    chosen = scenarios_in(weights, scenarios)
    columns = property_columns(weights)
    out = {}
    for scenario in chosen:
        part = weights[weights["scenario"] == scenario].set_index("source")[columns].astype(float)
        if reference not in part.index:
            raise DataError(f"no weights for {reference!r} in scenario {scenario!r}")
        ref = part.loc[reference].to_numpy()
        out[scenario] = {
            s: float(np.corrcoef(row.to_numpy(), ref)[0, 1]) for s, row in part.iterrows() if s != reference
        }
    return pd.DataFrame(out)


@dataclass(frozen=True)
class SizeFinding:
    """Per size group: judges, mean similarity to the reference with its interval (``groups``); the
    difference of the largest and the smallest group with its interval (``difference``); the judges left
    out for want of a size (``unsized``)."""

    groups: pd.DataFrame
    difference: dict[str, float | str]
    unsized: list[str]
    reference: str
    split: str
    scenarios: list[str]
    level: float


def similarity_by_size_group(
    weights: pd.DataFrame,
    *,
    reference: str = HUMAN,
    split: str = "paper",
    sizes: Mapping[str, float] = MODEL_SIZES_B,
    scenarios: Iterable[str] | None = None,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> SizeFinding:
    """Mean similarity to ``reference`` of the judges in each size group, with scenario-bootstrap
    intervals."""
    sim = similarity_to(weights, reference, scenarios)
    groups: dict[str, list[str]] = {}
    unsized = []
    for judge in sim.index:
        size = judge_size(str(judge), sizes)
        group = None if size is None else size_group(size, split)
        if size is None:
            unsized.append(str(judge))
        if group is not None:
            groups.setdefault(group, []).append(str(judge))
    order = [name for name, *_ in (PAPER_SIZE_GROUPS if split == "paper" else SIZE_CLASSES)]
    names = [g for g in order if g in groups]
    if not names:
        raise DataError("no judge with a known size (name them like llama-2-13b-chat, or use known judges)")
    values = sim.to_numpy()  # judges x scenarios
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, values.shape[1], size=(n_boot, values.shape[1]))
    rows, boots = [], {}
    for name in names:
        rows_of = [sim.index.get_loc(j) for j in groups[name]]
        per_scenario = values[rows_of].mean(axis=0)  # group mean per scenario
        boots[name] = per_scenario[draws].mean(axis=1)
        low, high = percentile_interval(boots[name], level)
        rows.append(
            {
                "group": name,
                "judges": len(groups[name]),
                "similarity": float(per_scenario.mean()),
                "lower": low,
                "upper": high,
                "members": groups[name],
            }
        )
    table = pd.DataFrame(rows)
    difference: dict[str, float | str] = {}
    if len(names) > 1:
        big, small = names[-1], names[0]
        diff = boots[big] - boots[small]
        low, high = percentile_interval(diff, level)
        point = table.set_index("group")["similarity"]
        difference = {
            "larger": big,
            "smaller": small,
            "difference": float(point[big] - point[small]),
            "lower": low,
            "upper": high,
        }
    return SizeFinding(table, difference, unsized, reference, split, list(sim.columns), level)


@dataclass(frozen=True)
class StrengthFinding:
    """Preference strength |P(A) - P(B)| of a base and an aligned judge on the same pairs: per judge the
    mean, median and quartiles; the mean paired difference (aligned - base) with its bootstrap interval; the
    Wilcoxon signed-rank statistic and two-sided p-value; and the per-pair values (``pairs``)."""

    base: str
    aligned: str
    n: int
    summary: pd.DataFrame
    difference: float
    lower: float
    upper: float
    wilcoxon_statistic: float
    p_value: float
    level: float
    pairs: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every field but the per-pair values, the summary as records."""
        plain = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("summary", "pairs")}
        return plain | {"summary": self.summary.to_dict(orient="records")}


def strength_table(judgments: Sequence[Judgment], judge: str) -> pd.Series:
    """|2 P(A) - 1| of each verdict of ``judge`` that has a preference, keyed by the pair's identity (dataset,
    item, model_a, model_b, order, turn)."""
    rows = {}
    for j in judgments:
        if j.judge != judge or j.preference is None or j.parse_status == "failed":
            continue
        key = (j.dataset, j.item_id, j.model_a, j.model_b or "", j.swapped, int(j.fields.get("turn", 1)))
        rows[key] = abs(2.0 * float(j.preference) - 1.0)
    return pd.Series(rows, dtype=float)


def preference_strength(
    judgments: Sequence[Judgment],
    base: str,
    aligned: str,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> StrengthFinding:
    """Compare the preference strength of judges ``base`` and ``aligned`` (Judgment.judge labels) on the
    pairs both judged."""
    present = sorted({j.judge for j in judgments})
    missing = [name for name in (base, aligned) if name not in present]
    if missing:
        raise DataError(
            f"no verdicts of judge(s) {', '.join(missing)} (judges present: {', '.join(present)})"
        )
    a, b = strength_table(judgments, base), strength_table(judgments, aligned)
    shared = a.index.intersection(b.index).sort_values()  # results independent of the verdicts' order
    if len(shared) < 2:
        raise DataError(
            f"{len(shared)} pair(s) judged by both {base} and {aligned} with a preference: need 2+"
        )
    x, y = a.loc[shared].to_numpy(), b.loc[shared].to_numpy()
    diff = y - x
    low, high = mean_interval(diff, n_boot=n_boot, level=level, seed=seed)
    if np.allclose(diff, 0):
        stat, p = 0.0, 1.0
    else:
        test = wilcoxon(y, x, zero_method="wilcox", alternative="two-sided")
        stat, p = float(test.statistic), float(test.pvalue)
    summary = pd.DataFrame(
        [_describe(base, x), _describe(aligned, y)],
        columns=["judge", "mean", "median", "q25", "q75", "share_above_0_5"],
    )
    pairs = pd.DataFrame(
        list(shared), columns=["dataset", "item_id", "model_a", "model_b", "swapped", "turn"]
    ).assign(base=x, aligned=y)
    return StrengthFinding(
        base, aligned, len(diff), summary, float(diff.mean()), low, high, stat, p, level, pairs
    )


def _describe(judge: str, values: np.ndarray) -> tuple[str, float, float, float, float, float]:
    q25, median, q75 = np.quantile(values, [0.25, 0.5, 0.75])
    return judge, float(values.mean()), float(median), float(q25), float(q75), float((values > 0.5).mean())
