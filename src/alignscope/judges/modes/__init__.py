"""Judge modes: for each mode, what its judge is asked, how its calls are built and run, and what its verdicts
are for. A mode is a :class:`JudgeMode` registered under its name (``register_judge_mode`` or the
``@judge_mode`` decorator on its call builder). The built-in modes are the modules of this package, found on
the first look-up; installed plugins add theirs through the ``alignscope.plugins`` entry point group.

``kind`` says what a verdict is about and where the analysis layer puts it:

- ``pair``: two answers to one item (``preference`` = P(answer shown first preferred)): the pairs and
  battles tables (win rates, LC win rates, ratings, position and length bias);
- ``single``: one answer (``score``): the battles table, as per-prompt score comparisons;
- ``meta``: two judgments of one answer: meta-judge tables only (Meta-Rewarding);
- ``annotator``: structured annotations of queries and answers: preference dissection only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from alignscope.plugins import Registry
from alignscope.records import Judgment

if TYPE_CHECKING:
    from alignscope.judges.run import JudgeJob

Kind = Literal["pair", "single", "meta", "annotator"]
KINDS: tuple[str, ...] = ("pair", "single", "meta", "annotator")
CallBuilder = Callable[["JudgeJob"], list[Judgment]]
Summariser = Callable[[Sequence[Judgment]], dict[str, Any]]


def judged_model(j: Judgment) -> str:
    """What a Judgment is about: the answer's model, or the judged side of a pair (the baseline being the
    answer shown first unswapped)."""
    if j.model_b is None:
        return j.model_a
    return j.model_a if j.swapped else j.model_b


def judgment_variant(j: Judgment) -> str:
    """The store's variant key of a Judgment: turn, sample and order, so that none overwrites another."""
    parts = [f"turn{j.fields['turn']}"] if "turn" in j.fields else []
    if "sample" in j.fields:
        parts.append(f"sample{j.fields['sample']}")
    if j.swapped:
        parts.append("swapped")
    return "/".join(parts)


def no_summary(judgments: Sequence[Judgment]) -> dict[str, Any]:
    """A summariser adding nothing to the counts every mode's summary has."""
    return {}


@dataclass(frozen=True)
class JudgeMode:
    """A judge mode. ``judge`` builds and runs the calls of a :class:`~alignscope.judges.run.JudgeJob` and
    returns its Judgments (failures included); ``template`` is the default template (None: one must be
    given); ``summarise`` gives the extra columns of one judged model's row in ``alignscope judge``'s summary;
    ``subject`` names what a Judgment is about (the row it counts in); ``variant`` is its store key among
    the judgments of one item (two Judgments with the same key overwrite each other)."""

    name: str
    kind: Kind
    judge: CallBuilder
    template: str | None = None
    summarise: Summariser = no_summary
    subject: Callable[[Judgment], str] = judged_model
    variant: Callable[[Judgment], str] = judgment_variant
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"judge mode {self.name!r}: kind must be one of {', '.join(KINDS)}")


JUDGE_MODES: Registry[JudgeMode] = Registry("mode", packages=[__name__])


def register_judge_mode(mode: JudgeMode) -> JudgeMode:
    """Register ``mode`` under its name (ConfigError if the name is taken) and return it."""
    return JUDGE_MODES.register(mode.name, mode)


def judge_mode(
    name: str,
    *,
    kind: Kind,
    template: str | None = None,
    summarise: Summariser = no_summary,
    subject: Callable[[Judgment], str] = judged_model,
    variant: Callable[[Judgment], str] = judgment_variant,
    description: str = "",
) -> Callable[[CallBuilder], CallBuilder]:
    """Decorator registering the decorated call builder as judge mode ``name`` (see :class:`JudgeMode`)."""

    def register(judge: CallBuilder) -> CallBuilder:
        about = description or (judge.__doc__ or "").strip().split("\n")[0]
        register_judge_mode(JudgeMode(name, kind, judge, template, summarise, subject, variant, about))
        return judge

    return register


def get_judge_mode(name: str) -> JudgeMode:
    """The judge mode called ``name``; ConfigError naming the registered modes otherwise."""
    return JUDGE_MODES.get(name)


def judge_modes(kind: Kind | None = None) -> list[JudgeMode]:
    """The registered judge modes (of ``kind`` if given), by name."""
    return [m for m in JUDGE_MODES if kind is None or m.kind == kind]


def judge_mode_names(kind: Kind | None = None) -> list[str]:
    """Names of the registered judge modes (of ``kind`` if given)."""
    return [m.name for m in judge_modes(kind)]
