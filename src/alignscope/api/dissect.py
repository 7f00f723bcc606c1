"""``dissect``: preference dissection as functions (``alignscope dissect fit`` and ``compare``).

``alignscope.dissect.fit(table)`` fits preference weights (Bayesian logistic regression per scenario and
source) from a feature table, a stored judge run or AlpacaEval annotations; ``alignscope.dissect.compare``
compares two preference profiles (by default the original's released weights: humans vs 32 LLM judges).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from alignscope.api.runs import close_run, open_run
from alignscope.config import ModelSpec
from alignscope.errors import ConfigError
from alignscope.judges.config import JudgeSpec
from alignscope.records import Item
from alignscope.store import RunStore

FEATURES = ("annotated", "style")
SCENARIO_BY = ("all", "category", "scenario")


def load_weights(path: Path | str | None) -> pd.DataFrame:
    """Fitted weights at ``path`` (fit.json / fit.parquet of ``fit``, or a CSV/Parquet with scenario, source
    and one column per property), or the original's released weights."""
    from alignscope.analysis.dissection.released import load_released_weights
    from alignscope.analysis.dissection.table import read_weights

    return load_released_weights() if path is None else read_weights(Path(path))


def write_result(path: Path, result: dict[str, Any], files: Sequence[Path]) -> list[str]:
    """Write ``result`` to ``path`` as JSON, listing under ``files`` the paths of ``path`` and ``files``;
    return that list."""
    paths = [str(path), *(str(f) for f in files)]
    path.write_text(json.dumps({**result, "files": paths}, indent=2, default=str), encoding="utf-8")
    return paths


def scenario_spec(
    classifier: str | ModelSpec, api_key_env: str | None, template: str, text: bool, seed: int
) -> JudgeSpec:
    """The JudgeSpec of a scenario classifier (logprob verdicts unless ``text``)."""
    model = classifier if isinstance(classifier, ModelSpec) else ModelSpec.parse(classifier, api_key_env)
    return JudgeSpec(
        model=model,
        mode="scenario",
        template=template,
        verdict="text" if text else "logprob",
        sampling={"max_tokens": 16, "temperature": 0.0, "seed": seed},
    )


def classify(
    store: RunStore, items: list[Item], classifier: str, source: str, seed: int
) -> dict[tuple[str, str], str | None]:
    """The scenario group of each of ``items`` by ``classifier`` (logprob verdicts), in a stored run of its
    own (``source`` names where the queries came from)."""
    from alignscope.backends.registry import make_backend
    from alignscope.experiments.scenarios import label_scenarios

    spec = scenario_spec(classifier, None, "scenario-groups", False, seed)
    config = {"classifier": spec.model_dump(mode="json"), "queries": source, "seed": seed}
    engine, _ = open_run(store, "dissect-scenarios", config, None)
    result = label_scenarios(engine, make_backend(spec.model, where="classifier"), spec, items, seed=seed)
    counts = dict(Counter(g or "failed" for g in result.groups.values()))
    close_run(engine, {"queries": len(items), "groups": counts})
    return result.groups


