"""The hf backend on the real embedded SmolLM2-135M-Instruct (GGUF dequantised into torch)."""

from __future__ import annotations

from asyncio import run

import pytest
import torch

from alignscope.backends.base import ChatRequest, LoglikelihoodRequest
from alignscope.backends.hf import HFBackend
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.errors import PermanentBackendError
from alignscope.records import Message, SamplingParams

FRANCE = (Message(role="user", content="What is the capital of France?"),)
PROMPTS = [
    "What is the capital of France?",
    "Write one sentence about the ocean.",
    "List three colours.",
    "What is 2 + 2?",
    "Name a famous scientist and say why they are famous.",
    "Translate 'good morning' into Spanish.",
]


def ask(text: str, **sampling) -> ChatRequest:
    return ChatRequest(messages=(Message(role="user", content=text),), sampling=SamplingParams(**sampling))


def test_greedy_answer_names_paris_with_token_counts(hf_smollm2: HFBackend):
    [result] = run(
        hf_smollm2.generate([ChatRequest(messages=FRANCE, sampling=SamplingParams(max_tokens=40))], "local")
    )
    assert "Paris" in result.text
    assert result.finish_reason == "stop"  # ended at <|im_end|> well before 40 tokens
    tokenizer = hf_smollm2.loaded.tokenizer
    assert result.prompt_tokens == len(
        tokenizer.encode(hf_smollm2.chat_text(FRANCE), add_special_tokens=False)
    )
    assert result.completion_tokens == hf_smollm2.count_tokens(result.text)


def test_batched_and_one_at_a_time_greedy_outputs_are_identical(hf_smollm2: HFBackend):
    requests = [ask(p, max_tokens=16) for p in PROMPTS]
    batched = run(hf_smollm2.generate(requests, "local"))
    alone = [run(hf_smollm2.generate([r], "local"))[0] for r in requests]
    assert [r.text for r in batched] == [r.text for r in alone]
    assert [r.completion_tokens for r in batched] == [r.completion_tokens for r in alone]
    assert [r.prompt_tokens for r in batched] == [r.prompt_tokens for r in alone]
    assert len({r.text for r in batched}) == len(PROMPTS)


def test_stop_sequence_truncates_at_its_first_occurrence(hf_smollm2: HFBackend):
    [free] = run(hf_smollm2.generate([ask(PROMPTS[1], max_tokens=40)], "local"))
    words = free.text.split()
    assert len(words) > 3
    stop = " " + words[2]
    [stopped] = run(hf_smollm2.generate([ask(PROMPTS[1], max_tokens=40, stop=(stop, "zzqx"))], "local"))
    assert stopped.text == free.text[: free.text.index(stop)]
    assert stopped.finish_reason == "stop"
    assert stopped.completion_tokens < free.completion_tokens


def test_max_tokens_ends_with_length(hf_smollm2: HFBackend):
    [result] = run(hf_smollm2.generate([ask(PROMPTS[4], max_tokens=5)], "local"))
    assert result.completion_tokens == 5
    assert result.finish_reason == "length"


def test_a_prompt_longer_than_the_context_is_a_permanent_error(hf_smollm2: HFBackend):
    long = ask("word " * 8200, max_tokens=16)
    with pytest.raises(PermanentBackendError, match=r"exceeds the model's context of 8192 tokens"):
        run(hf_smollm2.generate([long], "local"))


def test_logprobs_and_top_logprobs_of_generated_tokens(hf_smollm2: HFBackend):
    [result] = run(
        hf_smollm2.generate([ask(PROMPTS[0], max_tokens=12, logprobs=True, top_logprobs=3)], "local")
    )
    assert result.logprobs is not None
    assert len(result.logprobs) == result.completion_tokens
    assert "".join(t.token for t in result.logprobs) == result.text
    for token in result.logprobs:
        assert len(token.top) == 3
        assert token.logprob <= 0
        assert abs(max(token.top.values()) - token.logprob) < 1e-5  # greedy picks the most likely token
    [plain] = run(hf_smollm2.generate([ask(PROMPTS[0], max_tokens=12)], "local"))
    assert plain.logprobs is None and plain.text == result.text


def test_seeded_sampling_is_reproducible_and_independent_of_the_batch(hf_smollm2: HFBackend):
    sampled = ask(PROMPTS[1], max_tokens=12, temperature=1.0, seed=7)
    others = [ask(PROMPTS[2], max_tokens=12), ask(PROMPTS[3], max_tokens=12, temperature=0.8, seed=1)]
    [alone] = run(hf_smollm2.generate([sampled], "local"))
    in_batch = run(hf_smollm2.generate([others[0], sampled, others[1]], "local"))
    [greedy_alone] = run(hf_smollm2.generate([others[0]], "local"))
    assert in_batch[1].text == alone.text
    assert in_batch[0].text == greedy_alone.text
    [reseeded] = run(hf_smollm2.generate([ask(PROMPTS[1], max_tokens=12, temperature=1.0, seed=8)], "local"))
    assert reseeded.text != alone.text


