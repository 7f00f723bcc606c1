"""The trust study of "More RLHF, More Trust?" (Li et al., ICLR 2025) as one resumable run.

Stages, on a seeded subset of preference pairs (default: HH-RLHF harmless-base):

1. ``sft``: SFT of the base model on prompt + chosen -> ``<name>-sft``;
2. ``dpo``: DPO from ``<name>-sft`` on the pairs -> ``<name>-dpo``;
3. ``rm``: a reward model from ``<name>-sft`` on the pairs (TRL RewardTrainer) -> ``<name>-rm``;
4. ``ppo``: on-policy RL (RLOO or GRPO: TRL has no PPO) from ``<name>-sft`` on the pairs' prompts, reward
   r(sample) - r(chosen) by the RM -> ``<name>-ppo``;
5. ``evaluate``: every checkpoint (base, sft, dpo, ppo) on the configured trust tasks, through the engine;
6. the study's result: per checkpoint and task the metric with its interval, per vertical the normalised
   score, and per stage the paired change against its parent (sft <- base, dpo <- sft, ppo <- sft).

Each finished stage leaves a marker artifact ``trust-study/<stage>`` (and ``trust-study/evaluate/<model>``)
in the run; a rerun of the same run skips finished stages, and the engine's cache answers every model call
a killed run had finished. Given ``checkpoints`` (trained elsewhere), the study only evaluates and reports.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from datasets import Dataset

from alignscope.analysis.stage_deltas import (
    Interval,
    StageChange,
    TaskCell,
    TaskItems,
    TrustStudyResult,
    VerticalCell,
    VerticalChange,
    stage_delta,
    vertical_delta,
)
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError, DataError
from alignscope.records import Score
from alignscope.tasks.factors import normalise
from alignscope.tasks.registry import VERTICALS, Task
from alignscope.tasks.runner import run_bench
from alignscope.tasks.suites import resolve_tasks
from alignscope.training.checkpoints import resolve_checkpoint
from alignscope.training.data import load_preference_file
from alignscope.training.rewards import rm_reward
from alignscope.training.run import train_from_config
from alignscope.training.trust_config import TrustStudyConfig

MODELS = ("base", "sft", "dpo", "ppo")
PARENTS = {"sft": "base", "dpo": "sft", "ppo": "sft"}
TRAIN_STAGES = ("sft", "dpo", "rm", "ppo")
MARKER = "trust-study"


def marker_name(stage: str) -> str:
    """The artifact that marks ``stage`` (a training stage, or ``evaluate/<model>``) finished."""
    return f"{MARKER}/{stage}"


def study_pairs(config: TrustStudyConfig) -> Dataset:
    """The study's prompt/chosen/rejected pairs: a seeded subset of ``config.data``."""
    pairs = load_preference_file(Path(config.data))
    if config.pairs is not None:
        if config.pairs > len(pairs):
            raise ConfigError(f"pairs: {config.pairs} asked, {config.data} has {len(pairs)}")
        pairs = pairs.shuffle(seed=config.seed).select(range(config.pairs))
    return pairs


def parse_checkpoints(values: Sequence[str]) -> dict[str, str]:
    """``base=PATH`` options -> {model: path or name}; ConfigError on an unknown model or no base."""
    out: dict[str, str] = {}
    for value in values:
        label, sep, ref = value.partition("=")
        if not sep or label not in MODELS or not ref:
            raise ConfigError(f"--checkpoint {value}: give MODEL=PATH with MODEL one of {', '.join(MODELS)}")
        out[label] = ref
    if "base" not in out:
        raise ConfigError("--checkpoint: give at least base=PATH (the other stages are compared with it)")
    return out