@dataclass
class DissectFitResult:
    """Fitted weights (``fits``: one row per scenario, source and property: weight, interval, 0-100 score),
    the pair counts of a judge run, and the files written; ``to_dict()`` is the command's ``--json``."""

    summary: dict[str, Any]
    fits: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready result."""
        return self.summary


def fit(
    table: Path | str | None = None,
    *,
    judge_run: str | None = None,
    alpaca_eval: Sequence[str] = (),
    only: Sequence[str] = (),
    annotations: str | None = None,
    features: str = "annotated",
    judge: str | None = None,
    annotator: str | None = None,
    by: str = "all",
    classifier: str = "hf:smollm2-135m",
    prior_scale: float = 0.1,
    level: float = 0.95,
    seed: int = 0,
    out: Path | str | None = None,
    workspace: Path | str | None = None,
) -> DissectFitResult:
    """Preference weights with intervals from exactly one of a feature table (one column per property in
    {-1, 0, 1}, a label column), a stored judge run's pairwise Judgments, or AlpacaEval annotations
    (``"shipped"``: the bundled GPT-4-Turbo annotations, fitted on style features); ``out`` writes JSON,
    Parquet and plots.

    Example::

        result = alignscope.dissect.fit(alpaca_eval=["shipped"], only=["alpaca-7b"])
        print(result.fits[["property", "mean", "lower", "upper"]].head())
    """
    from alignscope.analysis.dissection.alpaca_style import judge_style_weights, load_annotations
    from alignscope.analysis.dissection.judge_run import dissect_run, fit_pairs
    from alignscope.analysis.dissection.table import fit_table, fits_json, read_feature_table

    if sum(bool(x) for x in (table is not None, judge_run, alpaca_eval)) != 1:
        raise ConfigError("give exactly one of a feature table, --judge-run or --alpaca-eval")
    if only and not alpaca_eval:
        raise ConfigError("--only applies to --alpaca-eval annotations")
    _choice("--features", features, FEATURES)
    _choice("--by", by, SCENARIO_BY)
    store = RunStore(Path(workspace) if workspace else None)
    counts: dict[str, int] = {}
    if table is not None:
        frame = read_feature_table(Path(table))
        if by == "scenario":
            frame = _table_scenarios(frame, classifier, str(table), seed, store)
        fitted = fit_table(frame, prior_scale=prior_scale, level=level)
        origin: dict[str, Any] = {"table": str(table), "by": by}
    elif alpaca_eval:
        fitted = judge_style_weights(
            load_annotations(list(alpaca_eval), list(only) or None), seed=seed, prior_scale=prior_scale,
            level=level,
        )  # fmt: skip
        origin = {"alpaca_eval": list(alpaca_eval), "only": list(only) or None, "features": "style"}
    else:
        assert judge_run is not None
        groups = (
            classify(store, _run_items(store, judge_run), classifier, judge_run, seed)
            if by == "scenario"
            else None
        )
        pairs = dissect_run(
            store, judge_run, annotation_run=annotations, features=features, judge=judge, annotator=annotator,
            scenario_by=by, scenarios=groups, seed=seed,
        )  # type: ignore[arg-type]  # fmt: skip
        counts = pairs.counts
        fitted = fit_pairs(pairs, prior_scale=prior_scale, level=level)
        origin = {"judge_run": judge_run, "annotations": annotations or judge_run, "features": features}
    summary = {
        **origin,
        "prior_scale": prior_scale,
        "level": level,
        "counts": counts,
        "fits": fits_json(fitted),
    }
    if out is not None:
        summary["files"] = _write_fit(Path(out), fitted, summary)
    return DissectFitResult(summary, fitted)


def _table_scenarios(
    frame: pd.DataFrame, classifier: str, source: str, seed: int, store: RunStore
) -> pd.DataFrame:
    """The table with a scenario column: its own, else its prompts' scenario groups by ``classifier``."""
    from alignscope.experiments.scenarios import query_items

    if "scenario" in frame.columns:
        return frame.drop(columns=["prompt"], errors="ignore")
    if "prompt" not in frame.columns:
        raise ConfigError(
            "--by scenario needs a scenario column, or a prompt column to label with --classifier"
        )
    prompts = frame["prompt"].astype(str)
    items = query_items(list(prompts))
    groups = classify(store, items, classifier, source, seed)
    by_text = {it.prompt: groups[(it.dataset, it.id)] or "failed" for it in items}
    return frame.drop(columns=["prompt"]).assign(scenario=prompts.map(by_text).to_numpy())


def _run_items(store: RunStore, judge_run: str) -> list[Item]:
    """The Items answered in a stored run."""
    from alignscope.judges.run import stored_items

    store.get_run(judge_run)
    return stored_items(store, {(g.dataset, g.item_id) for g in store.records("generations", judge_run)})


