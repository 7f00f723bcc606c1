"""Cache keys: system-prompt variants of one model share raw-text answers, never chat-formatted ones."""

from __future__ import annotations

from pathlib import Path

from alignscope.backends.base import ChatRequest, LoglikelihoodRequest
from alignscope.backends.hf import HFBackend
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.engine.runner import Engine, call_key
from alignscope.records import Message, SamplingParams
from alignscope.store import RunStore

TEXT = LoglikelihoodRequest(context="Question: 2 + 2 = ?\nAnswer:", continuation=" 4")
CHAT = LoglikelihoodRequest(context=(Message(role="user", content="2 + 2 = ?"),), continuation="4")
GREEDY = SamplingParams(max_tokens=4, temperature=0.0)
PROMPT = ChatRequest(messages=(), prompt="The capital of France is", sampling=GREEDY)
TURN = ChatRequest(messages=(Message(role="user", content="The capital of France?"),), sampling=GREEDY)


def _pirate() -> HFBackend:
    spec = ModelSpec(name="pirate", backend="hf", system_prompt="You are a pirate.", batch_size=8)
    backend = make_backend(spec)
    assert isinstance(backend, HFBackend)
    return backend


def test_raw_text_keys_ignore_the_system_prompt_and_chat_keys_do_not(hf_smollm2: HFBackend) -> None:
    pirate = _pirate()
    assert call_key(pirate, "loglikelihood", TEXT) == call_key(hf_smollm2, "loglikelihood", TEXT)
    assert call_key(pirate, "generate", PROMPT) == call_key(hf_smollm2, "generate", PROMPT)
    assert call_key(pirate, "loglikelihood", CHAT) != call_key(hf_smollm2, "loglikelihood", CHAT)
    assert call_key(pirate, "generate", TURN) != call_key(hf_smollm2, "generate", TURN)
    assert pirate.request_identity(CHAT) == pirate.identity() != pirate.request_identity(TEXT)


def test_a_variant_reuses_the_raw_text_answers_of_its_model(hf_smollm2: HFBackend, tmp_path: Path) -> None:
    store = RunStore(tmp_path / "ws")
    store.start_run("variants", "bench", {})
    engine = Engine(store, "variants", progress=False)
    base = engine.loglikelihood(hf_smollm2, [TEXT, CHAT])
    assert engine.stats.calls_made > 0 and engine.stats.cache_hits == 0
    made = engine.stats.calls_made
    variant = engine.loglikelihood(_pirate(), [TEXT, CHAT])
    assert engine.stats.cache_hits == 1  # the raw-text request; the chat one is asked again
    assert engine.stats.calls_made > made
    assert variant[0].cached and variant[0].result == base[0].result
    assert not variant[1].cached and variant[1].result is not None
    assert variant[1].result.logprob != base[1].result.logprob  # the system prompt reached the model
