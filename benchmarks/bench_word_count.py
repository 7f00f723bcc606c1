"""The original's word count (``alignscope.analysis.dissection.words.count_words``) vs NLTK itself (a Punkt
sentence split, then ``NLTKWordTokenizer`` per sentence: the baseline, measured in the same run) on every
text shipped with alignscope: the bundled AlpacaEval instructions and outputs of all models, and the
preference-dissection sample pairs. Prints ms per text for both, and how many counts differ (must be 0).

    python benchmarks/bench_word_count.py [--limit N]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
from nltk.tokenize import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktSentenceTokenizer

from alignscope.analysis.dissection.released import load_sample_pairs
from alignscope.analysis.dissection.words import count_words
from alignscope.data.formats.alpaca_eval_results import bundled_annotations, bundled_models


def shipped_texts() -> list[str]:
    """Every distinct shipped text: AlpacaEval instructions and outputs, the sample pairs' texts."""
    annotations = bundled_annotations(bundled_models())
    columns = [annotations[c] for c in ("instruction", "output_1", "output_2")]
    texts = list(pd.unique(pd.concat(columns).astype(str)))
    return texts + [p[f] for p in load_sample_pairs() for f in ("prompt", "response_a", "response_b")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Only the first N texts.")
    args = parser.parse_args()
    texts = shipped_texts()[: args.limit]
    sentences, words = PunktSentenceTokenizer(), NLTKWordTokenizer()
    count_words("Warm up.")
    start = time.perf_counter()
    baseline = [sum(len(words.tokenize(s)) for s in sentences.tokenize(t)) for t in texts]
    baseline_s = time.perf_counter() - start
    start = time.perf_counter()
    fast = [count_words(t) for t in texts]
    fast_s = time.perf_counter() - start
    differ = sum(a != b for a, b in zip(baseline, fast, strict=True))
    n, chars = len(texts), sum(map(len, texts)) / len(texts)
    print(f"{n} texts (mean {chars:.0f} characters); counts that differ: {differ}")
    print(f"NLTK (baseline): {1e3 * baseline_s / n:.3f} ms/text; alignscope: {1e3 * fast_s / n:.3f} ms/text")
    print(f"speed-up {baseline_s / fast_s:.1f}x")


if __name__ == "__main__":
    main()