def _choice(option: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{option} {value!r}: choose {' or '.join(choices)}")


def _write_fit(out: Path, fitted: pd.DataFrame, result: dict[str, Any]) -> list[str]:
    """fit.json, fit.parquet, one bar chart of preference scores per scenario, and a similarity heat map of
    the sources when there are several with weights in every scenario."""
    from alignscope.analysis.dissection.compare import similarity_matrix
    from alignscope.analysis.dissection.plots import preference_bar_chart, similarity_heatmap
    from alignscope.analysis.dissection.table import to_weights_frame
    from alignscope.report.sections import slug

    out.mkdir(parents=True, exist_ok=True)
    files = [out / "fit.parquet"]
    fitted.to_parquet(files[0], index=False)
    for scenario, part in fitted.groupby("scenario", sort=False):
        by_source = {s: p.set_index("property") for s, p in part.groupby("source", sort=False)}
        labels = list(next(iter(by_source.values())).index)
        svg = preference_bar_chart(
            {s: p.loc[labels, "score"] for s, p in by_source.items()},
            labels,
            intervals={
                s: (p.loc[labels, "score_lower"], p.loc[labels, "score_upper"]) for s, p in by_source.items()
            },
            title=f"preference scores: {scenario}",
        )
        files.append(out / f"scores_{slug(str(scenario))}.svg")
        files[-1].write_text(svg, encoding="utf-8")
    weights = to_weights_frame(fitted)
    complete = weights.groupby("source")["scenario"].nunique().eq(weights["scenario"].nunique()).all()
    if weights["source"].nunique() > 1 and complete:
        files.append(out / "similarity.svg")
        files[-1].write_text(
            similarity_heatmap(similarity_matrix(weights), title="profile similarity"), "utf-8"
        )
    return write_result(out / "fit.json", result, files)


@dataclass
class CompareResult:
    """Two profiles compared: ``similarity`` (Pearson r of the weights, mean over scenarios), ``properties``
    (per property: both scores, difference, scenarios where the first is higher), the most and least
    preferred properties of each, and with ``matrix`` the similarity of every pair of sources (by judge size,
    pretrained vs chat); ``to_dict()`` is the command's ``--json``."""

    summary: dict[str, Any]

    @property
    def similarity(self) -> float:
        """Mean Pearson r of the two sources' weights over the chosen scenarios."""
        return self.summary["similarity"]

    @property
    def properties(self) -> pd.DataFrame:
        """One row per property."""
        return pd.DataFrame(self.summary["properties"])

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready result."""
        return self.summary


def compare(
    source_a: str = "human",
    source_b: str = "gpt-4-1106-preview",
    *,
    weights: Path | str | None = None,
    scenario: Sequence[str] | None = None,
    top: int = 3,
    matrix: bool = False,
    out: Path | str | None = None,
) -> CompareResult:
    """Compare two preference profiles (default: the released weights, humans vs GPT-4-Turbo).

    Example::

        result = alignscope.dissect.compare("human", "gpt-4-1106-preview")
        print(round(result.similarity, 3), result.properties.head())
    """
    from alignscope.analysis.dissection.compare import compare_sources, profile_similarity, scenarios_in

    frame = load_weights(weights)
    chosen = scenarios_in(frame, list(scenario) if scenario else None)
    table = compare_sources(frame, source_a, source_b, chosen)
    summary: dict[str, Any] = {
        "source_a": source_a,
        "source_b": source_b,
        "scenarios": chosen,
        "similarity": profile_similarity(frame, source_a, source_b, chosen),
        "properties": table.to_dict(orient="records"),
        "top": {s: _ends(table, f"score_{s}", top) for s in (source_a, source_b)},
    }
    if matrix:
        summary |= _matrix_analyses(frame, chosen)
    if out is not None:
        summary["files"] = _write_compare(Path(out), frame, table, (source_a, source_b), chosen, summary)
    return CompareResult(summary)


def _ends(table: pd.DataFrame, column: str, k: int) -> dict[str, list[str]]:
    ranked = table.sort_values(column, ascending=False)["property"].tolist()
    return {"most": ranked[:k], "least": ranked[::-1][:k]}


def _matrix_analyses(frame: pd.DataFrame, chosen: list[str]) -> dict[str, Any]:
    """The similarity matrix of all sources, its summary by judge size, and pretrained vs chat models."""
    from alignscope.analysis.dissection.compare import base_vs_chat, similarity_by_size, similarity_matrix
    from alignscope.analysis.dissection.released import BASE_CHAT_PAIRS, MODEL_SIZES_B

    sim = similarity_matrix(frame, scenarios=chosen)
    names = list(sim.index)
    out: dict[str, Any] = {"similarity_matrix": {n: sim.loc[n].to_dict() for n in names}}
    if any(n in MODEL_SIZES_B for n in names):
        by_size = similarity_by_size(sim, MODEL_SIZES_B)
        out["similarity_by_size"] = {i: by_size.loc[i].to_dict() for i in by_size.index}
    pairs = [(b, c) for b, c in BASE_CHAT_PAIRS if b in names and c in names]
    if pairs:
        out["base_vs_chat"] = base_vs_chat(sim, pairs).to_dict(orient="records")
    return out


def _write_compare(
    out: Path,
    frame: pd.DataFrame,
    table: pd.DataFrame,
    sources: tuple[str, str],
    chosen: list[str],
    result: dict[str, Any],
) -> list[str]:
    """compare.json, a bar chart of both sources' scores and the similarity heat map of all sources."""
    from alignscope.analysis.dissection.compare import similarity_matrix
    from alignscope.analysis.dissection.plots import preference_bar_chart, similarity_heatmap

    out.mkdir(parents=True, exist_ok=True)
    scores, heatmap = out / "scores.svg", out / "similarity.svg"
    scores.write_text(
        preference_bar_chart(
            {s: table[f"score_{s}"] for s in sources},
            table["property"].tolist(),
            title=f"preference scores, mean over {len(chosen)} scenarios",
        ),
        encoding="utf-8",
    )
    heatmap.write_text(
        similarity_heatmap(similarity_matrix(frame, scenarios=chosen), title="profile similarity"), "utf-8"
    )
    return write_result(out / "compare.json", result, [scores, heatmap])
