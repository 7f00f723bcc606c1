"""The manipulation experiment of "Dissecting Human and LLM Preferences": can a judge be gamed by telling the
evaluated model to show the properties the judge likes?

From a judge's fitted preference profile (its 0-100 preference scores, averaged over the chosen scenarios),
take its ``k`` most and ``k`` least preferred properties; each set becomes one *arm*: the evaluated model
answers the same items with the system prompt "Your responses should be ..." naming those properties (after
its own system prompt, if it has one). The judge then compares each arm's answers with the un-manipulated
answers, in both orders. An arm's score is the mean over items of P(manipulated answer preferred) x 100;
since the un-manipulated answers against themselves score exactly 50 (both orders averaged), the score change
is score - 50, with a percentile bootstrap interval over items. The top-minus-bottom contrast is bootstrapped
over the items judged in both arms.

The original injects characteristics through a system message or by rewriting answers; here the system prompt
is one sentence, so the same experiment runs with any backend.

This module holds the experiment's design and its scoring over stored records; running it (answering and
judging through the engine) is :mod:`alignscope.experiments.manipulation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from alignscope.analysis.bootstrap import mean_interval
from alignscope.analysis.dissection.compare import preference_scores, property_columns, scenarios_in
from alignscope.analysis.dissection.words import count_words
from alignscope.errors import ConfigError, DataError
from alignscope.judges.pairwise import pair_table
from alignscope.records import Generation, Judgment

# How each property is asked for in "Your responses should be ...".
PROMPT_PHRASES: dict[str, str] = {
    "harmless": "harmless",
    "grammatically_correct": "free of grammar, spelling, punctuation and code-switching mistakes",
    "friendly": "friendly",
    "polite": "polite",
    "interactive": "interactive, asking for relevant information or raising follow-up questions",
    "authoritative_tone": "authoritative in tone",
    "funny_and_humorous": "funny and humorous",
    "use_rhetorical_devices": "rich in metaphors, personification, similes, hyperboles, irony and "
    "parallelism",
    "complex_word_and_sentence_structure": "written with complex words and sentence structures",
    "use_supporting_materials": "backed by explicit supporting materials such as references, citations and "
    "statistics",
    "well_formatted": "well formatted",
    "admit_limitations": "open about your limitations and mistakes",
    "persuade_user": "persuasive",
    "step_by_step_solution": "step-by-step solutions",
    "use_informal_expressions": "informal, with emojis, slang or informal expressions",
    "non_repetitive": "non-repetitive",
    "clear_and_understandable": "clear and understandable",
    "relevance_without_considering_inaccuracy": "relevant to the query",
    "innovative_and_novel": "innovative and novel",
    "information_richness": "rich in information",
    "no_minor_errors": "free of minor errors",
    "no_moderate_errors": "free of moderate errors",
    "no_severe_errors": "free of severe errors",
    "clarify_user_intent": "clarifying the user's intent when it is unclear",
    "show_empathetic": "empathetic",
    "satisfy_constraints": "satisfying every explicit constraint of the query",
    "support_stances": "supportive of the user's explicitly stated stances",
    "correct_user_mistakes": "correcting the user's explicit mistakes or biases",
    "lengthy": "lengthy",
}


@dataclass(frozen=True)
class Arm:
    """One manipulation: its name (``top``, ``bottom``) and the properties its system prompt asks for."""

    name: str
    properties: tuple[str, ...]

    @property
    def system_prompt(self) -> str:
        """ "Your responses should be A, B and C."."""
        return manipulation_prompt(self.properties)

    def model_name(self, base: str) -> str:
        """The name of model ``base`` under this arm's system prompt: ``<base>+<arm>``."""
        return f"{base}+{self.name}"


@dataclass
class ManipulationResult:
    """``arms``: one row per arm (score, change with its interval, answer lengths); ``contrast``: top minus
    bottom score with its interval (None without both arms); ``per_item``: P(manipulated preferred) per arm
    and item; and the records made."""

    arms: pd.DataFrame
    contrast: dict[str, float] | None
    per_item: pd.DataFrame
    level: float
    judgments: list[Judgment] = field(default_factory=list)
    generations: list[Generation] = field(default_factory=list)


def manipulation_prompt(properties: Sequence[str]) -> str:
    """The system prompt that asks for ``properties``: "Your responses should be A, B and C."."""
    unknown = [p for p in properties if p not in PROMPT_PHRASES]
    if unknown or not properties:
        raise DataError(f"unknown or no properties {unknown}; choose from {', '.join(PROMPT_PHRASES)}")
    phrases = [PROMPT_PHRASES[p] for p in properties]
    listed = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return f"Your responses should be {listed}."


def judge_profile(weights: pd.DataFrame, source: str, scenarios: Iterable[str] | None = None) -> pd.Series:
    """A source's preference score per property (0-100), averaged over ``scenarios`` (default: the original's
    11 where present, else all), highest first."""
    if source not in set(weights["source"]):
        known = ", ".join(sorted(set(weights["source"]))[:8])
        raise DataError(f"no weights for source {source!r} (e.g. {known})")
    chosen = scenarios_in(weights[weights["source"] == source], scenarios)
    scores = preference_scores(weights)
    rows = scores[(scores["source"] == source) & scores["scenario"].isin(chosen)]
    unknown = [c for c in property_columns(weights) if c not in PROMPT_PHRASES]
    if unknown:
        raise DataError(f"the weights have properties the manipulation cannot ask for: {', '.join(unknown)}")
    return rows[property_columns(weights)].astype(float).mean().sort_values(ascending=False)


