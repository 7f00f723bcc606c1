"""Property annotator (judge mode ``annotator``): the staged structured-output annotation of "Dissecting Human
and LLM Preferences" (Li et al., 2024), one prompt per stage as the original annotates.

Stages, each a bundled template ``annotate_<stage>`` whose YAML header holds the stage's output schema:

- ``query``: the query's traits (unclear intent, expressed feelings, explicit constraints, stances, mistakes),
  once per item;
- ``query_free``: 0-3 ratings of 18 properties, without showing the query;
- ``query_aware``: 0-3 relevance and novelty ratings, with the query;
- ``query_specific``: only for queries with a trait: the trait's property, per listed constraint, stance or
  mistake where the original asks per item;
- ``errors``: errors against the item's reference answer, each with a severity (minor/moderate/severe), or
  "not applicable".

Every output must be one JSON object holding every field of its stage with a valid value; anything else is a
failure, retried up to ``spec.parse_retries`` times with a new seed (``JudgeSpec.sampling_for``, so the call
cache never returns the same text), and stored as a Judgment with ``parse_status="failed"``, its raw text, the
reason and the earlier attempts' texts. Users replace a stage's prompt by naming their own template for
``annotate_<stage>`` in ``spec.templates``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from alignscope.backends.base import Backend, ChatRequest
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError
from alignscope.judges.calls import judge_provenance
from alignscope.judges.config import JudgeSpec
from alignscope.judges.context import answers_of, turn_variables
from alignscope.judges.parsing import VerdictParseError, parse
from alignscope.judges.run import JudgeInputs
from alignscope.judges.templates import JudgeTemplate, load_template
from alignscope.records import Item, Judgment, Message, SamplingParams

STAGES: tuple[str, ...] = ("query", "query_free", "query_aware", "query_specific", "errors")
RESPONSE_STAGES: tuple[str, ...] = STAGES[1:]
QUERY_SUBJECT = "(query)"  # model_a of query-stage Judgments
# The schema kind (template header ``stage``) of each stage.
_KINDS = {
    "query": "query",
    "query_free": "ratings",
    "query_aware": "ratings",
    "query_specific": "query_specific",
    "errors": "errors",
}


@dataclass(frozen=True)
class AnnotationCall:
    """One annotation to obtain: the stage, its template and prompt, the item, whose response it is about
    (``QUERY_SUBJECT`` for the query stage) and, for the query-specific stage, the query's traits."""

    stage: str
    template: JudgeTemplate
    messages: tuple[Message, ...]
    item: Item
    subject: str
    traits: tuple[str, ...] = ()


@dataclass
class Annotations:
    """Successful annotations of one annotator: ``queries`` keyed by (dataset, item id), ``responses``
    keyed by (dataset, item id, model) then stage."""

    queries: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    responses: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(dict)
    )

    @classmethod
    def of(cls, judgments: Sequence[Judgment], annotator: str | None = None) -> Annotations:
        """The parsed annotations among ``judgments`` (failed ones skipped), of ``annotator`` if given."""
        out = cls()
        for j in judgments:
            if j.mode != "annotator" or j.parse_status != "ok" or (annotator and j.judge != annotator):
                continue
            stage, annotation = j.fields["stage"], j.fields["annotation"]
            if stage == "query":
                out.queries[(j.dataset, j.item_id)] = annotation
            else:
                out.responses[(j.dataset, j.item_id, j.model_a)][stage] = annotation
        return out


def annotator_label(spec: JudgeSpec) -> str:
    """The annotator's name on its Judgments: ``spec.name`` or ``<model>/annotator``."""
    return spec.name or f"{spec.model.name}/annotator"


def stage_template(stage: str, user_templates: dict[str, str] | None = None) -> JudgeTemplate:
    """The template of ``stage`` (``annotate_<stage>``, or the user's template given under that name)."""
    if stage not in STAGES:
        raise ConfigError(f"unknown annotation stage {stage!r} (choose {', '.join(STAGES)})")
    template = load_template(f"annotate_{stage}", user_templates)
    if template.mode != "annotator" or template.meta.get("stage") != _KINDS[stage]:
        raise ConfigError(
            f"template {template.name!r} is not an annotator template of kind {_KINDS[stage]!r} "
            f"(its header needs mode: annotator and stage: {_KINDS[stage]})",
            where=template.origin,
        )
    return template


