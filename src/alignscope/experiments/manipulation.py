"""Run the manipulation experiment of "Dissecting Human and LLM Preferences", by system prompt or by DPO.

System prompt (:func:`run_manipulation`): the actor answers the items as it is and under each arm's system
prompt, the judge compares every arm's answers with the original ones, and
:func:`~alignscope.analysis.dissection.manipulate.score_manipulation` scores the change per arm.

DPO (:func:`run_dpo_manipulation`): on training prompts, the actor answers under the top arm's system prompt
(the judge's favourite properties: chosen) and under the bottom arm's (its least favourite: rejected); DPO
(``train dpo``'s trainer) on those pairs gives the actor ``<actor>+dpo``, whose answers to held-out prompts
(no system prompt) the judge compares with the untrained actor's, scored the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Unpack

from alignscope.analysis.bootstrap import BootstrapOptions
from alignscope.analysis.dissection.manipulate import Arm, ManipulationResult, score_manipulation
from alignscope.backends.base import Backend
from alignscope.backends.registry import make_backend
from alignscope.config import DEFAULT_BACKEND, ModelSpec
from alignscope.engine.generation import generate_items
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError, DataError
from alignscope.judges.config import JudgeSpec
from alignscope.judges.run import JudgeInputs, run_judge
from alignscope.records import Generation, Item, SamplingParams
from alignscope.training.config import DPOTrainConfig
from alignscope.training.run import train_from_config

DPO_ARM = "dpo"


def run_manipulation(
    engine: Engine,
    actor: ModelSpec,
    judge_backend: Backend,
    judge: JudgeSpec,
    items: Sequence[Item],
    arms: Sequence[Arm],
    sampling: SamplingParams,
    **bootstrap: Unpack[BootstrapOptions],
) -> ManipulationResult:
    """Answer ``items`` (first turn) with ``actor`` as is and under each arm's system prompt, judge every arm
    against the un-manipulated answers (pairwise, both orders if the judge swaps), and score the change per
    arm (``bootstrap``: the intervals' ``n_boot``, ``level`` and ``seed``, as in score_manipulation)."""
    _check(judge, items, arms)
    variants = [arm_variant(actor, arm) for arm in arms]
    items = first_turns(items)
    generations = generate_items(engine, make_backend(actor), actor, items, sampling)
    for spec in variants:
        generations += generate_items(engine, make_backend(spec), spec, items, sampling, desc=spec.name)
    return _judge_and_score(engine, judge_backend, judge, items, generations, actor, arms, bootstrap)


def run_dpo_manipulation(
    engine: Engine,
    actor: ModelSpec,
    judge_backend: Backend,
    judge: JudgeSpec,
    train_items: Sequence[Item],
    test_items: Sequence[Item],
    arms: Sequence[Arm],
    sampling: SamplingParams,
    dpo: DPOTrainConfig,
    **bootstrap: Unpack[BootstrapOptions],
) -> tuple[ManipulationResult, dict[str, Any]]:
    """Train ``actor`` by DPO towards the ``top`` arm's properties and away from the ``bottom`` arm's on
    ``train_items``, then score its answers to ``test_items`` against the untrained actor's. ``dpo`` gives
    the training settings (its ``model`` is replaced by the actor's). Returns the scores (one arm, ``dpo``)
    and what training did (rows, losses, checkpoint); ``bootstrap`` as in :func:`run_manipulation`."""
    by_name = {arm.name: arm for arm in arms}
    if not {"top", "bottom"} <= set(by_name):
        raise ConfigError("the DPO arm needs the judge's top and bottom properties (both arms)")
    if actor.backend not in ("hf", DEFAULT_BACKEND):
        raise ConfigError(f"the DPO arm trains the actor locally: give an hf: actor, not {actor.backend}:")
    # the trained checkpoint is a HF directory: the actor answers through transformers before and after
    actor = actor.model_copy(update={"backend": "hf"})
    _check(judge, test_items, arms)
    if not train_items:
        raise DataError("the DPO arm needs training prompts")
    train = first_turns(train_items)
    rows, answers = preference_rows(engine, actor, train, by_name["top"], by_name["bottom"], sampling)
    engine.store.put_items(train)
    engine.store.put_generations([g.model_copy(update={"run_id": engine.run_id}) for g in answers])
    if not rows:
        raise DataError("no training pair: every prompt's two answers failed or were identical")
    name, trained = train_from_config(
        dpo.model_copy(update={"model": actor.model, "name": dpo.name or f"{engine.run_id}-dpo"}),
        engine.store.workspace,
        data=rows,
    )
    arm = Arm(DPO_ARM, by_name["top"].properties)
    tuned = actor.model_copy(update={"name": arm.model_name(actor.name), "model": str(trained.path)})
    items = first_turns(test_items)
    generations = generate_items(engine, make_backend(actor), actor, items, sampling)
    generations += generate_items(engine, make_backend(tuned), tuned, items, sampling, desc=tuned.name)
    result = _judge_and_score(
        engine, judge_backend, judge, items, generations, actor, [arm], bootstrap, [tuned]
    )
    result.arms["system_prompt"] = None  # the trained actor answers without one
    losses = trained.series("loss")
    training = {
        "checkpoint": name,
        "path": str(trained.path),
        "rows": len(rows),
        "train_prompts": len(train_items),
        "chosen_properties": list(by_name["top"].properties),
        "rejected_properties": list(by_name["bottom"].properties),
        "first_loss": losses[0] if losses else None,
        "last_loss": losses[-1] if losses else None,
        "margins": trained.series("rewards/margins")[-1:] or None,
    }
    return result, training


def preference_rows(
    engine: Engine,
    actor: ModelSpec,
    items: Sequence[Item],
    chosen: Arm,
    rejected: Arm,
    sampling: SamplingParams,
) -> tuple[list[dict[str, str]], list[Generation]]:
    """DPO rows: per item, the actor's answer under ``chosen``'s system prompt over its answer under
    ``rejected``'s (items where either failed or both are the same are left out); and every answer made."""
    answers = []
    for arm in (chosen, rejected):
        spec = arm_variant(actor, arm)
        answers.append(generate_items(engine, make_backend(spec), spec, items, sampling, desc=spec.name))
    rows = [
        {"prompt": item.prompt, "chosen": good.text, "rejected": bad.text}
        for item, good, bad in zip(items, *answers, strict=True)
        if good.error is None and bad.error is None and good.text.strip() != bad.text.strip()
    ]
    return rows, answers[0] + answers[1]


def first_turns(items: Sequence[Item]) -> list[Item]:
    """The items with their first turn only."""
    return [it.model_copy(update={"turns": []}) for it in items]


def _check(judge: JudgeSpec, items: Sequence[Item], arms: Sequence[Arm]) -> None:
    if judge.mode != "pairwise":
        raise ConfigError(f"the manipulation needs a pairwise judge, not mode {judge.mode}")
    if not items or not arms:
        raise DataError("the manipulation needs at least one item and one arm")


def _judge_and_score(
    engine: Engine,
    judge_backend: Backend,
    judge: JudgeSpec,
    items: Sequence[Item],
    generations: list[Generation],
    actor: ModelSpec,
    arms: Sequence[Arm],
    bootstrap: BootstrapOptions,
    variants: Sequence[ModelSpec] | None = None,
) -> ManipulationResult:
    """Judge each arm's answers against the actor's (both orders if the judge swaps) and score the change
    (``bootstrap``: score_manipulation's interval keywords)."""
    names = [v.name for v in variants] if variants else [arm.model_name(actor.name) for arm in arms]
    inputs = JudgeInputs.of(items, generations)
    judgments = run_judge(engine, judge_backend, judge, inputs, baseline=actor.name, models=names)
    return score_manipulation(judgments, generations, arms, actor.name, len(items), **bootstrap)


def arm_variant(actor: ModelSpec, arm: Arm) -> ModelSpec:
    """The actor under the arm's system prompt (after the actor's own), named ``<actor>+<arm>``."""
    prompt = arm.system_prompt if not actor.system_prompt else f"{actor.system_prompt}\n\n{arm.system_prompt}"
    return actor.model_copy(update={"name": arm.model_name(actor.name), "system_prompt": prompt})
