"""The Meta-Rewarding loop (Wu et al. 2024); with ``self_rewarding: true``, Self-Rewarding (Yuan et al. 2024).

Iteration t (1-based) starts from model M(t-1) (M0 = the seed) and trains M(t), registered as
``<name>-iter<t>``:

1. ``actor``: K sampled responses per prompt (distinct seeds), deduplicated; stored as Generations whose
   ``model`` is ``iter<t>/response<i>``;
2. ``judge``: N rubric judgments of every response by the same model (unparseable ones kept, counted, and left
   out of the mean, or with ``judge_unparsed: conclude`` scored as :mod:`alignscope.judges.conclusion` says);
3. ``actor_pairs``: per prompt, chosen and rejected by mean score with length control rho;
4. ``judge_pairs`` (when on for t): per prompt, the response whose scores vary most; the meta-judge compares
   every pair of its distinct judgments in both orders (each comparison sampled with its own seed);
   position-weighted Elo picks the best and worst judgment;
5. ``train``: DPO of M(t-1) on the actor (+ judge) pairs -> M(t), saved and registered;
6. ``evaluate``: see :mod:`alignscope.training.iteration_eval`, and with an ``evaluate:`` block the published
   benchmarks of :mod:`alignscope.evaluation` (both also run once for the seed, as iteration 0).

Each finished stage leaves a marker artifact ``meta-rewarding/iter<t>/<stage>`` in the run (its counts or
pairs, and ``finished_at``); a rerun of the same run loads finished stages from the store and goes on from the
first unfinished one. Model calls go through the engine, whose cache answers every call a killed run had
finished.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import fmean
from typing import Any

from alignscope.backends.base import Backend, ChatRequest
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.data import load_items
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError, DataError
from alignscope.evaluation.run import evaluate_models
from alignscope.hashing import stable_hash
from alignscope.judges.calls import JudgeCall, run_calls
from alignscope.judges.conclusion import was_unparsed
from alignscope.judges.config import JudgeSpec
from alignscope.judges.meta import meta_calls
from alignscope.judges.pointwise import answer_calls
from alignscope.judges.rubric import judge_rubric
from alignscope.judges.run import store_judgments
from alignscope.judges.templates import JudgeTemplate, load_template
from alignscope.records import Generation, Item, Judgment, Provenance, SamplingParams
from alignscope.training.checkpoints import resolve_checkpoint
from alignscope.training.iteration_eval import IterationEvaluator
from alignscope.training.meta_config import MetaRewardingConfig
from alignscope.training.meta_pairs import ItemKey, actor_pairs, judge_pairs, meta_inputs
from alignscope.training.run import train_from_config

SEED_LABEL = "seed"
STAGES = ("actor", "judge", "actor_pairs", "judge_pairs", "train", "evaluate")
_DPO_FIELDS = ("prompt", "chosen", "rejected")


def marker_name(iteration: int, stage: str) -> str:
    """The artifact that marks ``stage`` of ``iteration`` finished."""
    return f"meta-rewarding/iter{iteration}/{stage}"


def response_label(iteration: int, index: int) -> str:
    """The ``model`` of the ``index``-th distinct response sampled in ``iteration``."""
    return f"iter{iteration}/response{index}"


def independent_seeds(calls: Sequence[JudgeCall]) -> list[JudgeCall]:
    """Each call its own sampling seed, derived from its prompt: sampled verdicts of different comparisons are
    independent draws (a shared seed would correlate them), and a rerun sends the very same requests."""
    return [replace(c, sample=int(stable_hash([m.model_dump() for m in c.messages], 5), 16)) for c in calls]


@dataclass
class MetaRewardingResult:
    """A finished loop: the registered checkpoint per iteration and the metrics of iterations 0..T."""

    checkpoints: list[str]
    metrics: list[dict[str, Any]]


_Stage = Callable[..., dict[str, Any]]


def _resumable(stage: str) -> Callable[[_Stage], _Stage]:
    """A stage method ``(self, t, ...)`` of the loop that returns iteration ``t``'s stored ``stage`` marker
    when there is one, else runs and stores what it returns as that marker."""

    def decorate(method: _Stage) -> _Stage:
        @functools.wraps(method)
        def run(self: _Loop, t: int, *args: Any) -> dict[str, Any]:
            done = self.marker(t, stage)
            if done is not None:
                return done
            return self.mark(t, stage, method(self, t, *args))

        return run

    return decorate


@dataclass
class _Loop:
    config: MetaRewardingConfig
    engine: Engine
    workspace: Path
    items: list[Item]
    backends: dict[str, Backend] = field(default_factory=dict)

    # -- plumbing ---------------------------------------------------------------------------------------
    @property
    def keyed(self) -> dict[ItemKey, Item]:
        return {(it.dataset, it.id): it for it in self.items}

    def marker(self, iteration: int, stage: str) -> Any | None:
        return self.engine.store.get_artifact(self.engine.run_id, marker_name(iteration, stage))

    def mark(self, iteration: int, stage: str, body: dict[str, Any]) -> dict[str, Any]:
        body = {**body, "finished_at": time.time()}
        self.engine.store.put_artifact(self.engine.run_id, marker_name(iteration, stage), body)
        return body

    def model_spec(self, iteration: int) -> ModelSpec:
        """M(iteration) as a ModelSpec on the configured generation backend."""
        gen = self.config.generation
        if iteration == 0:
            registered = resolve_checkpoint(self.config.model, self.workspace)
            name, model = SEED_LABEL, str(registered or self.config.model)
        else:
            name = self.config.checkpoint_name(iteration)
            path = resolve_checkpoint(name, self.workspace)
            if path is None:
                raise DataError(f"checkpoint {name!r} of iteration {iteration} is not registered")
            model = str(path)
        return ModelSpec(
            name=name, backend=gen.backend, model=model, base_urls=gen.base_urls, api_key_env=gen.api_key_env,
            batch_size=gen.batch_size, dtype=gen.dtype, device=gen.device, options=gen.options,
        )  # fmt: skip

    def backend_for(self, spec: ModelSpec) -> Backend:
        key = spec.model_dump_json()
        if key not in self.backends:
            backend = make_backend(spec)
            asyncio.run(backend.check())
            self.backends[key] = backend
        return self.backends[key]

    def release_models(self) -> None:
        """Drop every loaded generation model, so that training has the memory (on a GPU: vLLM's too)."""
        self.backends.clear()
        gc.collect()
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def template(self, ref: str, mode: str) -> JudgeTemplate:
        template = load_template(ref)
        if template.mode != mode:
            raise ConfigError(f"template {template.name!r} is written for mode {template.mode}, not {mode}")
        return template

    def judge_spec(self, iteration: int, mode: str) -> JudgeSpec:
        cfg = self.config
        sampling = SamplingParams(
            temperature=cfg.judge_temperature,
            top_p=cfg.judge_top_p,
            max_tokens=cfg.judge_max_tokens,
            seed=cfg.seed,
        )
        rubric = mode == "rubric"
        verdict = "text" if rubric else cfg.meta_verdict
        return JudgeSpec(
            model=self.model_spec(iteration - 1),
            mode=mode,  # type: ignore[arg-type]
            name=f"iter{iteration}/{'judge' if rubric else 'meta-judge'}",
            template=cfg.rubric_template if rubric else cfg.meta_template,
            verdict=verdict,
            sampling=sampling,
            n_samples=cfg.judge_samples if rubric else 1,
            parse_retries=cfg.parse_retries,
            unparsed="conclude" if rubric and cfg.judge_unparsed == "conclude" else "fail",
            turns="first",
            use_reference=False,
        )

    # -- stages -----------------------------------------------------------------------------------------
    def actor(self, t: int) -> list[Generation]:
        """K sampled responses per prompt from M(t-1), deduplicated, stored."""
        store = self.engine.store
        if self.marker(t, "actor") is not None:
            gens = store.records("generations", self.engine.run_id)
            return [g for g in gens if g.model.startswith(f"iter{t}/response")]  # type: ignore[union-attr]
        cfg = self.config
        spec = self.model_spec(t - 1)
        samplings = [
            SamplingParams(
                temperature=cfg.temperature, top_p=cfg.top_p, max_tokens=cfg.max_tokens, seed=cfg.seed + k
            )
            for k in range(cfg.samples)
        ]
        requests = [
            ChatRequest(messages=tuple(it.messages), sampling=s) for it in self.items for s in samplings
        ]
        outcomes = self.engine.generate(self.backend_for(spec), requests, desc=f"iter{t} actor")
        gens: list[Generation] = []
        failed = duplicates = 0
        for n, item in enumerate(self.items):
            seen: set[str] = set()
            for sampling, out in zip(
                samplings, outcomes[n * cfg.samples : (n + 1) * cfg.samples], strict=True
            ):
                if out.error is not None or not out.result.text.strip():
                    failed += 1
                    continue
                if out.result.text.strip() in seen:
                    duplicates += 1
                    continue
                seen.add(out.result.text.strip())
                gens.append(self._response(t, len(seen) - 1, item, spec, sampling, out))
        store.put_items(self.items)
        store.put_generations(gens)
        mean_chars = fmean(len(g.text) for g in gens) if gens else None
        self.mark(
            t,
            "actor",
            {"responses": len(gens), "duplicates": duplicates, "failed": failed, "mean_chars": mean_chars},
        )
        return gens

    def _response(
        self, t: int, index: int, item: Item, spec: ModelSpec, sampling: SamplingParams, out: Any
    ) -> Generation:
        return Generation(
            item_id=item.id,
            dataset=item.dataset,
            model=response_label(t, index),
            text=out.result.text,
            prompt_tokens=out.result.prompt_tokens,
            completion_tokens=out.result.completion_tokens,
            finish_reason=out.result.finish_reason,
            run_id=self.engine.run_id,
            provenance=Provenance(
                model=spec.model, backend=spec.backend, sampling=sampling, data_version=item.data_version,
                call_key=out.key,
            ),
        )  # fmt: skip

    def judge(self, t: int, responses: Sequence[Generation]) -> list[Judgment]:
        """N rubric judgments of every response by M(t-1), stored."""
        spec = self.judge_spec(t, "rubric")
        if self.marker(t, "judge") is not None:
            return self.engine.store.records("judgments", self.engine.run_id, judge=spec.label)  # type: ignore[return-value]
        template = self.template(spec.template_ref, "rubric")
        backend = self.backend_for(spec.model)
        judgments: list[Judgment] = []
        unparsed = 0
        step = self.judge_chunk(backend, len(responses))
        for start in range(0, len(responses), step):
            chunk = responses[start : start + step]
            part = judge_rubric(self.engine, backend, spec, template, self.keyed, chunk, f"iter{t} judge")
            unparsed += sum(was_unparsed(j) for j in part)
            judgments += part
        store_judgments(self.engine.store, judgments)
        failed = sum(j.parse_status == "failed" for j in judgments)
        self.mark(t, "judge", {"judgments": len(judgments), "unparsed": unparsed, "failed": failed})
        return judgments

    def judge_chunk(self, backend: Backend, responses: int) -> int:
        """Responses judged, then concluded, at a time: all at once, except that an in-process hf model
        keeping the states of what it generated judges one batch of responses and concludes them before
        the next, so that each conclusion reads on from its judgment instead of re-reading the prompt."""
        from alignscope.backends.hf import HFBackend

        keeps = isinstance(backend, HFBackend) and backend.prefixes.max_bytes > 0
        if keeps and self.config.judge_unparsed == "conclude":
            return backend.max_batch
        return max(1, responses)

    @_resumable("actor_pairs")
    def actor_pairs(
        self, t: int, responses: Sequence[Generation], rubric: Sequence[Judgment]
    ) -> dict[str, Any]:
        """Length-controlled actor pairs (marker: the pairs and counts)."""
        rows, counts = actor_pairs(self.keyed, responses, rubric, self.config.rho)
        scored = [r["chosen_score"] for r in rows] + [r["rejected_score"] for r in rows]
        return {"pairs": rows, **counts, "mean_pair_score": fmean(scored) if scored else None}

    @_resumable("judge_pairs")
    def judge_pairs(
        self, t: int, responses: Sequence[Generation], rubric: Sequence[Judgment]
    ) -> dict[str, Any]:
        """Meta-judge battles over the most varied response's judgments -> judge pairs (marker: the pairs)."""
        spec = self.judge_spec(t, "meta")
        template = self.template(spec.template_ref, "meta")
        inputs = meta_inputs(self.keyed, responses, rubric)
        calls = independent_seeds(meta_calls(spec, template, inputs))
        meta = run_calls(self.engine, self.backend_for(spec.model), spec, calls, f"iter{t} meta-judge")
        store_judgments(self.engine.store, meta)
        rubric_spec = self.judge_spec(t, "rubric")
        rubric_template = self.template(rubric_spec.template_ref, "rubric")
        by_answer = {(g.item_id, g.model): g for g in responses}
        prompts = {
            (inp.item.id, inp.answer_id): answer_calls(
                rubric_spec, rubric_template, self.keyed, [by_answer[(inp.item.id, inp.answer_id)]]
            )[0].messages
            for inp in inputs
        }
        rows, counts = judge_pairs(inputs, meta, prompts, self.config.judge_length_cap)
        failed = sum(j.parse_status == "failed" for j in meta)
        return {
            "pairs": rows,
            **counts,
            "meta_inputs": len(inputs),
            "meta_judgments": len(meta),
            "meta_failed": failed,
        }

    @_resumable("train")
    def train(self, t: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """DPO of M(t-1) on ``rows`` -> M(t), registered as ``<name>-iter<t>``."""
        if not rows:
            raise DataError(
                f"iteration {t}: no preference pairs (every prompt's scored responses tied or went "
                "unscored); sample more responses (samples) or judgments (judge_samples), or use more prompts"
            )
        previous = self.config.model if t == 1 else self.config.checkpoint_name(t - 1)
        dpo = self.config.dpo.model_copy(update={"model": previous, "name": self.config.checkpoint_name(t)})
        data = [{k: r[k] for k in _DPO_FIELDS} for r in rows]
        self.release_models()
        name, result = train_from_config(dpo, self.workspace, data=data)
        losses = result.series("loss")
        summary = {k: v for k, v in result.log_history[-1].items() if k.startswith("train_")}
        return {
            "checkpoint": name,
            "path": str(result.path),
            "rows": len(rows),
            "first_loss": losses[0] if losses else None,
            "last_loss": losses[-1] if losses else None,
            **summary,
        }

    @_resumable("evaluate")
    def evaluate(
        self, t: int, evaluator: IterationEvaluator | None, stages: dict[str, Any]
    ) -> dict[str, Any]:
        """The metrics of M(t) (t = 0: the seed), with what the iteration's stages counted."""
        metrics: dict[str, Any] = {"iteration": t, "model": self.model_spec(t).name, **stages}
        if evaluator is not None:
            metrics |= evaluator.evaluate(self.model_spec(t))
        settings = self.config.evaluate
        if settings is not None:
            judge = settings.judge or self.model_spec(0)
            metrics["benchmarks"] = evaluate_models(
                self.engine, [self.model_spec(t)], judge, settings, self.backend_for
            )
        return metrics

    # -- one iteration ----------------------------------------------------------------------------------
    def iteration(self, t: int, evaluator: IterationEvaluator | None) -> dict[str, Any]:
        train = self.marker(t, "train")
        if train is None:
            responses = self.actor(t)
            rubric = self.judge(t, responses)
            actor = self.actor_pairs(t, responses, rubric)
            judge = self.judge_pairs(t, responses, rubric) if self.config.judge_pairs_on(t) else None
            rows = actor["pairs"] + (judge["pairs"] if judge else [])
            train = self.train(t, rows)
        return self.evaluate(t, evaluator, self._iteration_counts(t, train))

    def _iteration_counts(self, t: int, train: dict[str, Any]) -> dict[str, Any]:
        actor, rubric = self.marker(t, "actor"), self.marker(t, "judge")
        pairs, judge = self.marker(t, "actor_pairs"), self.marker(t, "judge_pairs")
        return {
            "responses": actor["responses"],
            "duplicates": actor["duplicates"],
            "mean_response_chars": actor["mean_chars"],
            "judgments": rubric["judgments"],
            "judgments_unparsed": rubric["unparsed"],
            "judgments_failed": rubric["failed"],
            "actor_pairs": len(pairs["pairs"]),
            "prompts_tied": pairs["tied"],
            "prompts_unscored": pairs["unscored"],
            "mean_pair_score": pairs["mean_pair_score"],
            "judge_pairs": len(judge["pairs"]) if judge else 0,
            "meta_judgments_failed": judge["meta_failed"] if judge else 0,
            "meta_wins_as_first": judge["wins_as_first"] if judge else None,
            "meta_wins_as_second": judge["wins_as_second"] if judge else None,
            "train_loss_first": train["first_loss"],
            "train_loss_last": train["last_loss"],
        }


def metrics_path(workspace: Path, run_id: str) -> Path:
    """Where the per-iteration metrics of run ``run_id`` go: ``<workspace>/meta-rewarding/<run_id>.json``."""
    return workspace / "meta-rewarding" / f"{run_id}.json"


def write_metrics(path: Path, metrics: list[dict[str, Any]]) -> None:
    """Write the metrics so far (atomically: a killed run never leaves half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(metrics, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


def load_prompts(config: MetaRewardingConfig) -> list[Item]:
    """The training prompts: first turns of the configured data set or file (a seeded subset)."""
    items = load_items(config.prompts, limit=config.prompt_limit, seed=config.seed)
    if not items:
        raise DataError("no prompts to train on", where=config.prompts)
    return [it.model_copy(update={"turns": []}) for it in items]


def run_meta_rewarding(config: MetaRewardingConfig, engine: Engine, workspace: Path) -> MetaRewardingResult:
    """Run (or resume) the loop in ``engine``'s run; checkpoints and their registry go under ``workspace``."""
    loop = _Loop(config, engine, workspace, load_prompts(config))
    evaluator = None
    if config.evaluation is not None:
        settings = config.evaluation
        items = loop.items
        if settings.prompts is not None:
            items = [
                it.model_copy(update={"turns": []})
                for it in load_items(settings.prompts, limit=settings.limit, seed=config.seed)
            ]
        elif settings.limit is not None:
            items = items[: settings.limit]
        evaluator = IterationEvaluator(
            engine, settings, items, loop.model_spec(0), loop.backend_for, SEED_LABEL
        )
    metrics = [loop.evaluate(0, evaluator, {})]
    for t in range(1, config.iterations + 1):
        metrics.append(loop.iteration(t, evaluator))
        write_metrics(metrics_path(workspace, engine.run_id), metrics)
    engine.store.put_artifact(engine.run_id, "meta-rewarding/metrics", metrics)
    return MetaRewardingResult([config.checkpoint_name(t) for t in range(1, config.iterations + 1)], metrics)
