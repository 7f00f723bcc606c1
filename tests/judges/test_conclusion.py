"""Concluding text verdicts that never parsed, on the embedded SmolLM2: Arena-Hard's five verdicts and
MT-Bench's ten ratings read from the judge's likelihood of each label after its own text equal the exact
log-likelihoods read one request at a time; ``unparsed: fail`` keeps the failures; a backend that scores no
continuation after chat messages, or a verdict format without a conclusion, is handled as documented."""

from __future__ import annotations

import math
from asyncio import run
from dataclasses import replace

import pytest

from alignscope.backends.base import Backend, LoglikelihoodRequest
from alignscope.backends.hf import HFBackend, _shared_groups
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError
from alignscope.judges import JudgeCall, JudgeSpec, run_calls
from alignscope.judges.conclusion import conclude
from alignscope.judges.parsing import CONCLUSIONS, GRADED, preference_of
from alignscope.judges.templates import load_template
from alignscope.records import Item, Judgment, Message, SamplingParams
from tests.judges.test_smollm2 import HF

QUESTION = "What is the capital of France? Answer in one sentence."
ANSWERS = ("The capital of France is Paris.", "I don't know.")
PLAIN = ModelSpec(name="plain", backend="hf", model="smollm2-135m", options={"prefix_cache_mb": 0})


@pytest.fixture(scope="module")
def item() -> Item:
    return Item(id="q1", dataset="toy", messages=[Message(role="user", content=QUESTION)])


def _spec(unparsed: str = "conclude") -> JudgeSpec:
    # 6 tokens never reach the verdict line, so every judgment is unparsed
    sampling = SamplingParams(temperature=0.0, max_tokens=6)
    return JudgeSpec(model=HF, sampling=sampling, parse_retries=0, unparsed=unparsed)


def _arena_calls(item: Item) -> list[JudgeCall]:
    template = load_template("arena-hard")
    return [
        JudgeCall(template.render(question=QUESTION, answer_a=a, answer_b=b), template, item, ma, mb, swapped)
        for (a, ma), (b, mb), swapped in (
            ((ANSWERS[0], "good"), (ANSWERS[1], "bad"), False),
            ((ANSWERS[1], "bad"), (ANSWERS[0], "good"), True),
        )
    ]


def _rating_calls(item: Item) -> list[JudgeCall]:
    template = load_template("mt-bench-single")
    return [JudgeCall(template.render(question=QUESTION, answer=a), template, item, m) for a, m in
            zip(ANSWERS, ("good", "bad"), strict=True)]  # fmt: skip


def _one_at_a_time(backend: Backend, j: Judgment, call: JudgeCall) -> dict[str, float]:
    """P(label) from each label's log-likelihood, every request read alone and whole."""
    ending = CONCLUSIONS.get(call.template.parser)
    logprobs = {
        label: run(
            backend.loglikelihood(
                [LoglikelihoodRequest(context=call.messages, continuation=j.raw + ending.text + label)],
                "local",
            )
        )[0].logprob
        for label in ending.labels
    }
    total = sum(math.exp(v) for v in logprobs.values())
    return {k: math.exp(v) / total for k, v in logprobs.items()}


def _concluded(engine: Engine, backend: HFBackend, calls: list[JudgeCall]) -> list[tuple[Judgment, dict]]:
    """Each call's concluded Judgment with its exact label distribution."""
    out = run_calls(engine, backend, _spec(), calls)
    plain = make_backend(PLAIN)
    return [(j, _one_at_a_time(plain, j, call)) for j, call in zip(out, calls, strict=True)]


def test_arena_hard_verdicts_are_concluded_from_the_five_label_likelihoods(
    engine: Engine, hf_smollm2: HFBackend, item: Item
) -> None:
    for j, exact in _concluded(engine, hf_smollm2, _arena_calls(item)):
        assert j.parse_status == "logprob" and j.fields["score_source"] == "conclusion"
        assert "no [[verdict]]" in j.fields["unparsed"] and "failure" not in j.fields
        probs = {k.removesuffix("]]"): v for k, v in j.fields["label_probs"].items()}
        assert set(probs) == set(GRADED) and sum(probs.values()) == pytest.approx(1.0, abs=1e-5)
        assert j.verdict == max(probs, key=probs.get)
        assert j.preference == pytest.approx(sum(p * preference_of(v) for v, p in probs.items()), abs=1e-5)
        assert j.fields["concluded_text"] == j.raw + "\n\nMy final verdict is: [[" + j.verdict + "]]"
        assert j.fields["label_probs"] == pytest.approx(exact, abs=2e-4)


def test_mt_bench_ratings_are_the_expected_rating_and_fail_leaves_them_out(
    engine: Engine, hf_smollm2: HFBackend, item: Item
) -> None:
    concluded = _concluded(engine, hf_smollm2, _rating_calls(item))
    for j, exact in concluded:
        probs = j.fields["label_probs"]
        assert j.parse_status == "logprob" and set(probs) == {f"{k}]]" for k in range(1, 11)}
        assert j.score == pytest.approx(sum(int(k[:-2]) * p for k, p in probs.items()), abs=1e-4)
        assert 1 <= j.score <= 10
        assert probs == pytest.approx(exact, abs=2e-4)
    failed = run_calls(engine, hf_smollm2, _spec("fail"), _rating_calls(item))
    assert [j.parse_status for j in failed] == ["failed"] * 2
    assert [j.raw for j in failed] == [j.raw for j, _ in concluded]  # the same cached judgments


def test_what_cannot_be_concluded(engine: Engine, hf_smollm2: HFBackend, item: Item, echo_backend) -> None:
    calls = _arena_calls(item)
    failed = run_calls(engine, hf_smollm2, _spec("fail"), calls)
    assert conclude(engine, echo_backend, calls, failed) == failed  # no chat log-likelihoods: unchanged
    meta = load_template("meta-rewarding")
    with pytest.raises(ConfigError, match="meta_winner"):
        conclude(engine, hf_smollm2, [replace(c, template=meta) for c in calls], failed)


def test_shared_groups_are_runs_sharing_half_of_the_shorter_input() -> None:
    a, b, c = (1, 2, 3, 4, 5), (1, 2, 3, 4, 6, 7), (1, 2, 3, 9)
    assert _shared_groups([b, c, a]) == [((1, 2, 3), [a, b, c])]
    assert _shared_groups([(1, 2, 3, 4), (1, 9, 9, 9)]) == []  # 1 token shared: not enough
    assert _shared_groups([(5, 6), (5, 6, 7, 8), (1, 2, 3, 4), (1, 2, 3, 5)]) == [
        ((1, 2, 3), [(1, 2, 3, 4), (1, 2, 3, 5)]),
        ((5, 6), [(5, 6), (5, 6, 7, 8)]),
    ]
    assert _shared_groups([]) == [] and _shared_groups([(1, 2)]) == []