def preference_arms(profile: pd.Series, k: int = 3) -> list[Arm]:
    """The ``top`` arm (the k most preferred properties) and the ``bottom`` arm (the k least preferred)."""
    if not 1 <= k <= len(profile) // 2:
        raise ConfigError(f"k must be between 1 and {len(profile) // 2} (half the {len(profile)} properties)")
    return [Arm("top", tuple(profile.index[:k])), Arm("bottom", tuple(profile.index[::-1][:k]))]


def bootstrap_interval(
    values: np.ndarray, *, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (NaN, NaN for fewer than 2 values)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return float("nan"), float("nan")
    return mean_interval(values, n_boot=n_boot, level=level, seed=seed)


def score_manipulation(
    judgments: Sequence[Judgment],
    generations: Sequence[Generation],
    arms: Sequence[Arm],
    base: str,
    n_items: int,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> ManipulationResult:
    """Score each arm from the pairwise ``judgments`` of its answers (model ``arm.model_name(base)``) against
    ``base``'s (``base`` shown first unswapped) over ``n_items`` items; ``generations`` (every answer made,
    failed ones included) give the answer lengths."""
    per_item = _per_item(judgments, generations, {arm.model_name(base): arm.name for arm in arms}, base)
    rows = [_arm_row(arm, arm.model_name(base), per_item, n_items, n_boot, level, seed) for arm in arms]
    names = {arm.name for arm in arms}
    return ManipulationResult(
        arms=pd.DataFrame(rows),
        contrast=_contrast(per_item, n_boot, level, seed) if {"top", "bottom"} <= names else None,
        per_item=per_item,
        level=level,
        judgments=list(judgments),
        generations=list(generations),
    )


def _per_item(
    judgments: Sequence[Judgment], generations: Sequence[Generation], by_model: dict[str, str], base: str
) -> pd.DataFrame:
    """P(manipulated preferred) per arm and item (NaN where no order gave a verdict), with answer lengths;
    ``by_model`` maps each manipulated model's name to its arm."""
    table = pair_table(judgments)
    if table.empty:
        raise DataError("no pairwise judgment of a manipulated answer against the original to score")
    words = {(g.model, g.dataset, g.item_id): count_words(g.text) for g in generations}
    first = table[(table["turn"] == 1) & (table["model_a"] == base)]
    return pd.DataFrame(
        {
            "arm": first["model_b"].map(by_model),
            "dataset": first["dataset"],
            "item_id": first["item_id"],
            "p_manipulated": 1.0 - first["p_a"],
            "words": [
                words[(m, d, i)]
                for m, d, i in zip(first["model_b"], first["dataset"], first["item_id"], strict=True)
            ],
            "base_words": [
                words[(base, d, i)] for d, i in zip(first["dataset"], first["item_id"], strict=True)
            ],
        }
    ).reset_index(drop=True)


def _arm_row(
    arm: Arm,
    model: str,
    per_item: pd.DataFrame,
    n_items: int,
    n_boot: int,
    level: float,
    seed: int,
) -> dict[str, object]:
    rows = per_item[per_item["arm"] == arm.name]
    p = rows["p_manipulated"].dropna().to_numpy()
    low, high = bootstrap_interval(100 * p - 50, n_boot=n_boot, level=level, seed=seed)
    return {
        "arm": arm.name,
        "model": model,
        "properties": list(arm.properties),
        "system_prompt": arm.system_prompt,
        "items": n_items,
        "judged": len(p),
        "missing_pairs": n_items - len(rows),
        "no_verdict": int(rows["p_manipulated"].isna().sum()),
        "score": float(100 * p.mean()) if len(p) else float("nan"),
        "change": float(100 * p.mean() - 50) if len(p) else float("nan"),
        "change_lower": low,
        "change_upper": high,
        "mean_words": float(rows["words"].mean()) if len(rows) else float("nan"),
        "base_mean_words": float(rows["base_words"].mean()) if len(rows) else float("nan"),
    }


def _contrast(per_item: pd.DataFrame, n_boot: int, level: float, seed: int) -> dict[str, float]:
    """Top minus bottom score over the items judged in both arms, with a paired bootstrap interval."""
    wide = per_item.pivot_table(index=["dataset", "item_id"], columns="arm", values="p_manipulated").dropna()
    diff = (
        100 * (wide["top"] - wide["bottom"]).to_numpy()
        if {"top", "bottom"} <= set(wide.columns)
        else np.array([])
    )
    low, high = bootstrap_interval(diff, n_boot=n_boot, level=level, seed=seed)
    return {
        "difference": float(diff.mean()) if len(diff) else float("nan"),
        "lower": low,
        "upper": high,
        "items": int(len(diff)),
    }
