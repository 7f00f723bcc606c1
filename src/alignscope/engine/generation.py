"""Turn Items into Generations for one model: system prompt variants, multi-turn items, provenance."""

from __future__ import annotations

from collections.abc import Sequence

from alignscope.backends.base import Backend, ChatRequest, ChatResult
from alignscope.config import ModelSpec
from alignscope.engine.runner import Engine
from alignscope.records import Generation, Item, Message, Provenance, SamplingParams


def generate_items(
    engine: Engine,
    backend: Backend,
    spec: ModelSpec,
    items: Sequence[Item],
    sampling: SamplingParams,
    desc: str | None = None,
    prompts: Sequence[str] | None = None,
) -> list[Generation]:
    """One Generation per Item, in order. For Items with later ``turns`` (MT-Bench), each turn is asked after
    the model's own earlier answers; a failed call ends that Item with ``error`` set. ``prompts`` (single-turn
    Items only): one raw text per Item, continued verbatim instead of its messages (ChatRequest.prompt)."""
    raw = dict(zip((it.id for it in items), prompts, strict=True)) if prompts is not None else {}
    convs = {it.id: list(it.messages) for it in items}  # the backend adds the spec's system prompt
    answers: dict[str, list[ChatResult | None]] = {it.id: [] for it in items}
    errors: dict[str, str] = {}
    n_turns = max((1 + len(it.turns) for it in items), default=0)
    for turn in range(n_turns):
        active = [it for it in items if turn <= len(it.turns) and it.id not in errors]
        if not active:
            break
        if turn > 0:
            for it in active:
                prev = answers[it.id][-1]
                convs[it.id] += [
                    Message(role="assistant", content=prev.text if prev else ""),
                    Message(role="user", content=it.turns[turn - 1]),
                ]
        reqs = [
            ChatRequest(messages=tuple(convs[it.id]), sampling=sampling, prompt=raw.get(it.id))
            for it in active
        ]
        label = desc or f"{spec.name}"
        outcomes = engine.generate(backend, reqs, desc=label if n_turns == 1 else f"{label} turn {turn + 1}")
        for it, out in zip(active, outcomes, strict=True):
            answers[it.id].append(out.result)
            if out.error:
                errors[it.id] = out.error
    gens = []
    for it in items:
        results = [r for r in answers[it.id] if r is not None]
        last = results[-1] if results else None
        gens.append(
            Generation(
                item_id=it.id,
                dataset=it.dataset,
                model=spec.name,
                text=last.text if last else "",
                prompt_tokens=last.prompt_tokens if last else None,
                completion_tokens=sum(r.completion_tokens or 0 for r in results) if results else None,
                finish_reason=last.finish_reason if last else None,
                logprobs=[t.model_dump() for t in last.logprobs] if last and last.logprobs else None,
                turns=[r.text for r in results] if it.turns else [],
                error=errors.get(it.id),
                run_id=engine.run_id,
                provenance=Provenance(
                    model=spec.model,
                    backend=spec.backend,
                    sampling=sampling,
                    data_version=it.data_version,
                    system_prompt=spec.system_prompt,
                ),
            )
        )
    return gens
