"""Concluding text verdicts that never parsed: the judge's own text, its format's ending, then each label.

A small judge often writes a judgment but never reaches the verdict line its template asks for ("Score: k",
"Rating: [[k]]", "[[A>B]]"). Instead of leaving such a judgment out, the verdict can be read from the judge
itself: the log-likelihood of each label of the parser's :class:`~alignscope.judges.parsing.Conclusion` as the
continuation of its own text, normalised over the labels. Numeric labels give the expected score, verdict
labels the most probable verdict (and P(A preferred) for pairwise ones). The judgment keeps its raw text and
its parse error (``fields["unparsed"]``); its ``parse_status`` becomes ``"logprob"``, ``score_source``
``"conclusion"``, and ``fields["concluded_text"]`` holds the text with the most probable label appended.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from alignscope.backends.base import Backend
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError
from alignscope.judges.logprob import label_distributions, verdict_values
from alignscope.judges.parsing import CONCLUSIONS
from alignscope.records import Judgment

if TYPE_CHECKING:
    from alignscope.judges.calls import JudgeCall


def concludable(judgment: Judgment) -> bool:
    """A judgment whose text came back but held no parseable verdict."""
    return (
        judgment.parse_status == "failed" and judgment.fields.get("failure") == "parse" and bool(judgment.raw)
    )


def was_unparsed(judgment: Judgment) -> bool:
    """A judgment whose text held no verdict: still failed, or scored by its conclusion."""
    return concludable(judgment) or judgment.fields.get("score_source") == "conclusion"


def conclude(
    engine: Engine,
    backend: Backend,
    calls: Sequence[JudgeCall],
    judgments: Sequence[Judgment],
    desc: str = "conclude",
) -> list[Judgment]:
    """``judgments`` (aligned with their ``calls``) with every concludable one whose parser has a conclusion
    scored by the judge's likelihood of each label after its own text; the others unchanged (all of them
    where the backend gives no log-likelihoods after chat messages)."""
    if not backend.supports_chat_loglikelihood:
        return list(judgments)
    todo = [i for i, j in enumerate(judgments) if concludable(j)]
    for i in todo:
        if calls[i].template.parser not in CONCLUSIONS:
            raise ConfigError(
                f"unparsed: conclude needs a verdict format that can be concluded (template "
                f"{calls[i].template.name!r} uses {calls[i].template.parser}; these can: "
                f"{', '.join(CONCLUSIONS.names())})"
            )
    endings = {i: CONCLUSIONS.get(calls[i].template.parser) for i in todo}
    asks = [(calls[i].messages, judgments[i].raw + endings[i].text, list(endings[i].labels)) for i in todo]
    out = list(judgments)
    for i, dist in zip(todo, label_distributions(engine, backend, asks, desc), strict=True):
        if isinstance(dist, str):  # a failed request: the judgment stays unparsed
            continue
        values = verdict_values(endings[i].labels, dist)
        j = judgments[i]
        fields = {k: v for k, v in j.fields.items() if k not in ("failure", "error")}
        fields |= values.pop("fields") | {
            "unparsed": j.fields.get("error"),
            "score_source": "conclusion",
            "concluded_text": j.raw + endings[i].text + dist.top(),
        }
        out[i] = j.model_copy(update={**values, "parse_status": "logprob", "fields": fields})
    return out
