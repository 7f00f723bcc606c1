"""Run the manipulation experiment of "Dissecting Human and LLM Preferences": the actor answers the items as
it is and under each arm's system prompt, the judge compares every arm's answers with the original ones, and
:func:`~alignscope.analysis.dissection.manipulate.score_manipulation` scores the change per arm."""

from __future__ import annotations

from collections.abc import Sequence

from alignscope.analysis.dissection.manipulate import Arm, ManipulationResult, score_manipulation
from alignscope.backends.base import Backend
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.engine.generation import generate_items
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError, DataError
from alignscope.judges.config import JudgeSpec
from alignscope.judges.run import JudgeInputs, run_judge
from alignscope.records import Item, SamplingParams


def run_manipulation(
    engine: Engine,
    actor: ModelSpec,
    judge_backend: Backend,
    judge: JudgeSpec,
    items: Sequence[Item],
    arms: Sequence[Arm],
    sampling: SamplingParams,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> ManipulationResult:
    """Answer ``items`` (first turn) with ``actor`` as is and under each arm's system prompt, judge every arm
    against the un-manipulated answers (pairwise, both orders if the judge swaps), and score the change per
    arm."""
    if judge.mode != "pairwise":
        raise ConfigError(f"the manipulation needs a pairwise judge, not mode {judge.mode}")
    if not items or not arms:
        raise DataError("the manipulation needs at least one item and one arm")
    variants = [arm_variant(actor, arm) for arm in arms]
    items = [it.model_copy(update={"turns": []}) for it in items]  # the first turn only
    generations = generate_items(engine, make_backend(actor), actor, items, sampling)
    for spec in variants:
        generations += generate_items(engine, make_backend(spec), spec, items, sampling, desc=spec.name)
    inputs = JudgeInputs.of(items, generations)
    judgments = run_judge(
        engine, judge_backend, judge, inputs, baseline=actor.name, models=[v.name for v in variants]
    )
    return score_manipulation(
        judgments, generations, arms, actor.name, len(items), n_boot=n_boot, level=level, seed=seed
    )


def arm_variant(actor: ModelSpec, arm: Arm) -> ModelSpec:
    """The actor under the arm's system prompt (after the actor's own), named ``<actor>+<arm>``."""
    prompt = arm.system_prompt if not actor.system_prompt else f"{actor.system_prompt}\n\n{arm.system_prompt}"
    return actor.model_copy(update={"name": arm.model_name(actor.name), "system_prompt": prompt})
