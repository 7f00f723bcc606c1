"""``alignscope dissect manipulate``: tell a model to show a judge's most (and least) preferred properties
through a system prompt, rerun the judge against the untold answers, and report the score change with CIs."""

from __future__ import annotations

from typing import Annotated

import typer

from alignscope.cli.common import (
    ApiKeyEnvOpt,
    JsonOpt,
    LimitOpt,
    RunIdOpt,
    SeedOpt,
    WorkspaceOpt,
    begin_run,
    emit_json,
    end_run,
    err_console,
    open_store,
    out_console,
    print_table,
)
from alignscope.cli.dissect.shared import OutOpt, ScenarioOpt, WeightsOpt, load_weights, write_result
from alignscope.config import ModelSpec


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
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples of the intervals.")] = 2000,
    level: Annotated[float, typer.Option(help="Interval level.")] = 0.95,
    api_key_env: ApiKeyEnvOpt = None,
    limit: LimitOpt = None,
    seed: SeedOpt = 0,
    run_id: RunIdOpt = None,
    out: OutOpt = None,
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Tell a model to show a judge's most (and least) preferred properties; measure the score change."""
    from alignscope.analysis.dissection.manipulate import judge_profile, preference_arms
    from alignscope.backends.registry import make_backend
    from alignscope.data import load_items
    from alignscope.experiments.manipulation import run_manipulation
    from alignscope.judges.config import JudgeSpec
    from alignscope.records import SamplingParams

    ranked = judge_profile(load_weights(weights), profile, scenario)
    arms = preference_arms(ranked, k)
    actor_spec = ModelSpec.parse(actor, api_key_env)
    judge = JudgeSpec(
        model=ModelSpec.parse(judge_model, api_key_env),
        mode="pairwise",
        template=template,
        verdict="logprob" if logprob else "text",
        sampling={"max_tokens": judge_max_tokens, "temperature": 0.0, "seed": seed},
    )
    items = load_items(data, limit=limit, seed=seed)
    sampling = SamplingParams(max_tokens=max_tokens, temperature=temperature, seed=seed)
    judge_backend = make_backend(judge.model, where="judge")
    config = {
        "actor": actor_spec.model_dump(mode="json"),
        "judge": judge.model_dump(mode="json"),
        "profile": profile,
        "weights": str(weights) if weights else "released",
        "scenarios": scenario,
        "k": k,
        "data": data,
        "limit": limit,
        "seed": seed,
        "sampling": sampling.model_dump(),
        "bootstrap": bootstrap,
        "level": level,
    }
    engine = begin_run(open_store(workspace), "dissect-manipulate", config, run_id)
    result = run_manipulation(
        engine,
        actor_spec,
        judge_backend,
        judge,
        items,
        arms,
        sampling,
        n_boot=bootstrap,
        level=level,
        seed=seed,
    )
    pct = f"{level:.0%}"
    print_table(
        f"manipulating {actor_spec.name} with {profile}'s preferences; judge {judge.label}: "
        "P(manipulated answer preferred over the original) x 100, change from 50",
        ["arm", "properties", "judged", "score", "change", f"{pct} interval", "words (original)"],
        [
            [
                r["arm"],
                ", ".join(r["properties"]),
                f"{r['judged']}/{r['items']}",
                r["score"],
                r["change"],
                f"[{r['change_lower']:.1f}, {r['change_upper']:.1f}]",
                f"{r['mean_words']:.0f} ({r['base_mean_words']:.0f})",
            ]
            for r in result.arms.to_dict(orient="records")
        ],
        json_mode=json_out,
    )
    contrast = result.contrast
    if contrast is not None:
        (err_console if json_out else out_console).print(
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
        "arms": result.arms.to_dict(orient="records"),
        "contrast": contrast,
        "level": level,
        "judgments": len(result.judgments),
        "parse_failures": sum(j.parse_status == "failed" for j in result.judgments),
        "failed_generations": sum(g.error is not None for g in result.generations),
    }
    full = end_run(engine, summary, json_mode=json_out)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        per_item = out / "manipulation_items.parquet"
        result.per_item.to_parquet(per_item, index=False)
        full["files"] = write_result(out / "manipulation.json", full, [per_item])
    if json_out:
        emit_json(full)
