"""Evaluation of one Meta-Rewarding iteration: did the model improve substance, or only what its judge likes?

For the model of an iteration: greedy answers to the evaluation prompts; a fixed judge's win rate and
length-controlled win rate against the seed model's answers (pairwise, both orders); answer length; the
model's agreement, as a pairwise judge of the same pairs, with a reference judge, and its position consistency
over both orders; and the concrete tasks (factor scores with bootstrap intervals) when the config names any.
Every call goes through the engine and every record is stored in its run.

The judged numbers come from the judge-results service (:mod:`alignscope.analysis.leaderboard`), as in
``alignscope leaderboard``: under the default LC policy (``evaluation.lc_difficulty: auto``) one model against
the seed has no instruction difficulty to share with other models, so the GLM has no instruction term; it
needs 5+ verdicts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from alignscope.analysis.agreement import agreement
from alignscope.analysis.judge_audit import position_consistency
from alignscope.analysis.judgment_tables import judgment_tables
from alignscope.analysis.leaderboard import judge_leaderboard, number
from alignscope.backends.base import Backend
from alignscope.config import ModelSpec
from alignscope.engine.generation import generate_items
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError, DataError
from alignscope.judges.calls import run_calls
from alignscope.judges.config import JudgeSpec
from alignscope.judges.pairwise import Pair, pair_calls, pair_table
from alignscope.judges.run import store_judgments
from alignscope.judges.templates import JudgeTemplate, load_template
from alignscope.records import Generation, Item, Judgment, SamplingParams
from alignscope.tasks.registry import Task
from alignscope.tasks.runner import run_bench
from alignscope.tasks.suites import resolve_tasks
from alignscope.training.meta_config import EvaluationSettings

EVAL_VARIANT = "eval"
BackendFor = Callable[[ModelSpec], Backend]


def answer_lengths(answers: Sequence[Generation]) -> dict[str, float | None]:
    """Mean answer length in characters and (where the backend counted them) tokens."""
    ok = [g for g in answers if g.error is None]
    tokens = [g.completion_tokens for g in ok if g.completion_tokens is not None]
    return {
        "mean_length_chars": fmean(len(g.text) for g in ok) if ok else None,
        "mean_length_tokens": fmean(tokens) if tokens else None,
    }


def judged_metrics(
    judgments: Sequence[Judgment],
    answers: Sequence[Generation],
    model: str,
    seed_label: str,
    lc_difficulty: str,
    notes: list[str],
) -> dict[str, Any]:
    """``model``'s win rate (ties half) against the seed with its standard error, LC win rate (under the
    ``lc_difficulty`` policy) with its standard error and Bradley-Terry rating (the seed at 1000), from the
    judge-results service over the pairwise ``judgments`` of both models' ``answers``."""
    tables = judgment_tables(judgments, answers, "eval-judge")
    board = judge_leaderboard(tables, seed_label, lc_difficulty=lc_difficulty, style=False)
    notes.extend(board.notes)
    row = next(r for r in board.rows() if r["model"] == model)
    return {
        "n_pairs": row["n"],
        "n_failed": row["n_failed"],
        "win_rate": row["win_rate"],
        "win_rate_se": row["standard_error"],
        "lc_win_rate": row["lc_win_rate"],
        "lc_win_rate_se": row["lc_standard_error"],
        "rating": row.get("rating"),
        "rating_lower": row.get("rating_lower"),
        "rating_upper": row.get("rating_upper"),
        "lc": board.lc_summary(),
    }


def judge_position(judgments: Sequence[Judgment], answers: Sequence[Generation]) -> dict[str, Any]:
    """Position consistency of pairwise ``judgments`` judged in both orders (share of pairs whose winner does
    not change with the order) and the judge's first-position preference, with Wilson 95% CIs."""
    battles = judgment_tables(judgments, answers, "as-judge").battles
    result = position_consistency(battles[["question_id", "model_a", "model_b", "p_a"]])
    return {
        "n_pairs": result.n_pairs,
        "consistency": number(result.consistency),
        "consistency_ci": [number(v) for v in result.consistency_ci],
        "first_position_rate": number(result.first_position_rate),
        "first_position_ci": [number(v) for v in result.first_position_ci],
    }


