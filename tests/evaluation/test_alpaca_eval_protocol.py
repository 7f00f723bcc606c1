"""The AlpacaEval 2 judge requests alignscope sends are AlpacaEval's weighted_alpaca_eval_gpt4_turbo requests:
its prompt file (tests/evaluation/data, read as AlpacaEval reads ChatML) filled with the instruction and the
two outputs, one token with the top 5 log-probabilities, m (the first output) against M."""

from __future__ import annotations

from pathlib import Path

from alignscope.config import ModelSpec
from alignscope.data import load_items
from alignscope.evaluation.benchmarks import ALPACA_EVAL
from alignscope.evaluation.config import BenchmarkSettings
from alignscope.evaluation.run import baseline_generations, judge_spec
from alignscope.judges.pairwise import Pair, pair_calls
from alignscope.judges.templates import load_template
from alignscope.records import Generation, Provenance

PROMPT = Path(__file__).parent / "data" / "alpaca_eval_clf.txt"


def chatml_messages(prompt: str) -> list[dict[str, str]]:
    """AlpacaEval's ``prompt_to_chatml``: one message per ``<|im_start|>role`` block, content stripped."""
    prompt = prompt.strip()
    assert prompt.startswith("<|im_start|>") and prompt.endswith("<|im_end|>")
    out = []
    for block in prompt.split("<|im_start|>")[1:]:
        role, rest = block.split("\n", 1)
        out.append({"role": role.strip(), "content": rest.split("<|im_end|>", 1)[0].strip()})
    return out


def protocol_request(instruction: str, output_1: str, output_2: str) -> list[dict[str, str]]:
    text = PROMPT.read_text(encoding="utf-8")
    for name, value in (("instruction", instruction), ("output_1", output_1), ("output_2", output_2)):
        text = text.replace("{" + name + "}", value)
    return chatml_messages(text)


def test_alpaca_eval_requests_are_the_weighted_gpt4_turbo_annotators() -> None:
    items = load_items("alpaca_eval", limit=3, seed=0)
    baseline = baseline_generations(items)
    answers = [
        Generation(item_id=it.id, dataset=it.dataset, model="m", text=f"My answer to {it.id}:\n- one\n- two",
                   provenance=Provenance(model="m", backend="file"))
        for it in items
    ]  # fmt: skip
    spec = judge_spec(ALPACA_EVAL, ModelSpec.parse("hf:smollm2-135m"), BenchmarkSettings())
    template = load_template(spec.template_ref)
    calls = pair_calls(
        spec, template, [Pair(it, b, a) for it, b, a in zip(items, baseline, answers, strict=True)]
    )
    assert len(calls) == 2 * len(items)  # both orders
    for call in calls:
        item = call.item
        texts = {g.model: g.text for g in [*baseline, *answers] if g.item_id == item.id}
        expected = protocol_request(item.prompt, texts[call.model_a], texts[call.model_b])
        assert [m.model_dump(include={"role", "content"}) for m in call.messages] == expected
    assert template.meta["labels"] == {"m": "A", "M": "B"}  # m: the output shown first
    sampling = spec.logprob_sampling()
    assert (spec.verdict, sampling.max_tokens, sampling.top_logprobs, sampling.logprobs) == (
        "logprob",
        1,
        5,
        True,
    )
