"""Comparison features of a response pair (A, B), by the rules of the original's resolve_collected_data.py.

Each feature is in {+1, 0, -1}: +1 when A shows the property more than B. Ratings are 0-3 per response, in
the property's own direction (for ``non_repetitive``, 3 = not repetitive at all).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from alignscope.analysis.dissection.properties import BY_NAME, PROPERTIES, PROPERTY_NAMES, Kind, Trait
from alignscope.errors import DataError

SEVERITIES: tuple[str, ...] = ("minor", "moderate", "severe")

# Label scales of the two query-specific properties rated per item with words (original mappings).
STANCE_SCORES: dict[str, float] = {
    "strongly supported": 2,
    "weakly supported": 1,
    "neutral": 0,
    "weakly opposed": -1,
    "strongly opposed": -2,
}
CORRECTION_SCORES: dict[str, float] = {
    "pointed out and corrected": 3,
    "corrected without being pointed out": 2,
    "pointed out but not corrected": 1,
    "neither pointed out nor corrected": 0,
}

# Lengthy rule for short answers: the shorter answer (w words, w <= 11) loses when the longer has at least
# SHORT_ANSWER_LIMIT[w] words.
SHORT_ANSWER_LIMIT: dict[int, int] = {
    0: 1,
    1: 3,
    2: 5,
    3: 7,
    4: 8,
    5: 10,
    6: 11,
    7: 13,
    8: 14,
    9: 16,
    10: 17,
    11: 19,
}
# Otherwise: it loses when it is at most `ratio` times as long and at least `gap` words shorter.
LONG_ANSWER_RULES: tuple[tuple[float, int], ...] = ((0.7, 10), (0.8, 20), (0.9, 40))


@dataclass(frozen=True)
class ResponseAnnotation:
    """What the features need from one annotated response.

    ``ratings``: property name -> 0-3 rating for query-free, query-dependent and (where rated) query-specific
    properties; ``errors``: severity -> number of errors found against the reference, or None when the error
    check was not applicable; ``words``: word count (see ``words.count_words``).
    """

    ratings: Mapping[str, float]
    errors: Mapping[str, int] | None
    words: int


def sign_comparison(score_a: float, score_b: float) -> int:
    """sign(score_a - score_b)."""
    return int(np.sign(score_a - score_b))


def relevance_comparison(score_a: float, score_b: float) -> int:
    """The original's relevance rule: +1 only when A is somewhat relevant and B not at all, -1 the reverse."""
    if score_a > 0 and score_b == 0:
        return 1
    if score_a == 0 and score_b > 0:
        return -1
    return 0


def error_comparison(errors_a: int, errors_b: int) -> int:
    """+1 when A has fewer errors of a severity than B ("no ... errors" satisfied better), -1 when more."""
    return sign_comparison(errors_b, errors_a)


def lengthy_comparison(words_a: int, words_b: int) -> int:
    """The original's rule: +1 when A is substantially longer than B, -1 substantially shorter, else 0."""
    shorter, longer = sorted((words_a, words_b))
    if shorter <= 11:
        loses = longer >= SHORT_ANSWER_LIMIT[shorter]
    else:
        loses = any(shorter <= ratio * longer and longer - shorter >= gap for ratio, gap in LONG_ANSWER_RULES)
    if not loses:
        return 0
    return 1 if words_a > words_b else -1


def query_specific_rating(name: str, values: Sequence[float | str]) -> float:
    """One response's rating of a query-specific property from the annotator's per-item values (the mean).

    ``satisfy_constraints`` takes 0-3 per constraint; ``support_stances`` and ``correct_user_mistakes`` take
    the original's labels per stance or mistake (see STANCE_SCORES, CORRECTION_SCORES); the other two take one
    0-3 value.
    An unknown label raises DataError.
    """
    if BY_NAME[name].kind is not Kind.QUERY_SPECIFIC:
        raise DataError(f"{name} is not a query-specific property")
    if not values:
        raise DataError(f"{name}: no rated items")
    scale = {"support_stances": STANCE_SCORES, "correct_user_mistakes": CORRECTION_SCORES}.get(name)
    if scale is None:
        return float(np.mean([_rating(name, v) for v in values]))
    unknown = [v for v in values if str(v).strip().lower() not in scale]
    if unknown:
        raise DataError(f"{name}: unknown label {unknown[0]!r}; expected one of {', '.join(scale)}")
    return float(np.mean([scale[str(v).strip().lower()] for v in values]))


