"""Scenario groups of "Dissecting Human and LLM Preferences": every query is labelled with one of Auto-J's
scenarios, and the scenarios are merged into the original's 10 groups + Others (``SCENARIO_GROUPS``). The
``scenario`` judge mode (template ``scenario-groups``, which lists each group with the definitions of its
Auto-J scenarios) asks a judge model for the group directly; this module holds the merge, the mapping of
benchmark categories to groups that checks the classifier, and its accuracy.

Sources: the scenario names and definitions are Auto-J's (GAIR-NLP/auto-j @c272c38,
other_resources/constants.py, ``SUPPORTED_SCENARIOS``); the merge is the original's ``scenario_group`` table
(Auto-J's own grouping re-cut into the 11 groups the released weights use: Summarization and Rewriting folded
into NLP Tasks, General Communication split into Communication, Knowledge-aware, Advice and Daily Tasks,
``rejecting`` as Unsafe Queries, everything else Others).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from alignscope.analysis.bootstrap import mean_interval
from alignscope.analysis.dissection.properties import SCENARIOS
from alignscope.errors import DataError

OTHERS = "Others"

# Group -> the Auto-J scenarios merged into it (Auto-J's ``others`` and ``peer_review`` fall to Others).
SCENARIO_GROUPS: dict[str, tuple[str, ...]] = {
    "Advice": ("asking_how_to_question", "seeking_advice"),
    "Code": (
        "code_simplification",
        "code_generation",
        "explaining_code",
        "code_correction_rewriting",
        "code_to_code_translation",
    ),
    "Communication": ("value_judgement", "chitchat"),
    "Creative Writing": (
        "writing_song_lyrics",
        "writing_social_media_post",
        "writing_blog_post",
        "writing_personal_essay",
        "creative_writing",
        "writing_advertisement",
        "writing_marketing_materials",
        "writing_presentation_script",
        "counterfactual",
    ),
    "Daily Tasks": ("analyzing_general", "roleplay", "planning", "recommendation", "brainstorming"),
    "Exam Questions": (
        "math_reasoning",
        "solving_exam_question_with_math",
        "solving_exam_question_without_math",
    ),
    "Functional Writing": (
        "writing_product_description",
        "writing_job_application",
        "writing_news_article",
        "writing_biography",
        "writing_email",
        "writing_legal_document",
        "writing_technical_document",
        "writing_scientific_paper",
        "functional_writing",
        "writing_cooking_recipe",
    ),
    "Knowledge-aware": ("open_question", "explaining_general", "verifying_fact"),
    "NLP Tasks": (
        "ranking",
        "text_to_text_translation",
        "classification_identification",
        "title_generation",
        "question_generation",
        "reading_comprehension",
        "keywords_extraction",
        "information_extraction",
        "topic_modeling",
        "data_analysis",
        "post_summarization",
        "text_summarization",
        "note_summarization",
        "text_simplification",
        "language_polishing",
        "instructional_rewriting",
        "text_correction",
        "paraphrasing",
    ),
    "Others": ("others", "peer_review"),
    "Unsafe Queries": ("rejecting",),
}
GROUP_OF: dict[str, str] = {s: group for group, names in SCENARIO_GROUPS.items() for s in names}

# Benchmark categories -> the group of the Auto-J scenario their prompts are (by the benchmarks' own
# descriptions). MT-Bench's 8 categories; Vicuna-bench's 9. Mixed categories go to their most common scenario:
# MT-Bench writing (blog posts, stories, poems, a persuasive email) -> Creative Writing; Vicuna-bench writing
# (formal emails, letters, announcements, reviews) -> Functional Writing; common-sense and knowledge questions
# -> Knowledge-aware (open_question / explaining_general); Fermi estimates and reasoning puzzles -> Exam
# Questions (math_reasoning / solving_exam_question_*); generic "how can I ..." questions -> Advice.
CATEGORY_GROUPS: dict[str, dict[str, str]] = {
    "mt_bench": {
        "writing": "Creative Writing",
        "roleplay": "Daily Tasks",
        "reasoning": "Exam Questions",
        "math": "Exam Questions",
        "coding": "Code",
        "extraction": "NLP Tasks",
        "stem": "Knowledge-aware",
        "humanities": "Knowledge-aware",
    },
    "vicuna_bench": {
        "generic": "Advice",
        "knowledge": "Knowledge-aware",
        "roleplay": "Daily Tasks",
        "common-sense": "Knowledge-aware",
        "fermi": "Exam Questions",
        "counterfactual": "Creative Writing",
        "coding": "Code",
        "math": "Exam Questions",
        "writing": "Functional Writing",
    },
}


def group_of(scenario: str) -> str:
    """The group of an Auto-J scenario name (or a group name itself); unknown scenarios are Others."""
    return scenario if scenario in SCENARIO_GROUPS else GROUP_OF.get(scenario, OTHERS)


def known_group(dataset: str, category: str | None) -> str | None:
    """The group of a benchmark item's category (None where the data set or category has no mapping)."""
    return CATEGORY_GROUPS.get(dataset, {}).get(category or "")


@dataclass(frozen=True)
class ScenarioAccuracy:
    """Accuracy of predicted groups against known ones, with a percentile bootstrap interval over queries,
    the majority-class baseline (always predicting the commonest known group), and per-group recall."""

    n: int
    accuracy: float
    lower: float
    upper: float
    majority_group: str
    majority_baseline: float
    recall: dict[str, float]
    confusion: dict[str, dict[str, int]]


def scenario_accuracy(
    predicted: Sequence[str], known: Sequence[str], *, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> ScenarioAccuracy:
    """Accuracy of ``predicted`` against ``known`` groups (same order)."""
    if len(predicted) != len(known) or not known:
        raise DataError("need one predicted group per query with a known group, and at least one query")
    pred, true = np.asarray(predicted, dtype=object), np.asarray(known, dtype=object)
    hits = (pred == true).astype(float)
    low, high = mean_interval(hits, n_boot=n_boot, level=level, seed=seed)
    groups, counts = np.unique(true, return_counts=True)
    majority = str(groups[int(np.argmax(counts))])
    confusion: dict[str, dict[str, int]] = {}
    for t, p in zip(true, pred, strict=True):
        row = confusion.setdefault(str(t), {})
        row[str(p)] = row.get(str(p), 0) + 1
    return ScenarioAccuracy(
        n=len(hits),
        accuracy=float(hits.mean()),
        lower=low,
        upper=high,
        majority_group=majority,
        majority_baseline=float(counts.max() / len(true)),
        recall={str(g): float(hits[true == g].mean()) for g in groups},
        confusion=confusion,
    )


def check_groups(labels: Mapping[str, str]) -> None:
    """DataError unless ``labels`` (template label -> group) name exactly the original's 11 groups."""
    if sorted(labels.values()) != sorted(SCENARIOS):
        raise DataError(f"scenario labels {sorted(labels.values())} are not the groups {list(SCENARIOS)}")
