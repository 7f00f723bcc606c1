"""What the benchmarks comparing alignscope's tasks with lm-evaluation-harness share: the embedded
SmolLM2-135M loaded for each side (loads timed apart), a task context on a fresh store, one task run through
both sides and the timing columns of a comparison row."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL = "smollm2-135m"


def load_alignscope_model(threads: int) -> tuple[Any, Any]:
    """Offline settings, ``threads`` torch threads, and the spec and hf backend of the embedded model, its
    weights loaded now (the load is timed and printed apart)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    import torch

    torch.set_num_threads(threads)
    from alignscope.backends.registry import make_backend
    from alignscope.config import ModelSpec

    spec = ModelSpec(name=MODEL, backend="hf", batch_size=8)
    start = time.perf_counter()
    backend = make_backend(spec)
    backend.loaded  # noqa: B018 - load now, so that the load is timed apart
    print(
        f"alignscope model load (GGUF -> float32): {time.perf_counter() - start:.1f} s; threads {threads}",
        flush=True,
    )
    return spec, backend


def load_lm_eval_model() -> Any:
    """lm-eval's own ``hf`` model on the same GGUF (float32); the load is timed and printed."""
    from alignscope.backends.embedded import embedded_model_path
    from alignscope.testing.lm_eval_reference import hf_model

    start = time.perf_counter()
    lm = hf_model(embedded_model_path(MODEL))
    print(f"lm-eval model load (GGUF -> float32): {time.perf_counter() - start:.1f} s", flush=True)
    return lm


def task_context(folder: Path, run: str, spec: Any, backend: Any, **options: Any) -> Any:
    """A TaskContext on a fresh store ``folder / run`` (every call made), with TaskContext ``options``."""
    from alignscope.engine import Engine
    from alignscope.store import RunStore
    from alignscope.tasks.registry import TaskContext

    return TaskContext(Engine(RunStore(folder / run), run, progress=False), backend, spec, **options)


@dataclass(frozen=True)
class BothSides:
    """One task's items through alignscope (``outcome``, in ``ours_s`` seconds) and through lm-eval
    (``reference``: lm_eval_run's results with samples, in ``theirs_s`` seconds)."""

    outcome: Any
    ours_s: float
    reference: dict[str, Any]
    theirs_s: float


def run_both(task: Any, ctx: Any, items: list[Any], lm: Any, configs: list[dict[str, Any]]) -> BothSides:
    """``items`` through ``task`` in ``ctx``, then lm-eval's ``configs`` through ``lm``, each timed."""
    from alignscope.testing.lm_eval_reference import lm_eval_run

    start = time.perf_counter()
    outcome = task.evaluate(ctx, items)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    reference = lm_eval_run(lm, configs)
    return BothSides(outcome, ours_s, reference, time.perf_counter() - start)


def time_columns(sides: BothSides, questions: int, lm_eval_questions: int) -> dict[str, float]:
    """Seconds per question of each side and their ratio (alignscope over lm-eval)."""
    ours, theirs = sides.ours_s / questions, sides.theirs_s / lm_eval_questions
    return {
        "alignscope_s_per_question": ours,
        "lm_eval_s_per_question": theirs,
        "alignscope_over_lm_eval_time": ours / theirs,
    }
