"""The llamacpp backend on the embedded SmolLM2 GGUF: llama.cpp's server engine in-process answers chat and
raw-text requests in parallel slots with the prompt the hf backend builds, its log-probabilities match the
hf backend's reading of the same file, and log-likelihoods are the hf backend's own numbers."""

from __future__ import annotations

from asyncio import run
from pathlib import Path

import httpx
import pytest
import torch

from alignscope.backends.base import ChatRequest, LoglikelihoodRequest
from alignscope.backends.hf import HFBackend
from alignscope.backends.llamacpp import LlamaCppBackend
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.engine import Engine
from alignscope.errors import BackendError, PermanentBackendError
from alignscope.records import Message, SamplingParams
from alignscope.store import RunStore

QUESTIONS = ["Name a primary color.", "What is two plus two?", "Give one word for a large body of water."]


def _backend(**fields) -> LlamaCppBackend:
    spec = ModelSpec(name="smollm2-llamacpp", backend="llamacpp", model="smollm2-135m", **fields)
    backend = make_backend(spec)
    assert isinstance(backend, LlamaCppBackend)
    return backend


@pytest.fixture(scope="module")
def llamacpp() -> LlamaCppBackend:
    return _backend(batch_size=4)


def _ask(text: str, **sampling) -> ChatRequest:
    return ChatRequest(messages=(Message(role="user", content=text),), sampling=SamplingParams(**sampling))


def test_the_chat_prompt_is_the_one_the_hf_backend_builds(llamacpp: LlamaCppBackend, hf_smollm2: HFBackend):
    for system_prompt in (None, "Answer in one word."):
        variant = _backend(batch_size=4, system_prompt=system_prompt)
        assert variant.server is llamacpp.server  # variants of one file share one server
        messages = (Message(role="user", content=QUESTIONS[0]),)
        chat = variant.scorer.chat_text(messages)
        address = f"{variant.server.server.listening_address}/apply-template"
        body = {"messages": [{"role": "user", "content": QUESTIONS[0]}]}
        if system_prompt:
            body["messages"].insert(0, {"role": "system", "content": system_prompt})
        assert httpx.post(address, json=body, timeout=30).status_code == 401  # llama.cpp's listener is closed
        key = {"Authorization": f"Bearer {variant.server.http_key}"}  # to all but this process
        rendered = httpx.post(address, json=body, headers=key, timeout=30).json()["prompt"]
        assert rendered == chat
        result = run(variant.generate([ChatRequest(messages=messages)], "local"))[0]
        assert result.prompt_tokens == len(hf_smollm2.tokenizer.encode(chat, add_special_tokens=False))


def test_parallel_requests_come_back_in_order_and_agree_with_hf(
    llamacpp: LlamaCppBackend, hf_smollm2: HFBackend
):
    requests = [_ask(q, max_tokens=8, temperature=0.0, top_logprobs=5) for q in QUESTIONS]
    results = run(llamacpp.generate(requests, "local"))
    for request, result in zip(requests, results, strict=True):
        chat = hf_smollm2.chat_text(request.messages)
        assert result.prompt_tokens == len(hf_smollm2.tokenizer.encode(chat, add_special_tokens=False))
        assert result.completion_tokens == 8 and result.finish_reason == "length" and result.text
        first = result.logprobs[0]
        assert first.top[first.token] == pytest.approx(first.logprob)
        assert first.logprob == max(first.top.values())  # greedy takes the top token
        # the same file read by transformers gives the first token nearly the same log-probability (the
        # template's closing newline moves into the continuation, as in lm-eval, at a probability near 1)
        read = LoglikelihoodRequest(context=request.messages, continuation=first.token)
        hf = run(hf_smollm2.loglikelihood([read], "local"))[0]
        assert hf.is_greedy and hf.logprob == pytest.approx(first.logprob, abs=0.15)


