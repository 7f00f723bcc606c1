"""Verdicts from next-token probabilities: P(label) at the first verdict token, normalised over the labels.

The first verdict token is the first generated position whose top alternatives include any label (the judge
is asked to answer with the label only, so this is normally position 0). Token strings are compared after
stripping whitespace and the tokenizers' space markers; labels are case-sensitive (AlpacaEval's m / M).
Where no position carries a label, :func:`distribution_from_loglikelihoods` gives the exact distribution from
the log-likelihood of each label as the continuation: together they never fail to give a verdict.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from alignscope.backends.base import Backend, LoglikelihoodRequest, TokenLogprob
from alignscope.engine.runner import Engine
from alignscope.judges.parsing import PAIRWISE_VERDICTS, preference_of
from alignscope.records import Message

_SPACE_MARKERS = " \t\n\r▁Ġ"


@dataclass(frozen=True)
class LabelDistribution:
    """Normalised probabilities of the labels, the raw probability mass they held, and where it came from."""

    probs: dict[str, float]
    mass: float
    position: int | None
    source: str

    def top(self) -> str:
        """The most probable label."""
        return max(self.probs, key=lambda k: self.probs[k])

    def expected(self, values: Mapping[str, float]) -> float:
        """The probability-weighted mean of ``values`` (label -> number)."""
        return sum(p * values[label] for label, p in self.probs.items())


def normalise_token(token: str) -> str:
    """A token string without surrounding whitespace or tokenizer space markers."""
    return token.strip(_SPACE_MARKERS)


def label_distribution(
    tokens: Sequence[TokenLogprob] | None, labels: Iterable[str]
) -> LabelDistribution | None:
    """The label distribution at the first generated position whose alternatives include a label; None if no
    position does (or the backend returned no log-probabilities)."""
    wanted = list(labels)
    for position, tok in enumerate(tokens or []):
        alternatives = dict(tok.top)
        alternatives.setdefault(tok.token, tok.logprob)
        raw = {label: 0.0 for label in wanted}
        for text, logprob in alternatives.items():
            key = normalise_token(text)
            if key in raw:
                raw[key] += math.exp(logprob)
        mass = sum(raw.values())
        if mass > 0:
            return LabelDistribution({k: v / mass for k, v in raw.items()}, mass, position, "top_logprobs")
    return None


def distribution_from_loglikelihoods(logprobs: Mapping[str, float]) -> LabelDistribution:
    """The label distribution from each label's log-likelihood as the answer's continuation."""
    top = max(logprobs.values())
    raw = {label: math.exp(lp - top) for label, lp in logprobs.items()}
    total = sum(raw.values())
    mass = total * math.exp(top)
    return LabelDistribution({k: v / total for k, v in raw.items()}, mass, None, "loglikelihood")


def label_distributions(
    engine: Engine,
    backend: Backend,
    asks: Sequence[tuple[Sequence[Message], str, Sequence[str]]],
    desc: str,
) -> list[LabelDistribution | str]:
    """Per ask ``(context, prefix, labels)``: the distribution of its labels from the log-likelihood of
    ``prefix + label`` as the continuation of ``context`` (one engine call for all), or the error of a
    request that failed."""
    requests = [
        LoglikelihoodRequest(context=tuple(context), continuation=prefix + label)
        for context, prefix, labels in asks
        for label in labels
    ]
    outcomes = engine.loglikelihood(backend, requests, desc=desc) if requests else []
    out: list[LabelDistribution | str] = []
    start = 0
    for _, _, labels in asks:
        chunk = outcomes[start : start + len(labels)]
        start += len(labels)
        errors = [r.error for r in chunk if r.error is not None]
        if errors:
            out.append(errors[-1])
            continue
        out.append(
            distribution_from_loglikelihoods(
                {label: r.result.logprob for label, r in zip(labels, chunk, strict=True)}
            )
        )
    return out


def verdict_values(labels: dict[str, Any], dist: LabelDistribution) -> dict[str, Any]:
    """Numeric labels give the expected score; verdict labels the most probable verdict, and P(A preferred)
    when they are pairwise verdicts."""
    fields = {
        "label_probs": {k: round(v, 6) for k, v in dist.probs.items()},
        "label_mass": dist.mass,
        "verdict_position": dist.position,
        "logprob_source": dist.source,
    }
    if all(isinstance(v, int | float) for v in labels.values()):
        return {"score": dist.expected({k: float(v) for k, v in labels.items()}), "fields": fields}
    by_verdict: dict[str, float] = {}
    for label, p in dist.probs.items():
        by_verdict[str(labels[label])] = by_verdict.get(str(labels[label]), 0.0) + p
    values: dict[str, Any] = {"verdict": max(by_verdict, key=lambda v: by_verdict[v]), "fields": fields}
    if all(v in PAIRWISE_VERDICTS for v in by_verdict):
        values["preference"] = sum(p * preference_of(v) for v, p in by_verdict.items())
    return values
