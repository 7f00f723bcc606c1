"""Turn judge prompts into Judgments through the engine: text verdicts with bounded parse retries, or logprob
verdicts that never fail to parse. Every failure becomes a Judgment with ``parse_status="failed"``, its raw
text and the reason; nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from alignscope.backends.base import Backend, ChatRequest
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError
from alignscope.judges.conclusion import conclude
from alignscope.judges.config import JudgeSpec
from alignscope.judges.logprob import label_distribution, label_distributions, verdict_values
from alignscope.judges.parsing import PAIRWISE_VERDICTS, Parsed, VerdictParseError, parse, preference_of
from alignscope.judges.templates import JudgeTemplate
from alignscope.records import Item, Judgment, Message, Provenance, SamplingParams


@dataclass(frozen=True)
class JudgeCall:
    """One verdict to obtain: the rendered prompt, its template, and what the Judgment is about."""

    messages: tuple[Message, ...]
    template: JudgeTemplate
    item: Item
    model_a: str
    model_b: str | None = None
    swapped: bool = False
    sample: int = 0
    fields: dict[str, Any] = field(default_factory=dict)


def run_calls(
    engine: Engine, backend: Backend, spec: JudgeSpec, calls: Sequence[JudgeCall], desc: str = "judge"
) -> list[Judgment]:
    """One Judgment per call, in order, by text parsing or logprobs as ``spec.verdict`` says (text verdicts
    that never parsed concluded when ``spec.unparsed`` says so)."""
    if not calls:
        return []
    if spec.verdict == "logprob":
        return _logprob_verdicts(engine, backend, spec, calls, desc)
    judgments = _text_verdicts(engine, backend, spec, calls, desc)
    if spec.unparsed == "conclude":
        return conclude(engine, backend, calls, judgments, f"{desc} (conclusions)")
    return judgments


def _judgment(
    spec: JudgeSpec, call: JudgeCall, sampling: SamplingParams, key: str | None, run_id: str, **values: Any
) -> Judgment:
    fields = {**call.fields, **values.pop("fields", {})}
    if spec.n_samples > 1:
        fields["sample"] = call.sample
    return Judgment(
        judge=spec.label,
        mode=spec.mode,
        item_id=call.item.id,
        dataset=call.item.dataset,
        model_a=call.model_a,
        model_b=call.model_b,
        swapped=call.swapped,
        fields=fields,
        run_id=run_id,
        provenance=judge_provenance(spec, call.template, call.item, sampling, key),
        **values,
    )


def judge_provenance(
    spec: JudgeSpec, template: JudgeTemplate, item: Item, sampling: SamplingParams, key: str | None
) -> Provenance:
    """What made a judge's verdict on ``item``: the judge model, its sampling, the template's hash, the data
    version and the engine's call key."""
    return Provenance(
        model=spec.model.model,
        backend=spec.model.backend,
        sampling=sampling,
        template_hash=template.version,
        data_version=item.data_version or None,
        system_prompt=spec.model.system_prompt,
        call_key=key,
    )


def _verdict_values(parsed: Parsed) -> dict[str, Any]:
    """Judgment values of a parse: a score, or a verdict with its preference when it is a pairwise verdict."""
    values: dict[str, Any] = {"score": parsed.score, "verdict": parsed.verdict}
    if parsed.verdict in PAIRWISE_VERDICTS:
        values["preference"] = preference_of(parsed.verdict)
    return values