def parse_annotation(template: JudgeTemplate, text: str, traits: Sequence[str] = ()) -> dict[str, Any]:
    """The normalised annotation in ``text`` by the schema in ``template``'s header (``traits``: the query's
    traits, for the query-specific stage); VerdictParseError saying what is missing or invalid."""
    if "{" in text and text.rfind("}") < text.find("{"):
        raise VerdictParseError("unterminated JSON object (output cut off at max_tokens?)")
    obj = parse(template.parser, text, template.labels).fields.get("json")
    if not isinstance(obj, dict):
        raise VerdictParseError(
            f"parser {template.parser} gives no JSON object; annotator templates need json_object"
        )
    return _VALIDATORS[template.meta["stage"]](obj, template.meta, traits)


def _field(obj: dict[str, Any], key: str) -> Any:
    """The value of ``key`` in ``obj``, matched case-insensitively after trimming spaces."""
    found = [v for k, v in obj.items() if str(k).strip().lower() == key.lower()]
    if not found:
        raise VerdictParseError(f"missing field {key!r}")
    if len(found) > 1:
        raise VerdictParseError(f"field {key!r} given more than once")
    return found[0]


def _rating(value: Any, what: str, low: int = 0, high: int = 3) -> int:
    """An integer rating from ``low`` to ``high``, given as a number or a string of digits."""
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else None
    if text is None or not text.isdigit() or not low <= int(text) <= high:
        raise VerdictParseError(f"{what}: {value!r} is not an integer rating from {low} to {high}")
    return int(text)


def _label(value: Any, labels: Sequence[str], what: str) -> str:
    key = str(value).strip().lower() if isinstance(value, str) else None
    if key not in labels:
        raise VerdictParseError(f"{what}: {value!r} is not one of {', '.join(labels)}")
    return key


def _strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise VerdictParseError(f"{what}: expected a list of non-empty strings, got {value!r}")
    return [v.strip() for v in value]


def _query(obj: dict[str, Any], meta: dict[str, Any], traits: Sequence[str]) -> dict[str, Any]:
    """{"traits": the traits present, "items": trait -> the constraints, stances or mistakes listed}."""
    present, items = [], {}
    for key, rule in meta["flags"].items():
        if _label(_field(obj, key), ("yes", "no"), key) == rule["present_when"]:
            present.append(rule["trait"])
    for key, trait in meta["lists"].items():
        items[trait] = _strings(_field(obj, key), key)
        if items[trait]:
            present.append(trait)
    return {"traits": present, "items": items}


def _ratings(obj: dict[str, Any], meta: dict[str, Any], traits: Sequence[str]) -> dict[str, Any]:
    """{"ratings": property -> rating, reversed where the characteristic is ``inverted``}."""
    low, high = meta.get("scale", [0, 3])
    ratings = {}
    for c in meta["characteristics"]:
        value = _rating(_field(obj, c["key"]), c["key"], low, high)
        ratings[c["property"]] = low + high - value if c.get("inverted") else value
    return {"ratings": ratings}


def _query_specific(obj: dict[str, Any], meta: dict[str, Any], traits: Sequence[str]) -> dict[str, Any]:
    """{"values": property -> its values (one rating, or one rating or label per listed item)} for the
    questions of the query's traits."""
    values: dict[str, list[Any]] = {}
    for q in meta["questions"]:
        if q["trait"] not in traits:
            continue
        answer = _field(obj, q["key"])
        if not q.get("per_item"):
            values[q["property"]] = [_rating(answer, q["key"])]
            continue
        if not isinstance(answer, dict) or not answer:
            raise VerdictParseError(f"{q['key']}: expected an object with one entry per item, got {answer!r}")
        labels = q.get("labels")
        values[q["property"]] = [
            _label(v, labels, f"{q['key']} / {k}") if labels else _rating(v, f"{q['key']} / {k}")
            for k, v in answer.items()
        ]
    return {"values": values}