@dataclass
class _Study:
    config: TrustStudyConfig
    engine: Engine
    workspace: Path

    def marker(self, stage: str) -> Any | None:
        return self.engine.store.get_artifact(self.engine.run_id, marker_name(stage))

    def mark(self, stage: str, body: dict[str, Any]) -> dict[str, Any]:
        body = {**body, "finished_at": time.time()}
        self.engine.store.put_artifact(self.engine.run_id, marker_name(stage), body)
        return body

    # -- training ---------------------------------------------------------------------------------------
    def train(self, stage: str, pairs: Dataset) -> dict[str, Any]:
        """Train ``stage`` from its parent unless its marker says it is done; the marker records the run."""
        done = self.marker(stage)
        if done is not None:
            return done
        cfg = self.config
        started = time.perf_counter()
        parent = cfg.model if stage == "sft" else cfg.checkpoint_name("sft")
        settings = {"sft": cfg.sft, "dpo": cfg.dpo, "rm": cfg.rm, "ppo": cfg.rl}[stage]
        train_cfg = settings.model_copy(update={"model": parent, "name": cfg.checkpoint_name(stage)})
        reward = None
        rows = pairs
        if stage == "sft":
            rows = pairs.select_columns(["prompt", "chosen"]).rename_column("chosen", "completion")
        elif stage == "ppo":
            reward = rm_reward(f"rm:{cfg.checkpoint_name('rm')}", self.workspace, parent)
            rows = pairs.select_columns(["prompt", "chosen"])
        name, result = train_from_config(train_cfg, self.workspace, data=rows, reward=reward)
        losses = result.series("loss")
        body = {
            "stage": stage,
            "checkpoint": name,
            "parent": parent,
            "rows": len(rows),
            "first_loss": losses[0] if losses else None,
            "last_loss": losses[-1] if losses else None,
            "wall_s": time.perf_counter() - started,
        }
        for key in ("reward", "accuracy", "rewards/margins"):
            series = result.series(key)
            if series:
                body[f"last_{key.replace('/', '_')}"] = series[-1]
        return self.mark(stage, body)

    # -- evaluation -------------------------------------------------------------------------------------
    def spec(self, label: str, ref: str) -> ModelSpec:
        gen = self.config.generation
        registered = resolve_checkpoint(ref, self.workspace)
        return ModelSpec(
            name=label, backend=gen.backend, model=str(registered or ref), base_urls=gen.base_urls,
            api_key_env=gen.api_key_env, batch_size=gen.batch_size, dtype=gen.dtype, device=gen.device,
            options=gen.options,
        )  # fmt: skip

    def evaluate(self, label: str, ref: str, tasks: list[Task], groups: tuple[str, ...]) -> dict[str, Any]:
        """Scores of model ``label`` on ``tasks``: task and vertical summaries and per-item values."""
        done = self.marker(f"evaluate/{label}")
        if done is not None:
            return done
        cfg = self.config
        started = time.perf_counter()
        spec = self.spec(label, ref)
        backend = make_backend(spec)
        asyncio.run(backend.check())
        result = run_bench(
            self.engine, [(spec, backend)], tasks, groups=groups, limit=cfg.limit, seed=cfg.seed,
            max_tokens=cfg.max_tokens, samples=cfg.samples, temperature=cfg.temperature, n_boot=cfg.n_boot,
        )  # fmt: skip
        del backend
        _release()
        scores = self.engine.store.records("scores", self.engine.run_id, model=label)
        items: dict[str, dict[str, float]] = {}
        for s in scores:
            assert isinstance(s, Score)
            items.setdefault(s.task, {})[s.item_id] = s.value
        body = {
            "model": label,
            "path": spec.model,
            "tasks": [t.to_dict() for t in result.tasks],
            "groups": [g.to_dict() for g in result.groups],
            "items": {t.name: items.get(t.name, {}) for t in tasks},
            "wall_s": time.perf_counter() - started,
        }
        return self.mark(f"evaluate/{label}", body)


def _release() -> None:
    gc.collect()
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def _vertical(task: Mapping[str, Any]) -> str:
    return next((g for g in task["groups"] if g in VERTICALS), task["groups"][0] if task["groups"] else "")


