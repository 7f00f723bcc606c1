"""``alignscope dissect manipulate``: make a model show a judge's most (and least) preferred properties, by a
system prompt (``--method prompt``) or by DPO towards them (``--method dpo``), rerun the judge against the
original answers, and report the score change with CIs; with both methods, both on the same held-out
prompts."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
import typer

from alignscope.api.dissect import load_weights, write_result
from alignscope.cli import options as opt
from alignscope.cli.common import (
    begin_run,
    console,
    emit_json,
    end_run,
    open_store,
    print_table,
)
from alignscope.cli.dissect.shared import ModelRunOptions, OutOpt, ScenarioOpt, WeightsOpt
from alignscope.cli.option_groups import with_groups
from alignscope.config import ModelSpec
from alignscope.errors import ConfigError

METHODS = ("prompt", "dpo")


@with_groups(job=ModelRunOptions)
def manipulate(
    actor: Annotated[
        str, typer.Option("--actor", help="Evaluated model as BACKEND:MODEL or BACKEND:MODEL@URL.")
    ] = "hf:smollm2-135m",
    judge_model: Annotated[
        str, typer.Option("--judge", "-j", help="Judge model as BACKEND:MODEL or BACKEND:MODEL@URL.")
    ] = "hf:smollm2-135m",
    profile: Annotated[
        str, typer.Option(help="Whose preferences to exploit: a source in the weights.")
    ] = "gpt-4-1106-preview",
    weights: WeightsOpt = None,
    scenario: ScenarioOpt = None,
    k: Annotated[int, typer.Option("-k", help="Properties per arm (the k most / least preferred).")] = 3,
    data: Annotated[
        str, typer.Option("--data", "-d", help="Bundled data set or file of prompts.")
    ] = "vicuna_bench",
    template: Annotated[str, typer.Option(help="Pairwise judge template.")] = "alpaca-eval",
    logprob: Annotated[
        bool, typer.Option("--logprob", help="Verdicts from next-token probabilities.")
    ] = False,
    max_tokens: Annotated[int, typer.Option(help="Maximum tokens of an answer.")] = 512,
    judge_max_tokens: Annotated[int, typer.Option(help="Maximum tokens of a text verdict.")] = 1024,
    temperature: Annotated[float, typer.Option(help="Answer sampling temperature.")] = 0.0,
    method: Annotated[
        list[str] | None,
        typer.Option(
            "--method",
            help="prompt (system prompt arms) or dpo (train the actor towards the top properties); "
            "repeatable (default: prompt).",
        ),
    ] = None,
    train: Annotated[
        int, typer.Option(help="DPO: the first N prompts train, the rest are held out for scoring.")
    ] = 16,
    dpo_lr: Annotated[float, typer.Option(help="DPO learning rate (LoRA adapters by default).")] = 5e-5,
    dpo_epochs: Annotated[float, typer.Option(help="DPO epochs.")] = 1.0,
    dpo_batch_size: Annotated[int, typer.Option(help="DPO batch size.")] = 4,
    dpo_beta: Annotated[float, typer.Option(help="DPO beta.")] = 0.1,
    lora: Annotated[bool, typer.Option("--lora/--no-lora", help="DPO through LoRA adapters.")] = True,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples of the intervals.")] = 2000,
    level: Annotated[float, typer.Option(help="Interval level.")] = 0.95,
    job: ModelRunOptions = ModelRunOptions(),
    out: OutOpt = None,
    workspace: opt.Workspace = None,
    json_out: opt.Json = False,
) -> None:
    """Make a model show a judge's most (and least) preferred properties; measure the score change."""
    from alignscope.analysis.dissection.manipulate import judge_profile, preference_arms
    from alignscope.backends.registry import make_backend
    from alignscope.data import load_items
    from alignscope.experiments.manipulation import run_manipulation
    from alignscope.judges.config import JudgeSpec
    from alignscope.records import SamplingParams

    ranked = judge_profile(load_weights(weights), profile, scenario)
    arms = preference_arms(ranked, k)
    actor_spec = ModelSpec.parse(actor, job.api_key_env)
    judge = JudgeSpec(
        model=ModelSpec.parse(judge_model, job.api_key_env),
        mode="pairwise",
        template=template,
        verdict="logprob" if logprob else "text",
        sampling={"max_tokens": judge_max_tokens, "temperature": 0.0, "seed": job.seed},
    )
    methods = list(dict.fromkeys(method or ["prompt"]))
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ConfigError(f"--method {unknown[0]!r}: choose {' or '.join(METHODS)}")
    items = load_items(data, limit=job.limit, seed=job.seed)
    train_items, test_items = ([], items) if "dpo" not in methods else (items[:train], items[train:])
    if "dpo" in methods and (train < 1 or not test_items):
        raise ConfigError(
            f"--method dpo: {len(items)} prompts, {train} to train on: raise --limit above --train "
            "to leave held-out prompts"
        )
    sampling = SamplingParams(max_tokens=max_tokens, temperature=temperature, seed=job.seed)
    judge_backend = make_backend(judge.model, where="judge")
    config = {
        "actor": actor_spec.model_dump(mode="json"),
        "judge": judge.model_dump(mode="json"),
        "profile": profile,
        "weights": str(weights) if weights else "released",
        "scenarios": scenario,
        "k": k,
        "data": data,
        "limit": job.limit,
        "seed": job.seed,
        "sampling": sampling.model_dump(),
        "bootstrap": bootstrap,
        "level": level,
    }
    dpo = None
    if "dpo" in methods:
        dpo = _dpo_config(dpo_lr, dpo_epochs, dpo_batch_size, dpo_beta, lora, job.seed)
        config |= {"methods": methods, "train": train, "dpo": dpo.model_dump(mode="json")}
    engine = begin_run(open_store(workspace), "dissect-manipulate", config, job.run_id)
    results, training = [], None
    if "prompt" in methods:
        results.append(
            run_manipulation(
                engine,
                actor_spec,
                judge_backend,
                judge,
                test_items,
                arms,
                sampling,
                n_boot=bootstrap,
                level=level,
                seed=job.seed,
            )
        )
    if dpo is not None:
        from alignscope.cli.train_cmd import stdout_for
        from alignscope.experiments.manipulation import run_dpo_manipulation

        with stdout_for(json_out):  # the trainer's log lines stay out of the JSON
            dpo_result, training = run_dpo_manipulation(
                engine,
                actor_spec,
                judge_backend,
                judge,
                train_items,
                test_items,
                arms,
                sampling,
                dpo,
                n_boot=bootstrap,
                level=level,
                seed=job.seed,
            )
        results.append(dpo_result)
    table = pd.concat([r.arms for r in results], ignore_index=True)
    table.insert(0, "method", ["dpo" if a == "dpo" else "prompt" for a in table["arm"]])
    pct = f"{level:.0%}"
    print_table(
        f"manipulating {actor_spec.name} with {profile}'s preferences; judge {judge.label}: "
        "P(manipulated answer preferred over the original) x 100, change from 50",
        ["method", "arm", "properties", "judged", "score", "change", f"{pct} interval", "words (original)"],
        [
            [
                r["method"],
                r["arm"],
                ", ".join(r["properties"]),
                f"{r['judged']}/{r['items']}",
                r["score"],
                r["change"],
                f"[{r['change_lower']:.1f}, {r['change_upper']:.1f}]",
                f"{r['mean_words']:.0f} ({r['base_mean_words']:.0f})",
            ]
            for r in table.to_dict(orient="records")
        ],
        json_mode=json_out,
    )
    contrast = results[0].contrast if "prompt" in methods else None
    if contrast is not None:
        console(json_out).print(
            f"top - bottom: {contrast['difference']:.1f} points, {pct} interval "
            f"[{contrast['lower']:.1f}, {contrast['upper']:.1f}] over {contrast['items']} items"
        )
    summary = {
        "profile": profile,
        "profile_scores": ranked.round(3).to_dict(),
        "judge": {
            "label": judge.label,
            "model": judge.model.model,
            "template": template,
            "verdict": judge.verdict,
        },
        "methods": methods,
        "arms": table.to_dict(orient="records"),
        "contrast": contrast,
        "level": level,
        "held_out_prompts": len(test_items),
        "dpo_training": training,
        "judgments": sum(len(r.judgments) for r in results),
        "parse_failures": sum(j.parse_status == "failed" for r in results for j in r.judgments),
        "failed_generations": sum(g.error is not None for r in results for g in r.generations),
    }
    full = end_run(engine, summary, json_mode=json_out)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        per_item = out / "manipulation_items.parquet"
        pd.concat([r.per_item for r in results], ignore_index=True).to_parquet(per_item, index=False)
        full["files"] = write_result(out / "manipulation.json", full, [per_item])
    if json_out:
        emit_json(full)


def _dpo_config(lr: float, epochs: float, batch_size: int, beta: float, lora: bool, seed: int) -> Any:
    """The DPO settings of the DPO arm (the actor is filled in when it trains)."""
    from alignscope.training.config import DPOTrainConfig, LoraSettings

    return DPOTrainConfig(
        model="actor",
        learning_rate=lr,
        epochs=epochs,
        batch_size=batch_size,
        beta=beta,
        seed=seed,
        logging_steps=1,
        lora=LoraSettings() if lora else None,
    )