def _text_verdicts(
    engine: Engine, backend: Backend, spec: JudgeSpec, calls: Sequence[JudgeCall], desc: str
) -> list[Judgment]:
    results: dict[int, Judgment] = {}
    earlier: dict[int, list[str]] = {}
    pending = list(range(len(calls)))
    for attempt in range(spec.parse_retries + 1):
        if not pending:
            break
        samplings = [spec.sampling_for(calls[i].sample, attempt) for i in pending]
        requests = [
            ChatRequest(messages=calls[i].messages, sampling=s)
            for i, s in zip(pending, samplings, strict=True)
        ]
        label = desc if attempt == 0 else f"{desc} (parse retry {attempt})"
        outcomes = engine.generate(backend, requests, desc=label)
        retry = []
        for i, sampling, out in zip(pending, samplings, outcomes, strict=True):
            call = calls[i]
            judgment = partial(_judgment, spec, call, sampling, out.key, engine.run_id)
            attempts = {"attempts": attempt + 1}
            if out.error is not None:
                fields = {"failure": "call", "error": out.error, **attempts}
                results[i] = judgment(parse_status="failed", fields=fields)
                continue
            text = out.result.text
            try:
                parsed = parse(call.template.parser, text, call.template.labels)
            except VerdictParseError as exc:
                fields = {"failure": "parse", "error": str(exc), **attempts, **exc.partial}
                if earlier.get(i):
                    fields["earlier_raw"] = list(earlier[i])
                results[i] = judgment(raw=text, parse_status="failed", fields=fields)
                earlier.setdefault(i, []).append(text)
                retry.append(i)
                continue
            fields = {**parsed.fields, **attempts}
            results[i] = judgment(raw=text, parse_status="ok", fields=fields, **_verdict_values(parsed))
        pending = retry
    return [results[i] for i in range(len(calls))]


def _labels(template: JudgeTemplate) -> dict[str, Any]:
    if not template.labels:
        raise ConfigError(
            f"template {template.name!r} has no logprob labels (its parser {template.parser} reads text): "
            "use verdict: text, or a template whose header lists labels"
        )
    return template.labels


def _logprob_verdicts(
    engine: Engine, backend: Backend, spec: JudgeSpec, calls: Sequence[JudgeCall], desc: str
) -> list[Judgment]:
    if not backend.supports_logprobs:
        raise ConfigError(f"the {backend.kind} backend gives no log-probabilities: use verdict: text")
    for call in calls:
        _labels(call.template)
    sampling = spec.logprob_sampling()
    outcomes = engine.generate(
        backend,
        [ChatRequest(messages=c.messages, sampling=sampling) for c in calls],
        desc=f"{desc} (logprob)",
    )
    results: dict[int, Judgment] = {}
    missing: list[int] = []
    for i, (call, out) in enumerate(zip(calls, outcomes, strict=True)):
        judgment = partial(_judgment, spec, call, sampling, out.key, engine.run_id)
        if out.error is not None:
            results[i] = judgment(parse_status="failed", fields={"failure": "call", "error": out.error})
            continue
        dist = label_distribution(out.result.logprobs, _labels(call.template))
        if dist is None:
            missing.append(i)
            continue
        values = verdict_values(_labels(call.template), dist)
        results[i] = judgment(raw=out.result.text, parse_status="logprob", **values)
    raws = {i: outcomes[i].result.text for i in missing}
    results.update(_loglikelihood_verdicts(engine, backend, spec, calls, missing, raws, sampling, desc))
    return [results[i] for i in range(len(calls))]


def _loglikelihood_verdicts(
    engine: Engine,
    backend: Backend,
    spec: JudgeSpec,
    calls: Sequence[JudgeCall],
    missing: list[int],
    raws: dict[int, str],
    sampling: SamplingParams,
    desc: str,
) -> dict[int, Judgment]:
    """Calls whose generated tokens carried no label: score each label as the continuation of the prompt."""
    out: dict[int, Judgment] = {}
    if not missing:
        return out
    judgment = {
        i: partial(_judgment, spec, calls[i], sampling, None, engine.run_id, raw=raws[i]) for i in missing
    }
    if not backend.supports_loglikelihood:
        fields = {"failure": "logprob", "error": "no label among the top log-probabilities"}
        return {i: judgment[i](parse_status="failed", fields=fields) for i in missing}
    asks = [(calls[i].messages, "", list(_labels(calls[i].template))) for i in missing]
    found = label_distributions(engine, backend, asks, f"{desc} (label log-likelihoods)")
    for i, dist in zip(missing, found, strict=True):
        if isinstance(dist, str):
            fields = {"failure": "logprob", "error": f"no label in the top log-probabilities; {dist}"}
            out[i] = judgment[i](parse_status="failed", fields=fields)
            continue
        out[i] = judgment[i](parse_status="logprob", **verdict_values(_labels(calls[i].template), dist))
    return out
