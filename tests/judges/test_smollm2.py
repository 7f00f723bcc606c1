"""The embedded SmolLM2 as a judge, in-process (hf backend) and behind a real llama.cpp server (openai
backend): logprob verdicts never fail to parse and agree with exact label log-likelihoods; text verdicts keep
every failure with its raw text. Small on purpose: 2 MT-Bench items, short outputs."""

from __future__ import annotations

import math

import pytest

from alignscope.backends.base import Backend, LoglikelihoodRequest
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.data import load_items
from alignscope.engine.runner import Engine
from alignscope.judges import JudgeInputs, JudgeSpec, run_judge
from alignscope.judges.parsing import parse
from alignscope.records import Generation, Provenance

HF = ModelSpec(name="smollm2", backend="hf", model="smollm2-135m", batch_size=8)


@pytest.fixture(scope="module")
def inputs() -> JudgeInputs:
    return mt_bench_inputs(2)


def mt_bench_inputs(n: int) -> JudgeInputs:
    """The ``n`` MT-Bench questions with the shortest GPT-4 reference answers, answered by those references
    and by a terse non-answer."""
    with_reference = [it for it in load_items("mt_bench") if it.reference]
    items = sorted(with_reference, key=lambda it: len(it.reference))[:n]
    gens = []
    for it in items:
        for model, text in (("gpt-4-reference", it.reference), ("terse", "I don't know.")):
            gens.append(Generation(item_id=it.id, dataset=it.dataset, model=model, text=text,
                                   provenance=Provenance(model=model, backend="file")))  # fmt: skip
    return JudgeInputs.of(items, gens)


def check_logprob_pairs(judgments: list, n_pairs: int) -> None:
    assert len(judgments) == 2 * n_pairs
    assert sum(j.swapped for j in judgments) == n_pairs
    for j in judgments:
        assert j.parse_status == "logprob"
        assert 0.0 < j.preference < 1.0
        assert sum(j.fields["label_probs"].values()) == pytest.approx(1.0, abs=1e-5)
        assert j.verdict in ("A", "B")


def test_logprob_pairwise_matches_label_loglikelihoods(engine: Engine, hf_smollm2: Backend, inputs) -> None:
    spec = JudgeSpec(model=HF, template="alpaca-eval", verdict="logprob", logprob_max_tokens=1)
    out = run_judge(engine, hf_smollm2, spec, inputs, baseline="terse")
    check_logprob_pairs(out, 2)
    assert all(j.provenance.sampling.top_logprobs == 20 for j in out)
    # the first-token distribution equals the exact probabilities of "m" and "M" as the answer's first token
    first = next(j for j in out if j.fields["logprob_source"] == "top_logprobs")
    item = inputs.items[(first.dataset, first.item_id)]
    from alignscope.judges.context import turn_variables
    from alignscope.judges.templates import load_template

    answers = {g.model: g.text for g in inputs.generations if g.item_id == item.id}
    messages = load_template("alpaca-eval").render(
        **turn_variables(item, 1, a=[answers[first.model_a]], b=[answers[first.model_b]]), logprob=True
    )
    outcomes = engine.loglikelihood(
        hf_smollm2, [LoglikelihoodRequest(context=messages, continuation=c) for c in "mM"]
    )
    p_m, p_big = (math.exp(o.result.logprob) for o in outcomes)
    assert first.preference == pytest.approx(p_m / (p_m + p_big), abs=2e-3)
    stored = engine.store.records("judgments", engine.run_id)
    assert len(stored) == 4 and {j.parse_status for j in stored} == {"logprob"}


def test_logprob_rubric_is_an_expected_score(engine: Engine, hf_smollm2: Backend, inputs) -> None:
    spec = JudgeSpec(model=HF, mode="rubric", verdict="logprob")
    out = run_judge(engine, hf_smollm2, spec, inputs)
    assert len(out) == 4 and {j.parse_status for j in out} == {"logprob"}
    for j in out:
        probs = j.fields["label_probs"]
        assert j.score == pytest.approx(sum(int(k) * p for k, p in probs.items()), abs=1e-4)
        assert 0.0 <= j.score <= 5.0


def test_text_verdicts_keep_failures_with_raw_text(engine: Engine, hf_smollm2: Backend) -> None:
    spec = JudgeSpec(model=HF, mode="pointwise", sampling={"max_tokens": 12}, parse_retries=1, turns="first")
    out = run_judge(engine, hf_smollm2, spec, mt_bench_inputs(1))
    assert len(out) == 2
    for j in out:
        assert j.raw  # the judge's text is kept either way
        if j.parse_status == "failed":
            assert j.fields["attempts"] == 2 and len(j.fields["earlier_raw"]) == 1 and j.score is None
        else:
            assert j.score == parse("rating_10", j.raw).score


def test_logprob_pairwise_through_a_llama_cpp_server(engine: Engine, llama_server: str) -> None:
    backend = make_backend(
        ModelSpec(name="srv", backend="openai", model="smollm2-135m", base_urls=[llama_server])
    )
    spec = JudgeSpec(model=backend.spec, template="alpaca-eval", verdict="logprob")
    out = run_judge(engine, backend, spec, mt_bench_inputs(1), baseline="terse")
    check_logprob_pairs(out, 1)