@dataclass
class IterationEvaluator:
    """Evaluates one model after another against the seed model on fixed prompts with fixed judges."""

    engine: Engine
    settings: EvaluationSettings
    items: list[Item]
    seed: ModelSpec
    backend_for: BackendFor
    seed_label: str = "seed"
    tasks: list[Task] = field(default_factory=list)
    groups: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.settings.tasks:
            self.tasks, self.groups = resolve_tasks(self.settings.tasks)
        self.template = self._pairwise_template()

    def _pairwise_template(self) -> JudgeTemplate:
        template = load_template(self.settings.template)
        if template.mode != "pairwise":
            raise ConfigError(
                f"evaluation.template: {template.name!r} is a {template.mode} template; give a pairwise one"
            )
        return template

    def _judge_spec(self, model: ModelSpec, name: str) -> JudgeSpec:
        return JudgeSpec(
            model=model,
            mode="pairwise",
            name=name,
            template=self.settings.template,
            verdict=self.settings.verdict,
        )

    def answers(self, spec: ModelSpec) -> list[Generation]:
        """Greedy answers of ``spec`` to the evaluation prompts (first turns), stored as variant ``eval``."""
        sampling = SamplingParams(temperature=0.0, max_tokens=self.settings.max_tokens)
        gens = generate_items(
            self.engine, self.backend_for(spec), spec, self.items, sampling, desc=f"{spec.name} eval answers"
        )
        self.engine.store.put_items(self.items)
        self.engine.store.put_generations(gens, variant=EVAL_VARIANT)
        return gens

    def _judge(self, spec: JudgeSpec, pairs: Sequence[Pair]) -> list[Any]:
        calls = pair_calls(spec, self.template, pairs)
        judgments = run_calls(self.engine, self.backend_for(spec.model), spec, calls, spec.label)
        store_judgments(self.engine.store, judgments)
        return judgments

    def evaluate(self, spec: ModelSpec) -> dict[str, Any]:
        """The metrics of model ``spec`` (the seed itself gets lengths and concrete scores only)."""
        notes: list[str] = []
        answers = self.answers(spec)
        metrics: dict[str, Any] = {
            "model": spec.name,
            "eval_prompts": len(self.items),
            **answer_lengths(answers),
        }
        if spec.name != self.seed_label:
            metrics |= self._judged(spec, answers, notes)
        if self.tasks:
            metrics["concrete"] = self._concrete(spec)
        metrics["notes"] = notes
        return metrics

    def _judged(self, spec: ModelSpec, answers: list[Generation], notes: list[str]) -> dict[str, Any]:
        seed_answers = {(g.dataset, g.item_id): g for g in self.answers(self.seed) if g.error is None}
        pairs = [
            Pair(self._item(g), seed_answers[(g.dataset, g.item_id)], g)
            for g in answers
            if g.error is None and (g.dataset, g.item_id) in seed_answers
        ]
        if not pairs:
            raise DataError(f"no evaluation prompt answered by both the seed and {spec.name}")
        judge_model = self.settings.judge or self.seed
        fixed = self._judge(self._judge_spec(judge_model, "eval-judge"), pairs)
        judged = [*seed_answers.values(), *answers]
        out = judged_metrics(fixed, judged, spec.name, self.seed_label, self.settings.lc_difficulty, notes)
        reference = fixed
        if self.settings.reference_judge is not None:
            reference = self._judge(self._judge_spec(self.settings.reference_judge, "reference-judge"), pairs)
        own = self._judge(self._judge_spec(spec, f"{spec.name}/as-judge"), pairs)
        out["judge_agreement"] = self._agreement(own, reference, notes)
        out["judge_position"] = judge_position(own, judged)
        return out

    def _item(self, gen: Generation) -> Item:
        return next(it for it in self.items if (it.dataset, it.id) == (gen.dataset, gen.item_id))

    @staticmethod
    def _agreement(own: Sequence[Any], reference: Sequence[Any], notes: list[str]) -> dict[str, Any] | None:
        keys = ["dataset", "item_id", "model_a", "model_b"]
        joined = pair_table(own)[[*keys, "p_a"]].merge(
            pair_table(reference)[[*keys, "p_a"]], on=keys, suffixes=("_own", "_reference")
        )
        try:
            result = agreement(joined["p_a_own"], joined["p_a_reference"], ties="half")
        except DataError as exc:
            notes.append(f"no judge agreement: {exc}")
            return None
        return {
            "n": result.n,
            "n_missing": result.n_missing,
            "accuracy": result.accuracy,
            "kappa": result.kappa,
        }

    def _concrete(self, spec: ModelSpec) -> dict[str, Any]:
        result = run_bench(
            self.engine,
            [(spec, self.backend_for(spec))],
            self.tasks,
            groups=self.groups,
            limit=self.settings.task_limit,
            seed=0,
        )
        return {
            "groups": {g.group: {"value": g.value, "ci": list(g.ci)} for g in result.groups},
            "tasks": {
                t.task: {"value": t.value, "normalised": t.to_dict()["normalised"], "n": t.n}
                for t in result.tasks
            },
        }
