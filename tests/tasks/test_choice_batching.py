"""The options of one question reach the hf backend in one batch (their shared context is read once), with
the same log-likelihoods as batches of ``max_batch`` requests, on the embedded SmolLM2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from alignscope.backends.base import LoglikelihoodRequest
from alignscope.backends.hf import HFBackend
from alignscope.engine import Engine
from alignscope.engine.runner import batches
from alignscope.store import RunStore
from alignscope.tasks.registry import TaskContext, get_task


def _recorded(backend: HFBackend, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sizes of the log-likelihood batches ``backend`` answers from now on."""
    sizes: list[int] = []
    answer = backend._loglikelihood

    def recording(requests: list[LoglikelihoodRequest]) -> Any:
        sizes.append(len(requests))
        return answer(requests)

    monkeypatch.setattr(backend, "_loglikelihood", recording)
    return sizes


def test_mmlu_pro_options_go_together_with_unchanged_loglikelihoods(
    tmp_path: Path, hf_smollm2: HFBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = get_task("mmlu-pro")
    items = task.items(limit=1, seed=1)
    assert all(len(it.choices or ()) == 10 for it in items)
    sizes = _recorded(hf_smollm2, monkeypatch)

    def lls(run: str) -> np.ndarray:
        ctx = TaskContext(Engine(RunStore(tmp_path / run), run, progress=False), hf_smollm2, hf_smollm2.spec)
        outcome = task.evaluate(ctx, items)
        assert not outcome.failures
        return np.array([r["lls"] for r in outcome.results])

    together = lls("by-context")
    assert sizes == [10]  # the question's 10 options in one batch
    monkeypatch.setattr(hf_smollm2, "batches_by_context", False)
    by_requests = lls("by-requests")
    assert sizes[1:] == [8, 2]  # 8 requests a batch: the options split across two batches
    assert together.shape == (1, 10)
    np.testing.assert_allclose(together, by_requests, atol=1e-5, rtol=0)


def test_hf_reads_at_most_max_batch_rows_per_forward_pass(
    hf_smollm2: HFBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no two inputs share a start (distinct first words), so none is read by the shared-start path
    questions = ("Is the sky blue?", "Do fish swim?", "Can cats fly?", "Does ice melt?", "Will rain fall?",
                 "Are owls birds?")  # fmt: skip
    requests = [LoglikelihoodRequest(context=q, continuation=" yes it is") for q in questions]
    model = hf_smollm2.loaded.model
    rows: list[int] = []
    forward = model.forward

    def counting(*args: Any, **kwargs: Any) -> Any:
        ids = kwargs.get("input_ids", args[0] if args else None)
        rows.append(int(ids.shape[0]))
        return forward(*args, **kwargs)

    monkeypatch.setattr(model, "forward", counting)
    whole = hf_smollm2._locked(hf_smollm2._loglikelihood, requests)
    assert rows == [6]  # 6 distinct inputs (multi-token continuations): one row each
    monkeypatch.setattr(hf_smollm2, "max_batch", 4)
    chunked = hf_smollm2._locked(hf_smollm2._loglikelihood, requests)
    assert rows[1:] == [4, 2]
    np.testing.assert_allclose([r.logprob for r in whole], [r.logprob for r in chunked], atol=1e-5, rtol=0)
    assert [r.n_tokens for r in whole] == [r.n_tokens for r in chunked]


def test_batches_by_context_keep_every_context_whole(hf_smollm2: HFBackend) -> None:
    items = [
        (f"k{q}-{o}", LoglikelihoodRequest(context=f"context {q}", continuation=f" {o}"))
        for q in range(10)
        for o in "ABCDEFGHIJ"
    ]
    cut = batches(hf_smollm2, "loglikelihood", items)
    assert [len(b) for b in cut] == [80, 20]  # 8 contexts of 10 options, then 2
    assert [pair for b in cut for pair in b] == items
    assert all(len({r.context for _, r in b}) <= hf_smollm2.max_batch for b in cut)
    assert [len(b) for b in batches(hf_smollm2, "generate", items)] == [8] * 12 + [4]


def test_batches_by_context_put_the_longest_contexts_first(hf_smollm2: HFBackend) -> None:
    lengths = [3, 40, 12, 40, 7, 25, 60, 1, 18, 33]
    items = [
        (f"k{q}-{o}", LoglikelihoodRequest(context="x" * n + f" {q}", continuation=f" {o}"))
        for q, n in enumerate(lengths)
        for o in "AB"
    ]
    cut = batches(hf_smollm2, "loglikelihood", items)
    contexts = list(dict.fromkeys(r.context for b in cut for _, r in b))
    assert [len(c) for c in contexts] == sorted((len(r.context) for _, r in items[::2]), reverse=True)
    assert contexts[1:3] == [items[2][1].context, items[6][1].context]  # the two of 40: first seen first
    assert sorted(pair for b in cut for pair in b) == sorted(items)