def test_loglikelihood_ranks_the_correct_continuation_first(hf_smollm2: HFBackend):
    requests = [
        LoglikelihoodRequest(context="The capital of France is", continuation=" Paris"),
        LoglikelihoodRequest(context="The capital of France is", continuation=" Berlin"),
        LoglikelihoodRequest(context=FRANCE, continuation="The capital of France is Paris."),
        LoglikelihoodRequest(context=FRANCE, continuation="The capital of France is London."),
    ]
    paris, berlin, chat_paris, chat_london = run(hf_smollm2.loglikelihood(requests, "local"))
    assert paris.logprob > berlin.logprob
    assert paris.is_greedy and not berlin.is_greedy
    assert paris.n_tokens == 1
    assert chat_paris.logprob > chat_london.logprob


def test_loglikelihood_matches_a_direct_forward_pass_and_lm_eval_tokenisation(hf_smollm2: HFBackend):
    request = LoglikelihoodRequest(
        context="Water boils at a temperature of", continuation=" 100 degrees Celsius"
    )
    other = LoglikelihoodRequest(context="Hi", continuation=" there, friend")
    batched = run(hf_smollm2.loglikelihood([request, other], "local"))[0]
    tokenizer, model = hf_smollm2.loaded.tokenizer, hf_smollm2.loaded.model
    context_ids = tokenizer.encode(request.context, add_special_tokens=False)
    whole = tokenizer.encode(request.context + request.continuation, add_special_tokens=False)
    with torch.inference_mode():
        logprobs = torch.log_softmax(model(torch.tensor([whole])).logits[0].float(), dim=-1)
    expected = sum(logprobs[i - 1, whole[i]].item() for i in range(len(context_ids), len(whole)))
    assert batched.n_tokens == len(whole) - len(context_ids)
    assert abs(batched.logprob - expected) < 1e-3
    # lm-eval moves the context's trailing space onto the continuation
    [moved] = run(
        hf_smollm2.loglikelihood([LoglikelihoodRequest(context="Hi ", continuation="there, friend")], "local")
    )
    [same] = run(hf_smollm2.loglikelihood([other], "local"))
    assert moved == same
    # an empty context scores from the BOS token
    [empty] = run(hf_smollm2.loglikelihood([LoglikelihoodRequest(context="", continuation="Hello")], "local"))
    assert empty.n_tokens == len(tokenizer.encode("Hello", add_special_tokens=False)) and empty.logprob < 0


def test_one_token_options_after_one_context_share_a_row_and_score_as_alone(hf_smollm2: HFBackend):
    context = "Question: 2 + 2 = ?\nA. 3\nB. 4\nC. 5\nAnswer:"
    options = [LoglikelihoodRequest(context=context, continuation=f" {x}") for x in "ABC"]
    longer = LoglikelihoodRequest(context="Hi", continuation=" there, friend")
    batched = run(hf_smollm2.loglikelihood([*options, longer], "local"))
    alone = [run(hf_smollm2.loglikelihood([r], "local"))[0] for r in (*options, longer)]
    for b, a in zip(batched, alone, strict=True):
        assert b.n_tokens == a.n_tokens and b.is_greedy == a.is_greedy
        assert abs(b.logprob - a.logprob) < 1e-4
    assert len({b.logprob for b in batched[:3]}) == 3


def test_system_prompt_variants_share_one_loaded_model(hf_smollm2: HFBackend):
    variant = make_backend(
        ModelSpec(name="pirate", backend="hf", system_prompt="You are a pirate.", batch_size=8)
    )
    assert isinstance(variant, HFBackend)
    assert variant.loaded is hf_smollm2.loaded
    assert variant.identity() != hf_smollm2.identity()
    assert variant.identity()["weights"] == hf_smollm2.identity()["weights"]
    assert "You are a pirate." in variant.chat_text(FRANCE)
    assert "You are a pirate." not in hf_smollm2.chat_text(FRANCE)


def test_a_variant_with_its_own_chat_template_leaves_the_shared_tokenizer_alone(hf_smollm2: HFBackend):
    template = (
        "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}[assistant] {% endif %}"
    )
    plain = make_backend(ModelSpec(name="plain", backend="hf", options={"chat_template": template}))
    assert isinstance(plain, HFBackend) and plain.loaded is hf_smollm2.loaded
    assert plain.chat_text(FRANCE) == "[user] What is the capital of France?\n[assistant] "
    assert hf_smollm2.chat_text(FRANCE).startswith("<|im_start|>system")
    assert plain.identity()["chat_template"] != hf_smollm2.identity()["chat_template"]