def test_raw_text_prompts_and_stop_sequences(llamacpp: LlamaCppBackend):
    four = SamplingParams(max_tokens=4)
    prompt = ChatRequest(messages=(), prompt="The capital of France is", sampling=four)
    ask = _ask("Write a sentence about the sea.", max_tokens=24, temperature=0.0)
    continued, whole = run(llamacpp.generate([prompt, ask], "local"))
    assert "Paris" in continued.text and continued.prompt_tokens == 5
    stop = whole.text.split()[3]  # a word in the middle of the greedy answer
    cut = _ask(ask.messages[0].content, max_tokens=24, temperature=0.0, stop=(stop,))
    stopped = run(llamacpp.generate([cut], "local"))[0]
    assert stopped.finish_reason == "stop" and stopped.text == whole.text[: whole.text.index(stop)]


def test_log_likelihoods_are_the_hf_backends_and_share_its_cache(
    llamacpp: LlamaCppBackend, hf_smollm2: HFBackend, tmp_path: Path
):
    requests = [
        LoglikelihoodRequest(context="The capital of France is", continuation=c) for c in (" Paris", " Rome")
    ]
    assert llamacpp.supports_chat_loglikelihood
    engine = Engine(RunStore(tmp_path), "ll", progress=False)
    engine.store.start_run("ll", "test", {})
    ours = [o.result.logprob for o in engine.loglikelihood(llamacpp, requests)]
    assert ours == [r.logprob for r in run(hf_smollm2.loglikelihood(requests, "local"))]
    assert ours[0] > ours[1]
    engine.loglikelihood(hf_smollm2, requests)  # keyed alike: the hf backend finds them stored
    assert engine.stats.calls_made == 2 and engine.stats.cache_hits == 2


def test_a_finished_run_repeats_no_generation(llamacpp: LlamaCppBackend, tmp_path: Path):
    requests = [_ask(q, max_tokens=6, temperature=0.0) for q in QUESTIONS]
    first = Engine(RunStore(tmp_path), "gen", progress=False)
    first.store.start_run("gen", "test", {})
    texts = [o.result.text for o in first.generate(llamacpp, requests)]
    again = Engine(RunStore(tmp_path), "gen", progress=False)
    assert [o.result.text for o in again.generate(llamacpp, requests)] == texts
    assert first.stats.calls_made == 3 and again.stats.calls_made == 0 and again.stats.cache_hits == 3
    assert llamacpp.identity()["kind"] == "llamacpp" and llamacpp.identity()["dtype"] == "gguf"


def test_an_overlong_prompt_fails_alone_with_one_line(llamacpp: LlamaCppBackend):
    small = _backend(batch_size=2, options={"slot_context": 256})
    with pytest.raises(PermanentBackendError, match="exceeds the available context size") as err:
        run(small.generate([_ask("word " * 400, max_tokens=4)], "local"))
    assert "\n" not in str(err.value)
    assert run(small.generate([_ask("Hi", max_tokens=2)], "local"))[0].completion_tokens == 2


def test_a_hf_directory_is_refused_with_the_backend_to_use(tmp_path: Path):
    (tmp_path / "config.json").write_text("{}")
    spec = ModelSpec(name="dir", backend="llamacpp", model=str(tmp_path))
    with pytest.raises(BackendError, match="runs GGUF files.*use the hf backend"):
        make_backend(spec)


def test_a_model_named_without_a_backend_runs_where_it_is_fastest(tmp_path: Path):
    gguf = ModelSpec.parse("smollm2-135m")
    assert gguf.backend == "auto" and gguf.name == "smollm2-135m"
    assert isinstance(make_backend(gguf), LlamaCppBackend)  # a GGUF file on the CPU: llama.cpp
    (tmp_path / "config.json").write_text("{}")
    assert isinstance(make_backend(ModelSpec.parse(str(tmp_path))), HFBackend)  # a HF directory: transformers
    on_gpu = ModelSpec(name="gpu", model="smollm2-135m", device="cuda")  # a GPU: transformers
    if torch.cuda.is_available():
        assert isinstance(make_backend(on_gpu), HFBackend)
    else:
        with pytest.raises(BackendError, match="CUDA is not available"):  # the hf backend's own check
            make_backend(on_gpu)
