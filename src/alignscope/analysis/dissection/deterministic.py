"""Properties measured from a response's text without an LLM.

- ``words``: the original's word count (NLTK word tokens, punctuation included; matches the counts shipped
  with the original's data; ``words.count_words``), feeding the original ``lengthy`` rule;
- ``headers``, ``lists``, ``bold``: markdown counts as the project's Arena-Hard style features count them
  (``alignscope.analysis.style_features``); ``tables`` and ``code_blocks``: markdown tables and fenced blocks;
- ``well_formatted_heuristic``, ``step_by_step_heuristic``: 0-3 stand-ins for two annotated properties.
  They are heuristics, not the original's annotations, and every output name says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from alignscope.analysis.dissection.features import lengthy_comparison
from alignscope.analysis.dissection.words import count_words
from alignscope.analysis.style_features import MARKDOWN_COUNTS, style_counts

# How each measure is obtained; reports show this next to the numbers.
METHODS: dict[str, str] = {
    "words": "count (NLTK word tokens, as the original)",
    "headers": "count (markdown headings)",
    "lists": "count (bulleted and numbered list items)",
    "bold": "count (**bold** or __bold__ spans)",
    "tables": "count (markdown tables)",
    "code_blocks": "count (fenced code blocks)",
    "well_formatted_heuristic": "heuristic: number of kinds of formatting used (headings, lists, bold, "
    "tables, code blocks), capped at 3",
    "step_by_step_heuristic": "heuristic: explicit step markers ('Step 2', sentence-initial First/Then/Next/"
    "Finally...): 0 if under 2, 1 for 2, 2 for 3-4, 3 for 5 or more",
    "lengthy": "original rule on word counts",
}
MEASURES: tuple[str, ...] = tuple(name for name in METHODS if name != "lengthy")

_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")
_STEP_LABEL = re.compile(
    r"\bstep\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b", re.IGNORECASE
)
_SEQUENCE_WORD = re.compile(
    r"(?:^|[.!?:]\s+|\n\s*(?:[-*+]|\d{1,3}[.)])?\s*)"
    r"(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|then|next|after that|afterwards|finally|lastly)\b",
    re.IGNORECASE,
)


def response_measures(texts: Sequence[str]) -> pd.DataFrame:
    """The MEASURES of each text, one row per text in order."""
    texts = [str(t) for t in texts]
    markdown = style_counts(texts)[list(MARKDOWN_COUNTS)]
    rows = []
    for text in texts:
        prose, code_blocks = _split_code(text)
        rows.append(
            {
                "words": count_words(text),
                "tables": sum(bool(_TABLE_RULE.match(line)) for line in prose.splitlines()),
                "code_blocks": code_blocks,
                "markers": len(_STEP_LABEL.findall(prose)) + len(_SEQUENCE_WORD.findall(prose)),
            }
        )
    other = pd.DataFrame(rows, columns=["words", "tables", "code_blocks", "markers"])
    table = pd.concat(
        [other[["words"]], markdown.reset_index(drop=True), other[["tables", "code_blocks"]]], axis=1
    )
    kinds = (table[["headers", "lists", "bold", "tables", "code_blocks"]] > 0).sum(axis=1)
    table["well_formatted_heuristic"] = kinds.clip(upper=3)
    table["step_by_step_heuristic"] = np.digitize(other["markers"], [2, 3, 5])
    return table[list(MEASURES)].astype(int)


def compare_measures(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Pair features in {+1, 0, -1} from aligned rows of two ``response_measures`` tables: ``lengthy`` by the
    original rule, and the sign of the difference of every other measure (words excluded)."""
    features = {"lengthy": [lengthy_comparison(x, y) for x, y in zip(a["words"], b["words"], strict=True)]}
    for name in MEASURES[1:]:
        features[name] = np.sign(a[name].to_numpy() - b[name].to_numpy())
    return pd.DataFrame(features).astype(int)


def pair_features(texts_a: Sequence[str], texts_b: Sequence[str]) -> pd.DataFrame:
    """Comparison features of aligned pairs of responses (see ``compare_measures``), one row per pair."""
    return compare_measures(response_measures(texts_a), response_measures(texts_b))


def _split_code(text: str) -> tuple[str, int]:
    """The text outside fenced code blocks, and the number of fenced blocks."""
    kept, blocks, inside = [], 0, False
    for line in text.splitlines():
        if _FENCE.match(line):
            inside = not inside
            blocks += inside
            continue
        if not inside:
            kept.append(line)
    return "\n".join(kept), blocks
