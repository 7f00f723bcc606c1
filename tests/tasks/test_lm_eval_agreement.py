"""Log-likelihood multiple choice agrees with lm-evaluation-harness on the embedded SmolLM2, per question.

lm-eval's own ``hf`` model class (wrapping the weights alignscope loaded) and task configs
(``mmlu_<subject>``, ``truthfulqa_mc1``) score seeded questions of MMLU and TruthfulQA MC1 (the shortest of a
seeded sample, for speed); alignscope's hf backend scores the same questions through the engine. Every
option's log-likelihood must match, so predictions and accuracies match. The 200-question comparison, with
lm-eval loading the GGUF itself, and timings: ``benchmarks/bench_tasks.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from alignscope.backends.hf import HFBackend
from alignscope.data import load_items
from alignscope.engine import Engine
from alignscope.records import Item
from alignscope.store import RunStore
from alignscope.tasks.registry import TaskContext, get_task
from alignscope.testing.lm_eval_reference import (
    hf_model,
    lm_eval_run,
    mmlu_configs,
    sample_loglikelihoods,
    truthfulqa_config,
)

N_MMLU, N_MC1, SEED = 16, 4, 11


def _shortest(items: list[Item], n: int) -> list[Item]:
    keep = {
        it.id for it in sorted(items, key=lambda it: len(it.target["question"]) * len(it.choices or []))[:n]
    }
    return [it for it in items if it.id in keep]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, hf_smollm2: HFBackend) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("lm_eval_agreement")
    mmlu, mc1 = get_task("mmlu"), get_task("truthfulqa-mc1")
    mmlu_items = _shortest(mmlu.items(limit=4 * N_MMLU, seed=SEED), N_MMLU)
    mc1_items = _shortest(mc1.items(limit=4 * N_MC1, seed=SEED), N_MC1)
    configs = [
        *mmlu_configs(mmlu_items, load_items("mmlu-dev"), folder),
        truthfulqa_config(mc1_items, folder, 1),
    ]
    reference = lm_eval_run(hf_model(loaded=hf_smollm2.loaded), configs)
    engine = Engine(RunStore(folder / "ws"), "agreement", progress=False)
    ctx = TaskContext(engine, hf_smollm2, hf_smollm2.spec)
    return {
        "mmlu": (mmlu_items, mmlu.evaluate(ctx, mmlu_items)),
        "mc1": (mc1_items, mc1.evaluate(ctx, mc1_items)),
        "reference": reference,
    }


def _reference_lls(reference: dict[str, Any]) -> dict[tuple[str, str], list[float]]:
    merged: dict[tuple[str, str], list[float]] = {}
    for samples in reference["samples"].values():
        merged |= sample_loglikelihoods(samples)
    return merged


@pytest.mark.parametrize("family", ["mmlu", "mc1"])
def test_option_loglikelihoods_and_predictions_match_lm_eval(both: dict[str, Any], family: str) -> None:
    items, outcome = both[family]
    reference = _reference_lls(both["reference"])
    assert not outcome.failures and len(outcome.results) == len(items)
    for item, result in zip(items, outcome.results, strict=True):
        theirs = np.array(reference[(item.target.get("subject", ""), item.target["question"])])
        ours = np.array(result["lls"])
        np.testing.assert_allclose(ours, theirs, atol=2e-3, rtol=0)
        top_two = np.sort(theirs)[-2:]
        if top_two[1] - top_two[0] > 4e-3:  # a clear winner: the same prediction
            assert result["choice"] == int(np.argmax(theirs))


def test_accuracies_match_lm_eval(both: dict[str, Any]) -> None:
    results = both["reference"]["results"]
    mmlu_items, mmlu_outcome = both["mmlu"]
    lm_eval_correct = sum(
        results[f"ref_mmlu_{s}"]["acc,none"] * sum(it.target["subject"] == s for it in mmlu_items)
        for s in {it.target["subject"] for it in mmlu_items}
    )
    ours = sum(r["value"] for r in mmlu_outcome.results)
    assert abs(ours - lm_eval_correct) < 0.5  # the same number of questions right
    _, mc1_outcome = both["mc1"]
    assert np.mean([r["value"] for r in mc1_outcome.results]) == pytest.approx(
        results["ref_truthfulqa_mc1"]["acc,none"]
    )
