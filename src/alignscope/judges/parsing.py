"""Verdict parsers: strict readers of judge outputs. A text that does not hold exactly one well-formed verdict
raises VerdictParseError with the reason; the caller keeps the raw text and counts the failure.

Pairwise verdicts are canonical strings in the judge's frame (A shown first): the Arena-Hard scale
"A>>B", "A>B", "A=B", "B>A", "B>>A", or plain "A", "B", "tie". ``preference_of`` maps them to P(A preferred).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from alignscope.plugins import Registry

GRADED = ("A>>B", "A>B", "A=B", "B>A", "B>>A")
PLAIN = ("A", "B", "tie")
PAIRWISE_VERDICTS = (*GRADED, *PLAIN)
CRITERIA = ("correctness", "completeness", "safety", "conciseness", "style")
_PREFERENCE = {"A>>B": 1.0, "A>B": 1.0, "A": 1.0, "A=B": 0.5, "tie": 0.5, "B>A": 0.0, "B>>A": 0.0, "B": 0.0}
_STRENGTH = {"A>>B": 2, "A>B": 1, "A=B": 0, "B>A": 1, "B>>A": 2}
# Equivalent spellings of the graded scale (judges write B<A for A>B, B=A for A=B, ...).
_SYNONYMS = {"B<A": "A>B", "B<<A": "A>>B", "B=A": "A=B", "A<B": "B>A", "A<<B": "B>>A"}


class VerdictParseError(ValueError):
    """A judge output without exactly one well-formed verdict; the message says why, ``partial`` holds what
    could be read (kept with the failure for diagnosis)."""

    def __init__(self, reason: str, partial: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.partial = partial or {}


@dataclass(frozen=True)
class Parsed:
    """What a parser read: a verdict (pairwise, meta) or a score (pointwise, rubric), and extra fields."""

    verdict: str | None = None
    score: float | None = None
    fields: dict[str, Any] = field(default_factory=dict)


Parser = Callable[[str, Mapping[str, Any] | None], Parsed]
VERDICT_PARSERS: Registry[Parser] = Registry("parser")


def register_verdict_parser(name: str, parser: Parser) -> Parser:
    """Register ``parser`` (text, template labels -> Parsed, or VerdictParseError) as ``name``, the name
    templates give in their ``parser:`` header; ConfigError if the name is taken."""
    return VERDICT_PARSERS.register(name, parser)


def verdict_parser(name: str) -> Callable[[Parser], Parser]:
    """Decorator registering the decorated function as verdict parser ``name``."""
    return VERDICT_PARSERS.decorator(name)


def get_verdict_parser(name: str) -> Parser:
    """The verdict parser called ``name``; ConfigError naming the registered parsers otherwise."""
    return VERDICT_PARSERS.get(name)


def preference_of(verdict: str) -> float:
    """P(A preferred) of a canonical verdict: 1 if A wins (either strength), 0.5 for a tie, 0 if B wins."""
    return _PREFERENCE[verdict]


def strength_of(verdict: str) -> int:
    """How strongly a graded verdict prefers its winner: 2 (>>), 1 (>) or 0 (tie); plain verdicts count 1."""
    return _STRENGTH.get(verdict, 0 if verdict == "tie" else 1)


def _one(found: list[str], what: str) -> str:
    distinct = list(dict.fromkeys(found))
    if not distinct:
        raise VerdictParseError(f"no {what} found")
    if len(distinct) > 1:
        raise VerdictParseError(f"conflicting {what}s: {', '.join(distinct[:4])}")
    return distinct[0]


def _graded(token: str, what: str) -> str:
    token = _SYNONYMS.get(token, token)
    if token not in GRADED:
        raise VerdictParseError(f"malformed {what} {token!r} (expected one of {', '.join(GRADED)})")
    return token


@verdict_parser("verdict_5")
def parse_verdict_5(text: str, labels: Mapping[str, Any] | None = None) -> Parsed:
    """Arena-Hard's five-level verdict ``[[A>>B]]`` .. ``[[B>>A]]``: exactly one distinct label in the text"""
    token = _one([t.strip() for t in re.findall(r"\[\[([AB<>= ]+)\]\]", text)], "[[verdict]]")
    return Parsed(verdict=_graded(token.replace(" ", ""), "verdict"))


@verdict_parser("verdict_abc")
def parse_verdict_abc(text: str, labels: Mapping[str, Any] | None = None) -> Parsed:
    """MT-Bench pairwise verdict: exactly one of ``[[A]]``, ``[[B]]``, ``[[C]]`` (C is a tie)."""
    token = _one(re.findall(r"\[\[([ABC])\]\]", text), "[[A]]/[[B]]/[[C]] verdict")
    return Parsed(verdict={"A": "A", "B": "B", "C": "tie"}[token])


@verdict_parser("model_identifier")
def parse_model_identifier(text: str, labels: Mapping[str, Any] | None = None) -> Parsed:
    """AlpacaEval-style answer: the whole output (quotes and spaces stripped) is one of the template's labels
    (case-sensitive, e.g. m / M), mapped to its verdict."""
    if not labels:
        raise VerdictParseError("the template defines no labels to match the output against")
    answer = text.strip().strip("\"'`").strip()
    if answer not in labels:
        raise VerdictParseError(f"output is not exactly one of {', '.join(map(repr, labels))}")
    return Parsed(verdict=str(labels[answer]))


@verdict_parser("label_name")
def parse_label_name(text: str, labels: Mapping[str, Any] | None = None) -> Parsed:
    """A class-label answer (XSTest's ``2_full_refusal``): the output names exactly one distinct label value
    of the template (as a whole word), or is exactly one label key ("2"); that value is the verdict."""
    if not labels:
        raise VerdictParseError("the template defines no labels to match the output against")
    answer = text.strip().strip("\"'`.").strip()
    if answer in labels:
        return Parsed(verdict=str(labels[answer]))
    names = [str(v) for v in labels.values()]
    pattern = r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?!\w)"
    return Parsed(verdict=_one(re.findall(pattern, text), "class label"))


