"""Text-measured properties: the original's word counts (fast, equal to NLTK's), markdown counts, labelled
heuristics."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from nltk.tokenize import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktSentenceTokenizer

from alignscope.analysis.dissection.deterministic import (
    MEASURES,
    METHODS,
    count_words,
    pair_features,
    response_measures,
)
from alignscope.analysis.dissection.released import load_sample_pairs
from alignscope.data.formats.alpaca_eval_results import bundled_annotations, bundled_models

FORMATTED = """# Plan

First, gather the data. Then, clean it. Finally, fit the model.

## Steps
1. **Load** the file
2. Check the __columns__
- one more item

| a | b |
|---|---|
| 1 | 2 |

```python
# not a heading
- not a list item
```
"""


def test_word_counts_match_the_counts_shipped_with_the_original() -> None:
    for pair in load_sample_pairs():
        for field in ("prompt", "response_a", "response_b"):
            assert count_words(pair[field]) == pair[f"{field} word"]


def nltk_count(text: str) -> int:
    """The count as NLTK itself gives it: word tokens of each Punkt sentence."""
    return sum(len(NLTKWordTokenizer().tokenize(s)) for s in PunktSentenceTokenizer().tokenize(text))


@pytest.fixture(scope="module")
def shipped_texts() -> list[str]:
    """The original's sample pairs and a seeded sample of the bundled AlpacaEval instructions and outputs
    (every one of the 31,380 was checked once, by the same comparison)."""
    annotations = bundled_annotations(bundled_models())
    texts = pd.unique(
        pd.concat([annotations[c] for c in ("instruction", "output_1", "output_2")]).astype(str)
    )
    sample = random.Random(0).sample(list(texts), 500)
    return [p[f] for p in load_sample_pairs() for f in ("prompt", "response_a", "response_b")] + sample


def test_fast_word_counts_equal_nltk_on_shipped_texts(shipped_texts) -> None:
    assert [count_words(t) for t in shipped_texts] == [nltk_count(t) for t in shipped_texts]


# Pieces that exercise every rule of the two tokenizers: abbreviations, initials, numbers, quotes of every
# kind at sentence starts and ends, contractions, brackets, dashes, ellipses, and newlines or other whitespace
# inside and between sentences.
PIECES = [
    "Mr.", "Dr.", "A.", "U.S.", "e.g.", "end.", "Hello", "world", "x", "Y", "é", "1", "2023.", "$3.88",
    "3,36", "1.", "2)", "-", "can", "not", "cannot", "gonna", "wanna", "lemme", "gimme", "d'ye", "more'n",
    "whaddya", "'tis", "'t", "is", "it's", "don't", "I'm", "'", "''", '"', "``", "`", "“", "”", "‘", "’",
    "«", "»", "„", ",", ":", ";", "?", "!", ".", "..", "...", "--", "—", "(", ")", "[", "]", "{", "}", "<",
    ">", "*", "**", "#", "\n", "\n\n", "\t", "\r\n", "\u2028", "\x0b", "\u00a0", " ", "  ",
]  # fmt: skip


def test_fast_word_counts_equal_nltk_on_adversarial_texts() -> None:
    rng = random.Random(1)
    joins = ["", " ", " ", "\n", ". ", "? ", "! "]
    texts = [
        "".join(rng.choice(PIECES) + rng.choice(joins) for _ in range(rng.randint(1, 40))) for _ in range(800)
    ]
    assert [count_words(t) for t in texts] == [nltk_count(t) for t in texts]


def test_markdown_counts_and_heuristics() -> None:
    row = response_measures([FORMATTED, "Just a plain sentence."]).to_dict("records")

    assert row[0]["headers"] == 2
    assert row[0]["lists"] == 3
    assert row[0]["bold"] == 2
    assert row[0]["tables"] == 1
    assert row[0]["code_blocks"] == 1
    assert row[0]["well_formatted_heuristic"] == 3
    assert row[0]["step_by_step_heuristic"] == 2  # First, Then, Finally: 3 markers
    assert row[1]["well_formatted_heuristic"] == 0 and row[1]["step_by_step_heuristic"] == 0


def test_heuristics_are_labelled_as_such() -> None:
    heuristic = {name for name, how in METHODS.items() if how.startswith("heuristic")}
    assert heuristic == {"well_formatted_heuristic", "step_by_step_heuristic"}
    assert all(name.endswith("_heuristic") for name in heuristic)
    assert METHODS["lengthy"] == "original rule on word counts"


def test_pair_features_compare_the_two_responses() -> None:
    pairs = load_sample_pairs()
    features = pair_features([p["response_a"] for p in pairs], [p["response_b"] for p in pairs])

    assert list(features.columns) == ["lengthy", *MEASURES[1:]]
    assert features["lengthy"].tolist() == [1, 1]  # A is much longer in both of the original's samples
    swapped = pair_features([FORMATTED], ["plain"])
    assert (swapped.iloc[0] >= 0).all() and swapped.iloc[0]["well_formatted_heuristic"] == 1
