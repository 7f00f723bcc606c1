"""The 29 properties of "Dissecting Human and LLM Preferences" (Li et al., 2024), in the original's order.

Kinds, as the original annotates them:
- ``query_free``: rated 0-3 per response without showing the query;
- ``query_dependent``: rated 0-3 per response with the query (relevance, novelty);
- ``error``: compares counts of errors of one severity, listed by an annotator against a reference answer;
- ``query_specific``: rated only when the query has the property's trait, else the feature is 0;
- ``rule``: computed without an annotator (``lengthy``, from word counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How a property is obtained."""

    QUERY_FREE = "query_free"
    QUERY_DEPENDENT = "query_dependent"
    ERROR = "error"
    QUERY_SPECIFIC = "query_specific"
    RULE = "rule"


class Trait(StrEnum):
    """A query trait that activates a query-specific property; values are the original's case names."""

    UNCLEAR_INTENT = "intent_unclear"
    EXPRESSES_FEELINGS = "express_feeling"
    EXPLICIT_CONSTRAINTS = "w_constraints"
    SUBJECTIVE_STANCES = "w_stances"
    MISTAKES_OR_BIASES = "w_mistakes"


@dataclass(frozen=True)
class Property:
    """One property: snake_case ``name`` (the column name in tables), the key the original annotator outputs,
    its kind, for query-specific properties the query trait that activates it, and the paper's ``label``
    (default: the name with spaces for underscores).

    ``inverted`` marks the one property the original annotator rates in the opposite direction (it asks how
    *repetitive* a response is; the feature is ``non_repetitive``).
    """

    name: str
    annotator_key: str
    kind: Kind
    trait: Trait | None = None
    inverted: bool = False
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " "))


PROPERTIES: tuple[Property, ...] = (
    Property("harmless", "harmlessness", Kind.QUERY_FREE),
    Property("grammatically_correct", "grammar, spelling, punctuation, and code-switching", Kind.QUERY_FREE),
    Property("friendly", "friendly", Kind.QUERY_FREE),
    Property("polite", "polite", Kind.QUERY_FREE),
    Property("interactive", "interactive", Kind.QUERY_FREE),
    Property("authoritative_tone", "authoritative tone", Kind.QUERY_FREE),
    Property("funny_and_humorous", "funny and humorous", Kind.QUERY_FREE),
    Property(
        "use_rhetorical_devices",
        "metaphors, personification, similes, hyperboles, irony, parallelism",
        Kind.QUERY_FREE,
    ),
    Property(
        "complex_word_and_sentence_structure", "complex word usage and sentence structure", Kind.QUERY_FREE
    ),
    Property("use_supporting_materials", "use of direct and explicit supporting materials", Kind.QUERY_FREE),
    Property("well_formatted", "well formatted", Kind.QUERY_FREE),
    Property("admit_limitations", "admit limitations or mistakes", Kind.QUERY_FREE),
    Property("persuade_user", "persuade user", Kind.QUERY_FREE),
    Property("step_by_step_solution", "step by step solution", Kind.QUERY_FREE),
    Property("use_informal_expressions", "use of informal expressions", Kind.QUERY_FREE),
    Property("non_repetitive", "repetitive", Kind.QUERY_FREE, inverted=True, label="non-repetitive"),
    Property("clear_and_understandable", "clear and understandable", Kind.QUERY_FREE),
    Property(
        "relevance_without_considering_inaccuracy",
        "relevance without considering inaccuracy",
        Kind.QUERY_DEPENDENT,
    ),
    Property("innovative_and_novel", "innovative and novel", Kind.QUERY_DEPENDENT),
    Property("information_richness", "information richness without considering inaccuracy", Kind.QUERY_FREE),
    Property("no_minor_errors", "minor", Kind.ERROR),
    Property("no_moderate_errors", "moderate", Kind.ERROR),
    Property("no_severe_errors", "severe", Kind.ERROR),
    Property("clarify_user_intent", "clarify user intent", Kind.QUERY_SPECIFIC, Trait.UNCLEAR_INTENT),
    Property("show_empathetic", "showing empathetic", Kind.QUERY_SPECIFIC, Trait.EXPRESSES_FEELINGS),
    Property(
        "satisfy_constraints",
        "satisfying explicit constraints",
        Kind.QUERY_SPECIFIC,
        Trait.EXPLICIT_CONSTRAINTS,
    ),
    Property(
        "support_stances",
        "supporting explicit subjective stances",
        Kind.QUERY_SPECIFIC,
        Trait.SUBJECTIVE_STANCES,
    ),
    Property(
        "correct_user_mistakes",
        "correcting explicit mistakes or biases",
        Kind.QUERY_SPECIFIC,
        Trait.MISTAKES_OR_BIASES,
    ),
    Property("lengthy", "length", Kind.RULE),
)

PROPERTY_NAMES: tuple[str, ...] = tuple(p.name for p in PROPERTIES)
PROPERTY_INDEX: dict[str, int] = {name: i for i, name in enumerate(PROPERTY_NAMES)}
BY_NAME: dict[str, Property] = {p.name: p for p in PROPERTIES}

# The original's 11 scenarios (Chatbot Arena queries grouped by topic) and its 5 query-specific cases.
SCENARIOS: tuple[str, ...] = (
    "Advice",
    "Code",
    "Communication",
    "Creative Writing",
    "Daily Tasks",
    "Exam Questions",
    "Functional Writing",
    "Knowledge-aware",
    "NLP Tasks",
    "Others",
    "Unsafe Queries",
)
QUERY_SPECIFIC_CASES: tuple[str, ...] = tuple(t.value for t in Trait)


def of_kind(kind: Kind) -> tuple[Property, ...]:
    """The properties of one kind, in the fixed order."""
    return tuple(p for p in PROPERTIES if p.kind is kind)