def comparison_features(
    a: ResponseAnnotation, b: ResponseAnnotation, traits: Collection[Trait | str]
) -> dict[str, int] | None:
    """The 29 comparison features of the pair (A, B), in the fixed order; None when the pair is excluded.

    Like the original, a pair whose error check was not applicable to one or both responses is excluded.
    ``traits`` are the query's traits: a query-specific feature is 0 unless its trait is present (and both
    responses were rated on it). A missing rating of any other annotated property raises DataError.
    """
    if a.errors is None or b.errors is None:
        return None
    present = _traits(traits)
    features: dict[str, int] = {}
    for prop in PROPERTIES:
        if prop.kind is Kind.ERROR:
            features[prop.name] = error_comparison(
                _count(a.errors, prop.annotator_key), _count(b.errors, prop.annotator_key)
            )
        elif prop.kind is Kind.RULE:
            features[prop.name] = lengthy_comparison(a.words, b.words)
        elif prop.kind is Kind.QUERY_SPECIFIC:
            rated = prop.name in a.ratings and prop.name in b.ratings
            features[prop.name] = (
                sign_comparison(a.ratings[prop.name], b.ratings[prop.name])
                if prop.trait in present and rated
                else 0
            )
        else:
            score_a, score_b = _required_rating(a, prop.name), _required_rating(b, prop.name)
            compare = (
                relevance_comparison
                if prop.name == "relevance_without_considering_inaccuracy"
                else sign_comparison
            )
            features[prop.name] = compare(score_a, score_b)
    return features


def feature_matrix(rows: Iterable[Mapping[str, int]]) -> np.ndarray:
    """Stack feature dicts into an (n, 29) float matrix in the fixed property order."""
    return np.array([[row[name] for name in PROPERTY_NAMES] for row in rows], dtype=float).reshape(
        -1, len(PROPERTY_NAMES)
    )


def _traits(traits: Collection[Trait | str]) -> set[Trait]:
    unknown = [t for t in traits if t not in {trait.value for trait in Trait}]
    if unknown:
        raise DataError(
            f"unknown query trait {unknown[0]!r}; expected one of {', '.join(t.value for t in Trait)}"
        )
    return {Trait(t) for t in traits}


def _rating(name: str, value: float | str) -> float:
    try:
        score = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{name}: rating {value!r} is not a number from 0 to 3") from None
    if not 0 <= score <= 3:
        raise DataError(f"{name}: rating {value!r} is outside 0-3")
    return score


def _required_rating(response: ResponseAnnotation, name: str) -> float:
    if name not in response.ratings:
        raise DataError(f"missing rating for property {name}")
    return _rating(name, response.ratings[name])


def count_errors(severities: Iterable[str]) -> dict[str, int]:
    """Errors per severity from the severity labels of the errors an annotator listed (case-insensitive)."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for severity in severities:
        key = str(severity).strip().lower()
        if key not in counts:
            raise DataError(f"unknown error severity {severity!r}; expected one of {', '.join(SEVERITIES)}")
        counts[key] += 1
    return counts


def _count(errors: Mapping[str, int], severity: str) -> int:
    unknown = [k for k in errors if k not in SEVERITIES]
    if unknown:
        raise DataError(f"unknown error severity {unknown[0]!r}; expected one of {', '.join(SEVERITIES)}")
    count = errors.get(severity, 0)
    if not isinstance(count, int | np.integer) or isinstance(count, bool) or count < 0:
        raise DataError(
            f"error count for severity {severity!r} must be a non-negative integer, got {count!r}"
        )
    return int(count)