def _errors(obj: dict[str, Any], meta: dict[str, Any], traits: Sequence[str]) -> dict[str, Any]:
    """{"applicable": bool, "errors": severity -> count (None when not applicable), "inaccuracies": [...]}."""
    check = _label(_field(obj, meta["check_key"]), list(meta["applicable"]), meta["check_key"])
    if not meta["applicable"][check]:
        return {"applicable": False, "errors": None, "inaccuracies": []}
    listed = _field(obj, meta["errors_key"])
    if not isinstance(listed, list) or not all(isinstance(e, dict) for e in listed):
        raise VerdictParseError(f"{meta['errors_key']}: expected a list of objects, got {listed!r}")
    counts = dict.fromkeys(meta["severities"], 0)
    for error in listed:
        counts[_label(_field(error, "severity"), meta["severities"], "severity")] += 1
    return {"applicable": True, "errors": counts, "inaccuracies": listed}


_VALIDATORS: dict[str, Callable[[dict[str, Any], dict[str, Any], Sequence[str]], dict[str, Any]]] = {
    "query": _query,
    "ratings": _ratings,
    "query_specific": _query_specific,
    "errors": _errors,
}


def query_calls(spec: JudgeSpec, items: Sequence[Item]) -> list[AnnotationCall]:
    """The query-stage call of each item (its first turn)."""
    template = stage_template("query", spec.templates)
    return [
        AnnotationCall("query", template, template.render(**turn_variables(it, 1)), it, QUERY_SUBJECT)
        for it in items
    ]


def response_calls(
    spec: JudgeSpec,
    inputs: JudgeInputs,
    queries: dict[tuple[str, str], dict[str, Any]],
) -> list[AnnotationCall]:
    """The response-stage calls of every answer (first turn), stage by stage (prompts of one stage have
    similar lengths, so batched backends pad little); the query-specific stage only where the item's query
    annotation succeeded and found a trait."""
    calls = []
    for stage in RESPONSE_STAGES:
        template = stage_template(stage, spec.templates)
        for gen in inputs.generations:
            item = inputs.items[(gen.dataset, gen.item_id)]
            query = queries.get((item.dataset, item.id))
            extra: dict[str, Any] = {"characteristics": template.meta.get("characteristics", [])}
            traits: tuple[str, ...] = ()
            if stage == "query_specific":
                if not query or not query["traits"]:
                    continue
                traits = tuple(query["traits"])
                extra |= {"traits": list(traits), "query_items": query["items"]}
            variables = turn_variables(item, 1, _=answers_of(gen)[:1])
            if not spec.use_reference:
                variables = {k: v for k, v in variables.items() if k not in ("reference", "references")}
            messages = template.render(**variables, **extra)
            calls.append(AnnotationCall(stage, template, messages, item, gen.model, traits))
    return calls


def run_annotation_calls(
    engine: Engine, backend: Backend, spec: JudgeSpec, calls: Sequence[AnnotationCall], desc: str = "annotate"
) -> list[Judgment]:
    """One Judgment per call, in order: parsed, or failed with its raw text after the bounded retries."""
    results: dict[int, Judgment] = {}
    earlier: dict[int, list[str]] = defaultdict(list)
    pending = list(range(len(calls)))
    for attempt in range(spec.parse_retries + 1):
        if not pending:
            break
        sampling = spec.sampling_for(0, attempt)
        requests = [ChatRequest(messages=calls[i].messages, sampling=sampling) for i in pending]
        label = desc if attempt == 0 else f"{desc} (parse retry {attempt})"
        retry = []
        for i, out in zip(pending, engine.generate(backend, requests, desc=label), strict=True):
            call, fields = calls[i], {"stage": calls[i].stage, "attempts": attempt + 1}
            if call.traits:
                fields["traits"] = list(call.traits)
            if earlier[i]:
                fields["earlier_raw"] = list(earlier[i])
            if out.error is not None:
                fields |= {"failure": "call", "error": out.error}
                results[i] = _judgment(spec, call, sampling, out.key, engine.run_id, "failed", "", fields)
                continue
            text = out.result.text
            try:
                fields["annotation"] = parse_annotation(call.template, text, call.traits)
            except VerdictParseError as exc:
                fields |= {"failure": "parse", "error": str(exc)}
                results[i] = _judgment(spec, call, sampling, out.key, engine.run_id, "failed", text, fields)
                earlier[i].append(text)
                retry.append(i)
                continue
            results[i] = _judgment(spec, call, sampling, out.key, engine.run_id, "ok", text, fields)
        pending = retry
    return [results[i] for i in range(len(calls))]


