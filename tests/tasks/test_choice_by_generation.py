"""Multiple choice by generation and parsing where the backend declares no chat log-likelihood: a real
chat server (llama.cpp serving SmolLM2; its OpenAI-compatible API scores raw text only), a user backend."""

from __future__ import annotations

from pathlib import Path

from alignscope.backends.hf import HFBackend
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.engine import Engine
from alignscope.store import RunStore
from alignscope.tasks.multiple_choice import can_score
from alignscope.tasks.registry import TaskContext, get_task
from alignscope.tasks.runner import run_bench


def test_chat_choice_tasks_fall_back_to_generation(tmp_path: Path, llama_server: str) -> None:
    tasks = [get_task("xstest-mc"), get_task("bbq")]
    spec = ModelSpec(name="srv", backend="openai", model="smollm2-135m", base_urls=[llama_server])
    backend = make_backend(spec)
    item = tasks[0].items(limit=1)[0]
    assert backend.supports_loglikelihood and not can_score(backend, tasks[0].choice_prompt(item))
    engine = Engine(RunStore(tmp_path), "by-generation", progress=False)
    result = run_bench(engine, [(spec, backend)], tasks, limit=3, max_tokens=8, n_boot=200)
    assert engine.stats.failures == 0 and engine.stats.calls_made == 6
    for score in result.tasks:
        assert score.n == 3 and score.n_failed == 0
    store = RunStore(tmp_path)
    for task in tasks:
        answers = store.records("generations", run_id="by-generation", variant=task.name)
        assert len(answers) == 3 and all(g.text for g in answers)
        for stored in store.records("scores", run_id="by-generation", task=task.name):
            fields = stored.fields
            assert "response" in fields and "parsed" in fields
            assert stored.value == float(
                fields["choice"] is not None
                and fields["choice"]
                in task.gold(next(it for it in task.items(limit=3) if it.id == stored.item_id))
            )
            assert stored.provenance.sampling is not None and stored.provenance.sampling.max_tokens == 8


class TextOnlyBackend(HFBackend):
    """A user backend (its own kind) that scores raw-text contexts only, as it declares."""

    kind = "user-text-only"

    @property
    def supports_chat_loglikelihood(self) -> bool:
        return False


def test_the_declared_capability_not_the_kind_decides(tmp_path: Path, hf_smollm2: HFBackend) -> None:
    text_only = TextOnlyBackend(hf_smollm2.spec, hf_smollm2.local)  # shares the loaded weights
    task, mmlu = get_task("xstest-mc"), get_task("mmlu")
    items = task.items(limit=2)
    assert can_score(text_only, mmlu.choice_prompt(mmlu.items(limit=1)[0]))  # raw text: by likelihood
    engine = Engine(RunStore(tmp_path), "capability", progress=False)
    by_likelihood = task.evaluate(TaskContext(engine, hf_smollm2, hf_smollm2.spec), items)
    by_generation = task.evaluate(TaskContext(engine, text_only, hf_smollm2.spec, max_tokens=8), items)
    assert not by_likelihood.generations and all(len(r["lls"]) == 2 for r in by_likelihood.results)
    assert [g.item_id for g in by_generation.generations[task.name]] == [it.id for it in items]
    assert all("parsed" in r and "lls" not in r for r in by_generation.results)
    assert engine.stats.failures == 0
