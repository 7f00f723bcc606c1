"""Dissecting a stored pairwise judge run: synthetic judges whose verdicts follow known weights on the
answers' properties (text-measured style, or annotations parsed from annotator outputs) get those weights
back, pairs that cannot be used are counted, and pairs files in the original's format become items, answers
and labels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from alignscope.analysis.dissection.features import lengthy_comparison
from alignscope.analysis.dissection.judge_run import dissect_run, fit_pairs, inputs_from_pairs
from alignscope.analysis.dissection.properties import PROPERTIES, Kind
from alignscope.analysis.dissection.released import load_sample_pairs
from alignscope.analysis.dissection.words import count_words
from alignscope.errors import DataError
from alignscope.judges.annotator import QUERY_SUBJECT, parse_annotation, stage_template
from alignscope.judges.run import store_judgments
from alignscope.records import Generation, Item, Judgment, Message, Provenance
from alignscope.store import RunStore

BASE, MODEL, JUDGE = "baseline", "candidate", "synthetic-judge"
TEMPLATES = {s: stage_template(s) for s in ("query", "query_free", "query_aware", "errors")}


def _store(tmp_path: Path, run: str) -> RunStore:
    store = RunStore(tmp_path / "ws")
    store.start_run(run, "judge", {})
    return store


def _gen(model: str, item_id: str, text: str, run: str) -> Generation:
    return Generation(
        item_id=item_id,
        dataset="t",
        model=model,
        text=text,
        run_id=run,
        provenance=Provenance(model=model, backend="file"),
    )


def _verdicts(item_id: str, p_candidate: float, run: str, rng: np.random.Generator) -> list[Judgment]:
    """The judge's two orders of (baseline, candidate): one draw of the winner, shown in both orders."""
    candidate_wins = rng.random() < p_candidate
    out = []
    for swapped in (False, True):
        first_wins = candidate_wins == swapped
        out.append(
            Judgment(
                judge=JUDGE,
                mode="pairwise",
                item_id=item_id,
                dataset="t",
                model_a=MODEL if swapped else BASE,
                model_b=BASE if swapped else MODEL,
                swapped=swapped,
                verdict="A" if first_wins else "B",
                preference=float(first_wins),
                fields={"turn": 1},
                run_id=run,
                provenance=Provenance(model=JUDGE, backend="file"),
            )
        )
    return out


def test_style_weights_of_a_judge_that_rewards_length(tmp_path: Path) -> None:
    """Verdicts drawn from P(candidate wins) = sigmoid(1.5 * lengthy feature): the fitted lengthy weight is
    clearly positive; list and bold use (unrewarded) stay near 0."""
    run, rng = "judge-run", np.random.default_rng(3)
    store = _store(tmp_path, run)
    items, gens, judgments = [], [], []
    for i in range(400):
        item_id = str(i)
        items.append(
            Item(
                id=item_id,
                dataset="t",
                category="even" if i % 2 else "odd",
                messages=[Message(role="user", content=f"question {i}")],
            )
        )
        lengths = rng.integers(5, 120, size=2)
        texts = [
            " ".join(["word"] * n)
            + ("\n- a list item" * int(rng.integers(0, 3)))
            + (" **bold**" * int(rng.random() < 0.5))
            for n in lengths
        ]
        gens += [_gen(BASE, item_id, texts[0], run), _gen(MODEL, item_id, texts[1], run)]
        lengthy = lengthy_comparison(count_words(texts[1]), count_words(texts[0]))
        judgments += _verdicts(item_id, 1 / (1 + np.exp(-1.5 * lengthy)), run, rng)
    store.put_items(items)
    store.put_generations(gens)
    store_judgments(store, judgments)

    pairs = dissect_run(store, run, features="style", scenario_by="category")
    assert pairs.counts["judged_pairs"] == 400 and pairs.counts["pairs_used"] == 400
    assert set(pairs.table["scenario"]) == {"even", "odd"}
    assert 0.35 < pairs.table["label"].mean() < 0.65  # random order: A is the candidate about half the time
    fitted = fit_pairs(pairs).set_index(["scenario", "property"])
    for scenario in ("even", "odd"):
        lengthy = fitted.loc[(scenario, "lengthy")]
        assert lengthy["lower"] > 0.3 and lengthy["score"] > 65
        for name in ("lists", "bold"):
            assert fitted.loc[(scenario, name), "lower"] < 0 < fitted.loc[(scenario, name), "upper"]
        assert fitted.loc[(scenario, "well_formatted_heuristic"), "method"].startswith("heuristic")


def _annotation_judgments(item_id: str, model: str, ratings: dict, severe: int, run: str) -> list[Judgment]:
    """The response-stage Judgments an annotator stores for one answer, parsed from annotator-style JSON."""
    out = []
    free = TEMPLATES["query_free"].meta["characteristics"]
    aware = TEMPLATES["query_aware"].meta["characteristics"]
    texts = {
        "query_free": json.dumps({c["key"]: str(ratings[c["property"]]) for c in free}),
        "query_aware": json.dumps({c["key"]: ratings[c["property"]] for c in aware}),
        "errors": json.dumps(
            {
                "accuracy check": "applicable",
                "inaccuracies": [{"brief description": "x", "type": "Factual error", "severity": "Severe"}]
                * severe,
            }
        ),
    }
    for stage, text in texts.items():
        out.append(_annotator_judgment(stage, item_id, model, text, run))
    return out