def _judgment(
    spec: JudgeSpec,
    call: AnnotationCall,
    sampling: SamplingParams,
    key: str | None,
    run_id: str,
    status: str,
    raw: str,
    fields: dict[str, Any],
) -> Judgment:
    return Judgment(
        judge=annotator_label(spec),
        mode="annotator",
        item_id=call.item.id,
        dataset=call.item.dataset,
        model_a=call.subject,
        fields=fields,
        raw=raw,
        parse_status=status,  # type: ignore[arg-type]
        run_id=run_id,
        provenance=judge_provenance(spec, call.template, call.item, sampling, key),
    )


def annotate(
    engine: Engine, backend: Backend, spec: JudgeSpec, inputs: JudgeInputs, desc: str = "annotate"
) -> list[Judgment]:
    """Annotate every answer in ``inputs`` in all stages; store the Judgments (one variant per stage), the
    Items and the annotated Generations in the engine's run. Failures are kept, never dropped."""
    if spec.mode != "annotator":
        raise ConfigError(f"the annotator needs a judge in mode annotator, not {spec.mode}")
    judgments = annotation_judgments(engine, backend, spec, inputs, desc)
    answered = {(g.dataset, g.item_id) for g in inputs.generations}
    store = engine.store
    store.put_items([it for key, it in inputs.items.items() if key in answered])
    store.put_generations([g.model_copy(update={"run_id": engine.run_id}) for g in inputs.generations])
    for stage in STAGES:
        store.put_judgments([j for j in judgments if j.fields["stage"] == stage], variant=stage)
    return judgments


def annotation_judgments(
    engine: Engine, backend: Backend, spec: JudgeSpec, inputs: JudgeInputs, desc: str = "annotate"
) -> list[Judgment]:
    """The Judgments of every stage for every answer in ``inputs``: the query stage once per answered item,
    then the response stages given the parsed query traits; failures kept."""
    answered = {(g.dataset, g.item_id) for g in inputs.generations}
    items = [it for key, it in inputs.items.items() if key in answered]
    queries = run_annotation_calls(engine, backend, spec, query_calls(spec, items), f"{desc}: queries")
    parsed = Annotations.of(queries).queries
    responses = run_annotation_calls(
        engine, backend, spec, response_calls(spec, inputs, parsed), f"{desc}: responses"
    )
    return [*queries, *responses]


def annotation_summary(judgments: Sequence[Judgment]) -> list[dict[str, Any]]:
    """Per stage, then over all stages: calls, parsed, failed, failure rate, parsed only after a retry, and
    failures by kind (parse or call)."""
    by_stage: dict[str, list[Judgment]] = defaultdict(list)
    for j in judgments:
        if j.mode == "annotator":
            by_stage[j.fields["stage"]].append(j)
    groups = [(s, by_stage[s]) for s in STAGES if by_stage[s]]
    rows = []
    for stage, js in [*groups, ("all", [j for _, g in groups for j in g])]:
        failed = [j for j in js if j.parse_status == "failed"]
        rows.append(
            {
                "stage": stage,
                "calls": len(js),
                "parsed": len(js) - len(failed),
                "failed": len(failed),
                "failure_rate": len(failed) / len(js) if js else None,
                "parsed_after_retry": sum(j.parse_status == "ok" and j.fields["attempts"] > 1 for j in js),
                "failures": dict(Counter(j.fields.get("failure", "parse") for j in failed)),
            }
        )
    return rows