def study_result(
    evaluations: Mapping[str, dict[str, Any]], config: TrustStudyConfig, stages: list[dict[str, Any]]
) -> TrustStudyResult:
    """The study's typed result from the evaluation markers (by model) and the training stages' records."""
    models = [m for m in MODELS if m in evaluations]
    parents = {m: PARENTS[m] for m in models if m in PARENTS and PARENTS[m] in evaluations}
    cells, verticals, changes, vertical_changes = [], [], [], []
    for m in models:
        for t in evaluations[m]["tasks"]:
            if t["value"] is None:
                continue
            low, high = t["ci"]
            cells.append(
                TaskCell(m, t["task"], _vertical(t), t["metric"], t["higher_is_better"], t["n"],
                         Interval(t["value"], low, high))
            )  # fmt: skip
        for g in evaluations[m]["groups"]:
            verticals.append(VerticalCell(m, g["group"], Interval(g["value"], *g["ci"])))
    for child, parent in parents.items():
        paired: list[tuple[dict[str, Any], TaskItems]] = []
        for t in evaluations[child]["tasks"]:
            name = t["task"]
            a = evaluations[child]["items"].get(name, {})
            b = evaluations[parent]["items"].get(name, {})
            if not a or not b:
                continue
            delta = stage_delta(a, b, n_boot=config.n_boot, level=config.level, seed=config.seed)
            changes.append(
                StageChange(child, parent, name, _vertical(t), t["metric"], t["higher_is_better"], delta)
            )
            scale = partial(normalise, chance=t["chance"], higher_is_better=t["higher_is_better"])
            paired.append((t, TaskItems(t.get("benchmark") or name, a, b, scale)))
        for group in dict.fromkeys(g["group"] for g in evaluations[child]["groups"]):
            members = [items for t, items in paired if group in t["groups"]]
            if members:
                delta = vertical_delta(members, n_boot=config.n_boot, level=config.level, seed=config.seed)
                vertical_changes.append(VerticalChange(child, parent, group, delta))
    settings = {
        "tasks": ", ".join(config.tasks), "protocol": config.protocol or "task defaults",
        "limit": config.limit, "samples": config.samples, "temperature": config.temperature,
        "max_tokens": config.max_tokens, "data": config.data, "pairs": config.pairs,
        "ppo arm": f"{config.rl.algorithm.upper()} from sft against the reward model (TRL has no PPO "
        "trainer), reward r(sample) - r(chosen)" if stages else "given checkpoint",
    }  # fmt: skip
    return TrustStudyResult(
        models, parents, cells, verticals, changes, vertical_changes, config.level, stages, settings
    )


def run_trust_study(
    config: TrustStudyConfig,
    engine: Engine,
    workspace: Path,
    checkpoints: Mapping[str, str] | None = None,
) -> TrustStudyResult:
    """Run (or resume) the study in ``engine``'s run: train every stage (unless ``checkpoints`` maps models
    to paths or names trained elsewhere: then evaluate those only), evaluate, and return the result."""
    tasks, groups = resolve_tasks(config.tasks, config.protocol)
    if not tasks:
        raise ConfigError("tasks: name at least one trust task or suite")
    study = _Study(config, engine, workspace)
    stages: list[dict[str, Any]] = []
    if checkpoints is None:
        if not config.model:
            raise ConfigError("model: give the base model to train from (or --checkpoint MODEL=PATH)")
        pairs = study_pairs(config)
        stages = [study.train(stage, pairs) for stage in TRAIN_STAGES]
        refs = {"base": config.model, **{m: config.checkpoint_name(m) for m in MODELS[1:]}}
    else:
        refs = dict(checkpoints)
    for label, ref in refs.items():
        if resolve_checkpoint(ref, workspace) is None and not Path(ref).exists() and label != "base":
            raise DataError(f"checkpoint {label}={ref} is neither registered nor a directory")
    evaluations = {
        label: study.evaluate(label, refs[label], tasks, groups) for label in MODELS if label in refs
    }
    result = study_result(evaluations, config, stages)
    engine.store.put_artifact(engine.run_id, marker_name("result"), {"models": result.checkpoints})
    return result