def _annotator_judgment(stage: str, item_id: str, subject: str, text: str, run: str) -> Judgment:
    return Judgment(
        judge="annotator",
        mode="annotator",
        item_id=item_id,
        dataset="t",
        model_a=subject,
        raw=text,
        fields={"stage": stage, "attempts": 1, "annotation": parse_annotation(TEMPLATES[stage], text)},
        run_id=run,
        provenance=Provenance(model="annotator", backend="file"),
    )


def test_annotated_weights_of_a_judge_that_rewards_harmlessness_and_no_severe_errors(tmp_path: Path) -> None:
    """Annotations parsed from annotator outputs, verdicts from known weights on two of the 29 features: those
    two get the largest posterior means, with intervals above 0; incomplete and not-applicable pairs are
    dropped and counted."""
    run, rng = "judge-run", np.random.default_rng(11)
    store = _store(tmp_path, run)
    rated = [p.name for p in PROPERTIES if p.kind in (Kind.QUERY_FREE, Kind.QUERY_DEPENDENT)]
    no_traits = json.dumps(
        {
            "clear intent": "Yes",
            "explicitly express feelings": "No",
            "explicit constraints": [],
            "explicit subjective stances": [],
            "explicit mistakes or biases": [],
        }
    )
    items, gens, judgments = [], [], []
    for i in range(500):
        item_id = str(i)
        items.append(Item(id=item_id, dataset="t", messages=[Message(role="user", content=f"q{i}")]))
        gens += [_gen(BASE, item_id, f"answer {i} base", run), _gen(MODEL, item_id, f"answer {i} cand", run)]
        judgments.append(_annotator_judgment("query", item_id, QUERY_SUBJECT, no_traits, run))
        ratings = {m: {name: int(rng.integers(0, 4)) for name in rated} for m in (BASE, MODEL)}
        severe = {m: int(rng.integers(0, 2)) for m in (BASE, MODEL)}
        for m in (BASE, MODEL):
            judgments += _annotation_judgments(item_id, m, ratings[m], severe[m], run)
        logit = 1.5 * np.sign(ratings[MODEL]["harmless"] - ratings[BASE]["harmless"]) + 1.5 * np.sign(
            severe[BASE] - severe[MODEL]
        )
        judgments += _verdicts(item_id, 1 / (1 + np.exp(-logit)), run, rng)
    # item 0: the candidate's errors stage failed; item 1: neither error check applicable
    judgments = [
        j
        for j in judgments
        if not (j.item_id == "0" and j.model_a == MODEL and j.fields.get("stage") == "errors")
    ]
    na = json.dumps({"accuracy check": "not applicable"})
    judgments = [j for j in judgments if not (j.item_id == "1" and j.fields.get("stage") == "errors")]
    judgments += [_annotator_judgment("errors", "1", m, na, run) for m in (BASE, MODEL)]
    store.put_items(items)
    store.put_generations(gens)
    store_judgments(store, [j for j in judgments if j.mode == "pairwise"])
    for stage in ("query", "query_free", "query_aware", "errors"):
        store.put_judgments([j for j in judgments if j.fields.get("stage") == stage], variant=stage)

    pairs = dissect_run(store, run)
    assert pairs.counts["incomplete_annotations"] == 1 and pairs.counts["error_check_not_applicable"] == 1
    assert pairs.counts["pairs_used"] == 498
    fitted = fit_pairs(pairs).set_index("property")
    assert len(fitted) == 29 and (fitted["n_pairs"] == 498).all()
    top = fitted["mean"].sort_values(ascending=False).index[:2]
    assert set(top) == {"harmless", "no_severe_errors"}
    assert (fitted.loc[list(top), "lower"] > 0.3).all()
    assert fitted.loc["lengthy", "mean"] == pytest.approx(0.0, abs=0.05)  # every answer has 3 words


def test_a_run_without_annotations_says_what_to_do(tmp_path: Path) -> None:
    run = "judge-run"
    store = _store(tmp_path, run)
    store_judgments(store, _verdicts("1", 0.5, run, np.random.default_rng(0)))
    with pytest.raises(DataError, match="dissect annotate --run judge-run"):
        dissect_run(store, run)


def test_original_pairs_become_items_answers_and_labels() -> None:
    rows = load_sample_pairs()
    inputs, labels = inputs_from_pairs(rows)
    assert len(inputs.items) == 2 and len(inputs.generations) == 4
    first = inputs.items[("pairs", "0")]
    assert first.category == "Functional Writing" and first.reference == rows[0]["gpt4_ref_output"]
    assert [j.preference for j in labels] == [0.0, 0.0]  # both winners are model_b
    assert labels[0].model_a == "oasst-pythia-12b" and labels[0].judge == "human"
    with pytest.raises(DataError, match="winner 'model_c'"):
        inputs_from_pairs([rows[0] | {"winner": "model_c"}])
