"""The property annotator: strict parsing of realistic annotator outputs per stage, the template schemas agree
with the 29 properties, failures kept with their raw text and retried with a new seed through the engine, and
the embedded SmolLM2 annotating a bundled answer end to end (its failure rate stored honestly)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from alignscope.analysis.dissection.features import CORRECTION_SCORES, SEVERITIES, STANCE_SCORES
from alignscope.analysis.dissection.judge_run import inputs_from_pairs
from alignscope.analysis.dissection.properties import PROPERTIES, Kind, Trait, of_kind
from alignscope.analysis.dissection.released import load_sample_pairs
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.engine.runner import Engine
from alignscope.judges.annotator import (
    QUERY_SUBJECT,
    STAGES,
    Annotations,
    annotate,
    annotation_summary,
    parse_annotation,
    stage_template,
)
from alignscope.judges.config import JudgeSpec
from alignscope.judges.parsing import VerdictParseError
from alignscope.judges.run import JudgeInputs
from alignscope.records import Generation, Item, Message, Provenance
from alignscope.store import RunStore
from alignscope.testing.fault_server import FaultConfig, FaultServer

if TYPE_CHECKING:
    from alignscope.backends.hf import HFBackend

QUERY_OUTPUT = """```json
{
    "clear intent": "Yes",
    "explicitly express feelings": "No",
    "explicit constraints": [
        "Generate a list of steps",
        "Be concise"
    ],
    "explicit subjective stances": [],
    "explicit mistakes or biases": []
}
```"""

QUERY_FREE_RATINGS = {
    "harmlessness": "3",
    "grammar, spelling, punctuation, and code-switching": "3",
    "friendly": "1",
    "polite": "2",
    "interactive": "0",
    "authoritative tone": "2",
    "funny and humorous": "0",
    "metaphors, personification, similes, hyperboles, irony, parallelism": "0",
    "complex word usage and sentence structure": "1",
    "use of direct and explicit supporting materials": "0",
    "well formatted": "3",
    "admit limitations or mistakes": "0",
    "persuade user": "0",
    "step by step solution": "3",
    "use of informal expressions": "0",
    "repetitive": "1",
    "clear and understandable": "3",
    "information richness without considering inaccuracy": "2",
}

ERRORS_OUTPUT = """{
      "accuracy check": "applicable",
      "inaccuracies": [
          {
            "brief description": "Suggests giving airline tickets to a travel agent before booking",
            "type": "Factual error",
            "severity": "Moderate"
          },
          {
            "brief description": "Travel agents do not usually send the booking confirmation email",
            "type": "Factual error",
            "severity": "minor"
          }
      ]
}"""


def test_template_schemas_match_the_29_properties() -> None:
    rated = [c for s in ("query_free", "query_aware") for c in stage_template(s).meta["characteristics"]]
    expected = [p.name for p in PROPERTIES if p.kind in (Kind.QUERY_FREE, Kind.QUERY_DEPENDENT)]
    assert sorted(c["property"] for c in rated) == sorted(expected) and len(rated) == len(expected) == 20
    by_name = {p.name: p for p in PROPERTIES}
    for c in rated:  # the keys the original's annotator outputs
        assert c["key"] == by_name[c["property"]].annotator_key
        assert bool(c.get("inverted")) == by_name[c["property"]].inverted
    questions = stage_template("query_specific").meta["questions"]
    assert [(q["property"], q["trait"]) for q in questions] == [
        (p.name, p.trait.value) for p in of_kind(Kind.QUERY_SPECIFIC)
    ]
    labels = {q["property"]: q.get("labels") for q in questions}
    assert labels["support_stances"] == list(STANCE_SCORES)
    assert sorted(labels["correct_user_mistakes"]) == sorted(CORRECTION_SCORES)
    assert stage_template("errors").meta["severities"] == list(SEVERITIES)
    query = stage_template("query").meta
    traits = [r["trait"] for r in query["flags"].values()] + list(query["lists"].values())
    assert sorted(traits) == sorted(t.value for t in Trait)


def test_valid_outputs_of_every_stage_parse_to_normalised_annotations() -> None:
    query = parse_annotation(stage_template("query"), QUERY_OUTPUT)
    assert query == {
        "traits": ["w_constraints"],
        "items": {
            "w_constraints": ["Generate a list of steps", "Be concise"],
            "w_stances": [],
            "w_mistakes": [],
        },
    }
    text = "Here is my analysis:\n" + json.dumps(QUERY_FREE_RATINGS, indent=2)
    ratings = parse_annotation(stage_template("query_free"), text)["ratings"]
    assert len(ratings) == 18 and ratings["harmless"] == 3 and ratings["friendly"] == 1
    assert ratings["non_repetitive"] == 2  # "repetitive": 1 reversed on the 0-3 scale
    aware = parse_annotation(
        stage_template("query_aware"),
        '{"Innovative and novel": 1, "relevance without considering inaccuracy": "3"}',  # keys in any case
    )
    assert aware == {"ratings": {"innovative_and_novel": 1, "relevance_without_considering_inaccuracy": 3}}
    errors = parse_annotation(stage_template("errors"), ERRORS_OUTPUT)
    assert errors["applicable"] and errors["errors"] == {"minor": 1, "moderate": 1, "severe": 0}
    not_applicable = '{"accuracy check": "not applicable", "reasoning": "I lack the knowledge."}'
    assert parse_annotation(stage_template("errors"), not_applicable)["errors"] is None
    specific = parse_annotation(
        stage_template("query_specific"),
        '{"satisfying explicit constraints": {"Generate a list of steps": "3", "Be concise": "2"},'
        ' "supporting explicit subjective stances": {"cats are better": "Weakly supported"}}',
        traits=["w_constraints", "w_stances"],
    )
    assert specific == {"values": {"satisfy_constraints": [3, 2], "support_stances": ["weakly supported"]}}


@pytest.mark.parametrize(
    ("stage", "text", "traits", "reason"),
    [
        (
            "query_free",
            json.dumps({k: v for k, v in QUERY_FREE_RATINGS.items() if k != "polite"}),
            (),
            "missing field 'polite'",
        ),
        ("query_free", json.dumps(QUERY_FREE_RATINGS | {"friendly": "0/1/2/3"}), (), "not an integer rating"),
        (
            "query_free",
            json.dumps(QUERY_FREE_RATINGS | {"friendly": 4}),
            (),
            "not an integer rating from 0 to 3",
        ),
        ("query_free", json.dumps(QUERY_FREE_RATINGS | {"friendly": "high"}), (), "not an integer rating"),
        ("query_free", json.dumps(QUERY_FREE_RATINGS)[:300], (), "unterminated JSON object"),
        (
            "query_aware",
            '{"innovative and novel": 2, "relevance without considering inaccuracy": 1,}',
            (),
            "invalid JSON",
        ),
        ("query_aware", "The response is relevant and fairly novel.", (), "no JSON object found"),
        (
            "query",
            QUERY_OUTPUT.replace('"Yes"', '"Maybe"'),
            (),
            "clear intent: 'Maybe' is not one of yes, no",
        ),
        ("query", QUERY_OUTPUT.replace('"Be concise"', "3"), (), "explicit constraints: expected a list"),
        ("errors", ERRORS_OUTPUT.replace('"minor"', '"critical"'), (), "severity: 'critical' is not one of"),
        ("errors", '{"accuracy check": "applicable"}', (), "missing field 'inaccuracies'"),
        (
            "query_specific",
            '{"satisfying explicit constraints": {"Be concise": "2"}}',
            ("w_constraints", "w_mistakes"),
            "missing field 'correcting explicit mistakes or biases'",
        ),
        (
            "query_specific",
            '{"supporting explicit subjective stances": {"x": "Supported"}}',
            ("w_stances",),
            "'Supported' is not one of",
        ),
        (
            "query_specific",
            '{"showing empathetic": "2", "Showing Empathetic": "3"}',
            ("express_feeling",),
            "given more than once",
        ),
    ],
)
def test_malformed_outputs_fail_with_the_reason(stage: str, text: str, traits: tuple, reason: str) -> None:
    with pytest.raises(VerdictParseError) as exc:
        parse_annotation(stage_template(stage), text, traits)
    assert reason in str(exc.value)


def _echo_template(tmp_path: Path, stage: str, body: str, header: str | None = None) -> str:
    """A user template for ``stage`` (the bundled header's schema, or ``header``) whose prompt is ``body``:
    the echo server quotes the prompt back (its first 200 characters), so the test sets the output."""
    bundled = stage_template(stage).text
    header = header or bundled[: bundled.index("-#}") + 3]
    path = tmp_path / f"echo_{stage}.j2"
    path.write_text(f"{header}\n{{% block prompt %}}{body}{{% endblock %}}")
    return str(path)


NO_TRAITS_BUT_UNCLEAR = (
    '{"clear intent": "no", "explicitly express feelings": "no", "explicit constraints": [], '
    '"explicit subjective stances": [], "explicit mistakes or biases": []}'
)
# A user's own query-free stage with two characteristics (the bundled one's 18 do not fit in an echo).
TWO_RATINGS = """{#
mode: annotator
parser: json_object
stage: ratings
characteristics:
  - {key: friendly, property: friendly, description: warm}
  - {key: repetitive, property: non_repetitive, inverted: true, description: repeats itself}
#}"""


@pytest.fixture
def echo_server():
    server = FaultServer(FaultConfig()).start()
    yield server
    server.stop()


def test_failures_are_stored_with_raw_text_and_retried_with_new_seeds(tmp_path: Path, echo_server) -> None:
    """Stages whose prompt is valid JSON parse at once; the query-free stage echoes the answer, which is
    JSON for one answer and prose for the other: the latter fails every attempt, each with a new seed."""
    store = RunStore(tmp_path / "ws")
    store.start_run("annotate-test", "dissect-annotate", {})
    engine = Engine(store, "annotate-test", progress=False, base_delay_s=0.01, max_attempts=2)
    templates = {
        "annotate_query": _echo_template(tmp_path, "query", NO_TRAITS_BUT_UNCLEAR),
        "annotate_query_free": _echo_template(tmp_path, "query_free", "{{ answer }}", TWO_RATINGS),
        "annotate_query_aware": _echo_template(
            tmp_path,
            "query_aware",
            '{"innovative and novel": 1, "relevance without considering inaccuracy": 3}',
        ),
        "annotate_query_specific": _echo_template(tmp_path, "query_specific", '{"clarify user intent": "2"}'),
        "annotate_errors": _echo_template(tmp_path, "errors", '{"accuracy check": "not applicable"}'),
    }
    ratings = '{"friendly": 1, "repetitive": 1}'
    item = Item(id="q1", dataset="t", messages=[Message(role="user", content="Help me with my trip.")])
    gens = [
        Generation(item_id="q1", dataset="t", model=m, text=text, provenance=Provenance(model=m, backend="f"))
        for m, text in (("json-model", ratings), ("prose-model", "Sure! Here is a plan for your trip."))
    ]
    model = ModelSpec(name="echo", backend="openai", model="echo", base_urls=[echo_server.url])
    spec = JudgeSpec(
        model=model,
        mode="annotator",
        templates=templates,
        parse_retries=2,
        sampling={"max_tokens": 64, "seed": 5},
    )
    judgments = annotate(engine, make_backend(model), spec, JudgeInputs.of([item], gens))

    by = {(j.fields["stage"], j.model_a): j for j in judgments}
    assert by[("query", QUERY_SUBJECT)].fields["annotation"]["traits"] == ["intent_unclear"]
    assert by[("query_specific", "prose-model")].fields["annotation"] == {
        "values": {"clarify_user_intent": [2]}
    }
    assert by[("query_free", "json-model")].fields["annotation"] == {
        "ratings": {"friendly": 1, "non_repetitive": 2}
    }
    assert by[("errors", "json-model")].fields["annotation"]["errors"] is None
    failed = by[("query_free", "prose-model")]
    assert failed.parse_status == "failed" and failed.fields["failure"] == "parse"
    assert failed.fields["error"] == "no JSON object found" and failed.fields["attempts"] == 3
    assert "Sure! Here is a plan" in failed.raw and len(failed.fields["earlier_raw"]) == 2
    assert len({failed.raw, *failed.fields["earlier_raw"]}) == 3  # every retry was a new call
    assert failed.provenance.sampling.seed == 7 and failed.provenance.sampling.temperature > 0
    # 6 distinct prompts (the literal ones are shared by both answers and sent once) + 2 retries, none cached
    assert engine.stats.calls_made == 8 and engine.stats.cache_hits == 0

    stored = store.records("judgments", "annotate-test")
    assert len(stored) == len(judgments) == 1 + 2 * 4
    summary = {r["stage"]: r for r in annotation_summary(stored)}
    assert summary["query_free"] == summary["query_free"] | {"calls": 2, "failed": 1, "failure_rate": 0.5}
    assert summary["all"]["failed"] == 1 and summary["all"]["calls"] == 9
    annotations = Annotations.of(stored)
    assert set(annotations.responses[("t", "q1", "json-model")]) == set(STAGES) - {"query"}
    assert "query_free" not in annotations.responses[("t", "q1", "prose-model")]


def test_smollm2_annotates_a_bundled_answer_end_to_end(tmp_path: Path, hf_smollm2: HFBackend) -> None:
    """The embedded 135M model as annotator of one answer to one of the original's bundled Chatbot Arena items
    (the shortest, checked against its GPT-4-Turbo reference), in every stage: every call gives a stored
    Judgment, parsed or failed with its raw text and reason; the failure rate (high for a model this small) is
    what the store holds, and every stored annotation re-parses to what was stored. (Retries are covered
    above; none here.)"""
    inputs, _ = inputs_from_pairs(load_sample_pairs())
    inputs.generations = [
        min(inputs.generations, key=lambda g: len(g.text) + len(inputs.items[(g.dataset, g.item_id)].prompt))
    ]
    store = RunStore(tmp_path / "ws")
    store.start_run("smol", "dissect-annotate", {})
    engine = Engine(store, "smol", progress=False)
    spec = JudgeSpec(model=hf_smollm2.spec, mode="annotator", parse_retries=0, sampling={"max_tokens": 40})
    judgments = annotate(engine, hf_smollm2, spec, inputs)

    stored = store.records("judgments", "smol")
    assert len(stored) == len(judgments)
    n_query_specific = sum(j.fields["stage"] == "query_specific" for j in judgments)
    queries = Annotations.of(judgments).queries
    assert n_query_specific == sum(bool(q["traits"]) for q in queries.values())
    assert len(judgments) == 1 + 3 + n_query_specific
    templates = {s: stage_template(s) for s in STAGES}
    for j in stored:
        template, traits = templates[j.fields["stage"]], j.fields.get("traits", ())
        assert j.provenance.template_hash == template.version and j.provenance.model == "smollm2-135m"
        assert j.fields["attempts"] == 1 and j.raw
        if j.parse_status == "ok":
            assert parse_annotation(template, j.raw, traits) == j.fields["annotation"]
        else:
            assert j.fields["failure"] == "parse" and j.fields["error"]
            with pytest.raises(VerdictParseError) as exc:
                parse_annotation(template, j.raw, traits)
            assert str(exc.value) == j.fields["error"]
    summary = annotation_summary(stored)[-1]
    assert summary["calls"] == len(stored)
    assert summary["failed"] == sum(j.parse_status == "failed" for j in stored)
    assert summary["failure_rate"] == summary["failed"] / summary["calls"]
