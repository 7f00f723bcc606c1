"""Reading on from kept keys and values: the hf backend's conclusions of its own generations (the rubric
judge's "Score: " continuations) give the log-likelihoods and verdicts of reading the whole input again."""

from __future__ import annotations

from asyncio import run

import torch

from alignscope.backends.base import ChatRequest, LoglikelihoodRequest
from alignscope.backends.hf import HFBackend
from alignscope.backends.prefix_cache import PrefixCache
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.engine import Engine
from alignscope.judges.logprob import distribution_from_loglikelihoods
from alignscope.judges.parsing import CONCLUSIONS
from alignscope.records import Message, SamplingParams
from alignscope.store import RunStore
from alignscope.tasks.registry import TaskContext, get_task

ANSWER = (
    "The ocean covers about seventy percent of the Earth's surface and holds most of its water. It shapes "
    "the "
    "climate, carries heat from the equator toward the poles, and is home to a great variety of life, from "
    "plankton to whales. People rely on it for food, trade and travel."
)
RUBRIC = (
    "Review the user's question and the corresponding response using the additive 5-point scoring system. "
    "Add 1 point if the response is relevant, another if it addresses a substantial portion of the question, "
    "a third if it answers the basic elements usefully, a fourth if it is clearly written from an AI "
    "assistant's perspective, and a fifth if it is impeccably tailored. Conclude with the score using the "
    "format: Score: <total points>.\n\nUser: Write a few sentences about the ocean.\n\n<response>"
    f"{ANSWER}</response>\n\nAfter examining the user's instruction and the response, briefly justify your "
    "total score."
)
LABELS = [str(k) for k in range(6)]


def _plain(hf_smollm2: HFBackend) -> HFBackend:
    spec = ModelSpec(name="plain", backend="hf", model="smollm2-135m", options={"prefix_cache_mb": 0})
    backend = make_backend(spec)
    assert isinstance(backend, HFBackend) and backend.loaded is hf_smollm2.loaded
    return backend


def test_conclusions_after_generation_equal_reading_the_whole_input(hf_smollm2: HFBackend):
    messages = (Message(role="user", content=RUBRIC),)
    requests = [
        ChatRequest(
            messages=messages, sampling=SamplingParams(temperature=0.8, top_p=0.95, max_tokens=24, seed=s)
        )
        for s in range(3)
    ]
    judgments = run(hf_smollm2.generate(requests, "local"))
    assert len({j.text for j in judgments}) > 1
    conclusions = [
        LoglikelihoodRequest(context=messages, continuation=j.text + CONCLUSIONS.get("score_5").text + label)
        for j in judgments
        for label in LABELS
    ]
    hits = hf_smollm2.prefixes.hits
    reused = run(hf_smollm2.loglikelihood(conclusions, "local"))
    assert hf_smollm2.prefixes.hits - hits == len(judgments)  # one row per judgment, each read on
    plain = _plain(hf_smollm2)
    whole = [run(plain.loglikelihood([c], "local"))[0] for c in conclusions]  # each input read alone
    assert plain.prefixes.hits == 0 and len(plain.prefixes) == 0
    for a, b in zip(reused, whole, strict=True):
        assert a.n_tokens == b.n_tokens and a.is_greedy == b.is_greedy
        assert abs(a.logprob - b.logprob) < 1e-4
    for n in range(len(judgments)):
        fast, slow = (
            distribution_from_loglikelihoods(
                {lab: r.logprob for lab, r in zip(LABELS, rs[6 * n : 6 * n + 6], strict=True)}
            )
            for rs in (reused, whole)
        )
        assert fast.top() == slow.top()
        assert max(abs(fast.probs[k] - slow.probs[k]) for k in LABELS) < 1e-4


def test_generation_reading_each_prompt_once_equals_the_padded_batch(hf_smollm2: HFBackend):
    ocean = (Message(role="user", content="Write one sentence about the ocean."),)
    colours = (Message(role="user", content="List three colours and say which one you like best."),)
    requests = [
        ChatRequest(messages=m, sampling=SamplingParams(temperature=t, max_tokens=12, seed=s))
        for m in (ocean, colours)
        for t, s in ((0.8, 1), (0.8, 2), (0.0, None))
    ]
    hits = hf_smollm2.prefixes.hits
    kept = run(hf_smollm2.generate(requests, "local"))
    again = run(hf_smollm2.generate(requests[:3], "local"))  # the prompt now read on from its kept states
    assert hf_smollm2.prefixes.hits > hits
    plain = run(_plain(hf_smollm2).generate(requests, "local"))
    assert [r.text for r in kept] == [r.text for r in plain]
    assert [r.text for r in again] == [r.text for r in plain[:3]]
    assert [r.completion_tokens for r in kept] == [r.completion_tokens for r in plain]


def _segment(tokens: int, value: float = 0.0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(torch.full((1, 1, tokens, 2), value), torch.full((1, 1, tokens, 2), value)) for _ in range(2)]


def test_prefix_cache_longest_prefix_limit_and_byte_budget():
    per_token = 2 * 2 * 2 * 4  # layers x (keys, values) x head_dim x float32 bytes
    cache = PrefixCache(max_bytes=10 * per_token)
    prompt = _segment(4, 1.0)
    cache.put([1, 2, 3, 4, 5], [prompt, _segment(1, 5.0)])
    cache.put([1, 2, 3, 4, 6, 7], [prompt, _segment(2, 6.0)])
    assert cache.nbytes == 7 * per_token  # the shared prompt is held once
    found = cache.longest([1, 2, 3, 4, 6, 9], limit=10)
    assert found is not None and found.length == 5
    assert found.layers[0][0][0, 0, :, 0].tolist() == [1.0, 1.0, 1.0, 1.0, 6.0]
    assert cache.longest([1, 2, 3, 4, 6, 9], limit=3).length == 3
    assert cache.longest([1, 2, 3, 4, 6, 9], limit=10, minimum=6) is None
    assert cache.longest([9, 1], limit=10) is None
    assert cache.hits == 2
    cache.put([8, 8, 8, 8], [_segment(4, 8.0)])  # 11 tokens > 10: the least recently used (6, 7) goes
    assert len(cache) == 2 and cache.longest([1, 2, 3, 4, 6, 7], limit=10).length == 4
    PrefixCache(max_bytes=0).put([1], [_segment(1)])
    assert len(PrefixCache(max_bytes=0)) == 0


def test_a_choice_task_whose_shared_starts_get_kept_between_batches(hf_smollm2: HFBackend, tmp_path):
    # XSTest's short questions share the chat template's system prompt; the engine sends them in batches, so
    # later batches find shared starts kept whole by earlier ones
    spec = ModelSpec(name="smollm2", backend="hf", model="smollm2-135m", batch_size=8)
    task = get_task("xstest-mc")
    items = task.items(limit=10, seed=0)
    engine = Engine(RunStore(tmp_path), "x", progress=False)
    engine.store.start_run("x", "bench", {})
    out = task.evaluate(TaskContext(engine, hf_smollm2, spec), items)
    assert not out.failures and len(out.scores) == 10
    plain = _plain(hf_smollm2)
    for item, result in zip(items, out.results, strict=True):
        alone = [
            run(plain.loglikelihood([r], "local"))[0].logprob for r in task.choice_prompt(item).requests()
        ]
        assert max(abs(a - b) for a, b in zip(result["lls"], alone, strict=True)) < 1e-4
