"""``alignscope attribute`` as a library call: check a stage, its parent, its training pairs and the
verticals (:func:`plan`, before anything is written), then score every pair per vertical and store the
scores as Parquet under ``<workspace>/attribution/<stage>/`` (:func:`run`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from alignscope.errors import ConfigError, DataError
from alignscope.training.attribution.pipeline import AttributionSettings, contrasts, encode_pairs, influence
from alignscope.training.checkpoints import list_checkpoints, resolve_checkpoint

VERTICAL_TASKS = {  # the protocol task whose prompts stand for each vertical
    "toxicity": "rlhf-toxicity-toxic",
    "stereotype_bias": "rlhf-stereotype",
    "machine_ethics": "rlhf-ethics",
    "truthfulness": "rlhf-truthfulqa",
    "privacy": "rlhf-privacy",
}
KINDS = {"sft": "sft", "dpo": "dpo", "grpo": "rl", "rloo": "rl", "ppo": "rl", "rl": "rl"}


@dataclass(frozen=True)
class Plan:
    """A checked attribution job: directories, the training rows, test prompts per vertical, settings."""

    stage: str
    stage_dir: Path
    parent: str
    parent_dir: Path
    tokenizer: Any
    rows: list[dict[str, Any]]
    prompts: dict[str, tuple[str, list[Any]]]  # vertical -> (task name, prompts)
    settings: AttributionSettings
    out_dir: Path
    reward_model: tuple[Path, Path] | None = None  # (RM dir, its parent dir) for RL stages


def _model_dir(name: str, workspace: Path, role: str) -> Path:
    registered = resolve_checkpoint(name, workspace)
    if registered is not None:
        return registered
    path = Path(name).expanduser()
    if (path / "config.json").exists():
        return path
    known = ", ".join(sorted(list_checkpoints(workspace))) or "none"
    raise ConfigError(
        f"no {role} {name!r}: not a checkpoint of {workspace} (registered: {known}) nor a model directory"
    )


def _base_dir(name: str, workspace: Path) -> tuple[Path, Any]:
    from alignscope.training.trl_common import load_base

    base = load_base(name, workspace)
    return base.directory, base.tokenizer


def _same_tokenizer(a: Path, b: Path, what: str) -> None:
    from transformers import AutoTokenizer

    left, right = (AutoTokenizer.from_pretrained(p, local_files_only=True) for p in (a, b))
    if left.get_vocab() != right.get_vocab():
        raise DataError(
            f"{what}: {a} and {b} have different tokenizers; give the model the stage was trained from"
        )


def training_rows(data: Path, kind: str, limit: int | None) -> list[dict[str, Any]]:
    """prompt/chosen[/rejected] text rows of a training file or shipped split (SFT completions as chosen)."""
    from alignscope.training.data import preference_dataset, sft_dataset, source_rows

    rows, hh = source_rows(data)
    if not rows:
        raise DataError("the training set is empty: nothing to attribute", where=str(data))
    if not hh:
        if kind == "sft" and "completion" in rows[0]:
            rows = sft_dataset(rows, where=str(data)).to_list()
            rows = [{"prompt": r["prompt"], "chosen": r["completion"], "rejected": None} for r in rows]
        else:
            rows = preference_dataset(rows, where=str(data)).to_list()
    return rows[:limit] if limit else rows


def vertical_prompts(vertical: str, task: str | None, limit: int, seed: int) -> tuple[str, list[Any]]:
    """(task name, chat prompts) standing for ``vertical``: a seeded subset of ``limit`` of its items."""
    from alignscope.tasks import get_task

    name = task or VERTICAL_TASKS.get(vertical)
    if name is None:
        raise ConfigError(f"unknown vertical {vertical!r} (use one of {', '.join(VERTICAL_TASKS)} or --task)")
    items = get_task(name).items(limit=limit, seed=seed)
    if not items:
        raise DataError(f"task {name} has no prompts")
    return name, [[m.model_dump() for m in item.messages] for item in items]


def plan(
    stage: str,
    verticals: list[str],
    data: Path,
    workspace: Path,
    settings: AttributionSettings | None = None,
    *,
    parent: str | None = None,
    reward_model: str | None = None,
    kind: str | None = None,
    task: str | None = None,
    prompts: int = 16,
    pairs: int | None = None,
    seed: int = 0,
) -> Plan:
    """Check everything a run needs; one-line ConfigError/DataError on bad input, nothing written."""
    stage_dir = _model_dir(stage, workspace, "stage")
    entry = list_checkpoints(workspace).get(stage)
    parent = parent or (entry.base_model if entry else None)
    if parent is None:
        raise ConfigError(f"stage {stage!r} is not registered: give its parent model (--parent)")
    chosen_kind = KINDS.get(kind or (entry.kind if entry else ""))
    if chosen_kind is None:
        raise ConfigError(
            f"stage {stage!r} of kind {entry.kind if entry else 'unknown'!r}: give --kind sft, dpo or rl"
        )
    parent_dir, tokenizer = _base_dir(parent, workspace)
    _same_tokenizer(stage_dir, parent_dir, f"stage {stage!r} vs its parent {parent!r}")
    rm = None
    if chosen_kind == "rl":
        if reward_model is None:
            raise ConfigError("an RL stage is attributed through its reward model: give --reward-model")
        rm_dir = _model_dir(reward_model, workspace, "reward model")
        rm_entry = list_checkpoints(workspace).get(reward_model)
        if rm_entry is None:
            raise ConfigError(
                f"reward model {reward_model!r} must be a registered checkpoint (its base model is needed)"
            )
        rm_parent = _base_dir(rm_entry.base_model, workspace)[0]
        _same_tokenizer(rm_dir, stage_dir, f"reward model {reward_model!r} vs stage {stage!r}")
        rm = (rm_dir, rm_parent)
    rows = training_rows(data, chosen_kind, pairs)
    if chosen_kind != "sft" and any(r.get("rejected") is None for r in rows):
        raise DataError("DPO and reward-model attribution need prompt/chosen/rejected pairs", where=str(data))
    tests = {v: vertical_prompts(v, task, prompts, seed) for v in verticals}
    settings = replace(settings or AttributionSettings(kind="sft"), kind=chosen_kind)  # type: ignore[arg-type]
    out_dir = workspace / "attribution" / stage_dir.name
    return Plan(stage, stage_dir, parent, parent_dir, tokenizer, rows, tests, settings, out_dir, rm)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _examples(frame: pd.DataFrame, n: int) -> list[dict[str, Any]]:
    cols = ["pair", "influence", "prompt", "chosen", "rejected"]
    return frame[cols].head(n).to_dict("records")


def run(job: Plan, top: int = 5) -> list[dict[str, Any]]:
    """Score every training pair on every vertical; per vertical a plain summary (for the report) with the
    ``top`` pairs that most moved the model towards its new continuations (most negative influence) and
    the ``top`` that most opposed it, and the Parquet file of all scores."""
    import torch
    from transformers import AutoModelForCausalLM

    from alignscope.training.attribution.lora import lora_stage

    torch.manual_seed(0)
    load = dict(dtype=torch.float32, local_files_only=True)
    new = AutoModelForCausalLM.from_pretrained(job.stage_dir, **load).eval()
    old = AutoModelForCausalLM.from_pretrained(job.parent_dir, **load).eval()
    s = job.settings
    if job.reward_model:
        lora = lora_stage(job.reward_model[0], job.reward_model[1], s.rank, task="seq-cls")
    else:
        lora = lora_stage(job.stage_dir, job.parent_dir, s.rank)
    pairs = encode_pairs(job.tokenizer, job.rows, s.chat)
    out = []
    for vertical, (task, prompts) in job.prompts.items():
        cases = contrasts(new, old, job.tokenizer, prompts, s)
        scored = influence(lora, pairs, cases, s)
        frame = pd.DataFrame(
            {
                "pair": range(len(job.rows)),
                "influence": scored.scores.numpy(),
                "prompt": [str(r["prompt"]) for r in job.rows],
                "chosen": [str(r["chosen"]) for r in job.rows],
                "rejected": [str(r.get("rejected") or "") for r in job.rows],
            }
        ).sort_values("influence", kind="stable")
        path = job.out_dir / f"{vertical}.parquet"
        _write_parquet(frame.assign(stage=job.stage, vertical=vertical, kind=s.kind), path)
        out.append(
            {
                "stage": job.stage,
                "parent": job.parent,
                "vertical": vertical,
                "task": task,
                "kind": s.kind,
                "lora": lora.source,
                "rank": lora.rank,
                "svd_energy": lora.energy,
                "pairs": len(pairs),
                "prompts": len(cases),
                "test_loss": scored.test_loss,
                "seconds": scored.seconds,
                "parquet": str(path),
                "toward": _examples(frame, top),
                "against": _examples(frame.iloc[::-1], top),
            }
        )
    return out