def _number(token: str, low: float, high: float, what: str) -> float:
    value = float(token)
    if not low <= value <= high:
        raise VerdictParseError(f"{what} {token} outside [{low:g}, {high:g}]")
    return value


@verdict_parser("rating_10")
def parse_rating_10(text: str, labels: Mapping[str, Any] | None = None) -> Parsed:
    """MT-Bench single-answer rating ``[[k]]`` (FastChat falls back to ``[k]``): one distinct value, 1..10."""
    found = re.findall(r"\[\[(\d+\.?\d*)\]\]", text) or re.findall(r"\[(\d+\.?\d*)\]", text)
    token = _one([str(float(t)) for t in found], "[[rating]]")
    return Parsed(score=_number(token, 1, 10, "rating"))


@verdict_parser("score_5")
def parse_score_5(text: str, labels: Mapping[str, Any] | None = None) -> Parsed:
    """Self-Rewarding additive rubric: ``Score: k`` with one distinct k in 0..5."""
    found = re.findall(r"Score\s*:\s*\**\s*(\d+(?:\.\d+)?)", text, flags=re.IGNORECASE)
    token = _one([str(float(t)) for t in found], "'Score: k'")
    return Parsed(score=_number(token, 0, 5, "score"))


@verdict_parser("criteria")
def parse_criteria(text: str, labels: Mapping[str, Any] | None = None) -> Parsed:
    """SOS-Bench multi-criteria judgment: ``Correctness: ((A>B))`` .. ``Style: ((..))`` for every criterion,
    then the overall ``[[..]]`` verdict. Fails if any is missing or conflicting (the ones read are kept)."""
    criteria: dict[str, str] = {}
    problems = []
    for name in CRITERIA:
        pattern = rf"(?:\*\*)?{name}(?:\*\*)?\s*(?::|：)\s*\(\(([AB<>= ]+)\)\)"
        try:
            token = _one([t.replace(" ", "") for t in re.findall(pattern, text, flags=re.IGNORECASE)], name)
            criteria[name] = _graded(token, f"{name} verdict")
        except VerdictParseError as exc:
            problems.append(str(exc))
    try:
        overall = parse_verdict_5(text).verdict
    except VerdictParseError as exc:
        problems.append(f"overall: {exc}")
        overall = None
    if problems:
        raise VerdictParseError("; ".join(problems), {"criteria": criteria, "overall": overall})
    return Parsed(verdict=overall, fields={"criteria": criteria})


@verdict_parser("meta_winner")
def parse_meta_winner(text: str, labels: Mapping[str, Any] | None = None) -> Parsed:
    """Meta-Rewarding meta-judge: ``Winner: Judgement A`` (or Judgment, with or without brackets), one
    distinct;
    an echo of the format (``Winner: [Judgement A | Judgement B]``) is no verdict."""
    found = re.findall(r"Winner\s*:\s*\**\s*\[?\s*Judge?ment\s*([AB])\b(?!\s*\|)", text, flags=re.IGNORECASE)
    return Parsed(verdict=_one([t.upper() for t in found], "'Winner: Judgment A|B'"))


@verdict_parser("json_object")
def parse_json_object(text: str, labels: Mapping[str, Any] | None = None) -> Parsed:
    """Structured output: exactly one JSON object in the text (fenced or not), as ``fields["json"]``."""
    fenced = re.findall(r"```(?:json)?\s*(\{.*?\})\s*```", text, flags=re.DOTALL)
    if not fenced and "{" in text:
        fenced = [text[text.find("{") : text.rfind("}") + 1]]  # the outermost braces of unfenced output
    candidates = fenced
    objects = []
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError as exc:
            raise VerdictParseError(f"invalid JSON ({exc.msg} at character {exc.pos})") from None
        if isinstance(value, dict):
            objects.append(value)
    if len(objects) != 1:
        raise VerdictParseError("no JSON object found" if not objects else "more than one JSON object")
    return Parsed(fields={"json": objects[0]})


@dataclass(frozen=True)
class Conclusion:
    """How a verdict in a parser's format ends: ``text`` written after the judge's own output, then one of
    ``labels`` (label -> score or canonical verdict). A judge that wrote no verdict is scored by the
    likelihood of each label there (:mod:`alignscope.judges.conclusion`)."""

    text: str
    labels: dict[str, float | str]


CONCLUSIONS: Registry[Conclusion] = Registry("verdict conclusion")


def register_conclusion(parser: str, conclusion: Conclusion) -> Conclusion:
    """Register how the verdicts of the parser called ``parser`` are concluded; ConfigError if taken."""
    return CONCLUSIONS.register(parser, conclusion)


register_conclusion("score_5", Conclusion("\nScore: ", {str(k): float(k) for k in range(6)}))
register_conclusion("rating_10", Conclusion("\n\nRating: [[", {f"{k}]]": float(k) for k in range(1, 11)}))
register_conclusion("verdict_5", Conclusion("\n\nMy final verdict is: [[", {f"{v}]]": v for v in GRADED}))
register_conclusion(
    "verdict_abc", Conclusion("\n\nMy final verdict is: [[", {"A]]": "A", "B]]": "B", "C]]": "tie"})
)


def parse(parser: str, text: str, labels: Mapping[str, Any] | None = None) -> Parsed:
    """Run the parser called ``parser`` on ``text``; VerdictParseError when it holds no valid verdict."""
    return get_verdict_parser(parser)(text, labels)
