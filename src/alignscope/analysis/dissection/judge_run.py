"""Dissect a stored pairwise judge run: its verdicts as labels, the judged answers' properties as comparison
features, one Bayesian logistic regression per scenario and judge.

Features are either ``annotated`` (the 29 properties, from the property annotator's Judgments of the same
answers: ``alignscope dissect annotate``) or ``style`` (text-measured: length by the original rule, formatting
counts and a labelled heuristic; no annotator needed).

Each pair (item, judged model vs its baseline) is one row: the judge's verdicts over both orders and all
samples are averaged into P(A preferred), and the pair is put in a random (seeded) order, so that the
no-intercept model does not load the baseline's win rate onto the features. Ties and pairs without a verdict
are dropped and counted; so are pairs whose answers lack a complete annotation, or whose error check was not
applicable to either answer (as the original excludes them).
Only the first turn is dissected (the annotator's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from alignscope.analysis.dissection.alpaca_style import STYLE_FEATURES, fit_style
from alignscope.analysis.dissection.deterministic import compare_measures, response_measures
from alignscope.analysis.dissection.features import (
    ResponseAnnotation,
    comparison_features,
    query_specific_rating,
)
from alignscope.analysis.dissection.fit import DEFAULT_PRIOR_SCALE
from alignscope.analysis.dissection.properties import PROPERTY_NAMES
from alignscope.analysis.dissection.table import fit_table
from alignscope.analysis.dissection.words import count_words
from alignscope.errors import DataError
from alignscope.judges.annotator import Annotations
from alignscope.judges.context import answers_of
from alignscope.judges.pairwise import pair_table
from alignscope.judges.run import JudgeInputs, stored_items
from alignscope.records import Generation, Item, Judgment, Message, Provenance
from alignscope.store import RunStore

FeatureSet = Literal["annotated", "style"]
ScenarioBy = Literal["all", "category", "scenario"]
ALL_SCENARIOS = "all"
UNCATEGORISED = "uncategorised"
PAIR_COLUMNS = ("dataset", "item_id", "source", "model_a", "model_b", "label")
_WINNERS = {"model_a": 1.0, "model_b": 0.0, "tie": 0.5, "tie (bothbad)": 0.5}


@dataclass
class DissectionPairs:
    """Labelled pairs with their comparison features (``table``: feature columns, ``label``, ``scenario``,
    ``source`` and the pair's identity), the feature set, and how many pairs were dropped and why."""

    table: pd.DataFrame
    features: FeatureSet
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def feature_columns(self) -> list[str]:
        """The feature columns of ``table``."""
        return list(PROPERTY_NAMES if self.features == "annotated" else STYLE_FEATURES)


def response_annotation(
    annotations: Annotations, dataset: str, item_id: str, model: str, text: str
) -> ResponseAnnotation | None:
    """The ResponseAnnotation of one answer, or None when a stage it needs has no parsed annotation."""
    query = annotations.queries.get((dataset, item_id))
    stages = annotations.responses.get((dataset, item_id, model), {})
    needed = ("query_free", "query_aware", "errors") + (
        ("query_specific",) if query and query["traits"] else ()
    )
    if query is None or any(stage not in stages for stage in needed):
        return None
    ratings: dict[str, float] = {**stages["query_free"]["ratings"], **stages["query_aware"]["ratings"]}
    for name, values in stages.get("query_specific", {"values": {}})["values"].items():
        ratings[name] = query_specific_rating(name, values)
    return ResponseAnnotation(ratings=ratings, errors=stages["errors"]["errors"], words=count_words(text))


def labelled_pairs(
    judgments: Sequence[Judgment], *, judge: str | None = None, seed: int = 0
) -> tuple[pd.DataFrame, dict[str, int]]:
    """One row per judged first-turn pair (PAIR_COLUMNS), in a random seeded order, labelled 1 when the judge
    preferred A (verdicts averaged over orders and samples); counts of pairs dropped (no verdict, tie, later
    turn)."""
    table = pair_table([j for j in judgments if judge is None or j.judge == judge])
    if table.empty:
        raise DataError("no pairwise judgments to dissect" + (f" by judge {judge!r}" if judge else ""))
    later = table["turn"] != 1
    keys = ["judge", "dataset", "item_id", "model_a", "model_b"]
    first = table[~later].groupby(keys, sort=False, as_index=False)["p_a"].mean()
    no_verdict, tie = first["p_a"].isna(), first["p_a"] == 0.5
    kept = first[~no_verdict & ~tie].reset_index(drop=True)
    flip = np.random.default_rng(seed).random(len(kept)) < 0.5
    a = np.where(flip, kept["model_b"], kept["model_a"])
    b = np.where(flip, kept["model_a"], kept["model_b"])
    pairs = pd.DataFrame(
        {
            "dataset": kept["dataset"],
            "item_id": kept["item_id"],
            "source": kept["judge"],
            "model_a": a,
            "model_b": b,
            "label": ((kept["p_a"] > 0.5) != flip).astype(int),
        }
    )
    counts = {
        "judged_pairs": len(first),
        "no_verdict": int(no_verdict.sum()),
        "ties": int(tie.sum()),
        "later_turns_skipped": int(later.sum()),
    }
    return pairs, counts


def pair_features(
    pairs: pd.DataFrame,
    texts: Mapping[tuple[str, str, str], str],
    *,
    features: FeatureSet = "annotated",
    annotations: Annotations | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """``pairs`` (PAIR_COLUMNS) with their comparison features; ``texts`` maps (model, dataset, item id) to
    the first-turn answer. Pairs that cannot be featurised are dropped and counted."""
    have = [
        (texts.get((r.model_a, r.dataset, r.item_id)), texts.get((r.model_b, r.dataset, r.item_id)))
        for r in pairs.itertuples()
    ]
    has_text = np.array([x is not None and y is not None for x, y in have], dtype=bool)
    counts = {"missing_answers": int((~has_text).sum())}
    pairs = pairs[has_text].reset_index(drop=True)
    have = [h for h, ok in zip(have, has_text, strict=True) if ok]
    if features == "style":
        if not have:
            return pairs.assign(**dict.fromkeys(STYLE_FEATURES, 0)), counts
        unique = list(dict.fromkeys(t for pair in have for t in pair))  # a baseline answer recurs per model
        measures = response_measures(unique).set_index(pd.Index(unique))
        measures_a = measures.loc[[x for x, _ in have]].reset_index(drop=True)
        measures_b = measures.loc[[y for _, y in have]].reset_index(drop=True)
        style = compare_measures(measures_a, measures_b)[list(STYLE_FEATURES)]
        return pd.concat([pairs, style], axis=1), counts
    if annotations is None:
        raise DataError(
            "annotated features need the annotator's Judgments (run `alignscope dissect annotate`)"
        )
    rows, keep = [], []
    incomplete = not_applicable = 0
    seen: dict[tuple[str, str, str], ResponseAnnotation | None] = {}  # a baseline answer recurs per model

    def annotation(dataset: str, item_id: str, model: str, text: str) -> ResponseAnnotation | None:
        if (dataset, item_id, model) not in seen:
            seen[(dataset, item_id, model)] = response_annotation(annotations, dataset, item_id, model, text)
        return seen[(dataset, item_id, model)]

    for r, (text_a, text_b) in zip(pairs.itertuples(), have, strict=True):
        ann_a = annotation(r.dataset, r.item_id, r.model_a, text_a)
        ann_b = annotation(r.dataset, r.item_id, r.model_b, text_b)
        if ann_a is None or ann_b is None:
            incomplete += 1
            continue
        traits = annotations.queries[(r.dataset, r.item_id)]["traits"]
        row = comparison_features(ann_a, ann_b, traits)
        if row is None:
            not_applicable += 1
            continue
        rows.append(row)
        keep.append(r.Index)
    counts |= {"incomplete_annotations": incomplete, "error_check_not_applicable": not_applicable}
    table = pd.DataFrame(rows, columns=list(PROPERTY_NAMES), dtype=int)
    return pd.concat([pairs.loc[keep].reset_index(drop=True), table], axis=1), counts


def dissect_judgments(
    judgments: Sequence[Judgment],
    items: Iterable[Item],
    generations: Iterable[Generation],
    *,
    features: FeatureSet = "annotated",
    annotations: Annotations | None = None,
    judge: str | None = None,
    scenario_by: ScenarioBy = "all",
    scenarios: Mapping[tuple[str, str], str | None] | None = None,
    seed: int = 0,
) -> DissectionPairs:
    """Labelled, featurised pairs of the pairwise ``judgments`` over ``generations`` (their answers) and
    ``items`` (their categories, when ``scenario_by`` is ``category``); with ``scenario_by`` ``scenario``,
    ``scenarios`` gives each item's scenario group (see :mod:`alignscope.experiments.scenarios`)."""
    pairs, counts = labelled_pairs(judgments, judge=judge, seed=seed)
    texts = {(g.model, g.dataset, g.item_id): answers_of(g)[0] for g in generations if g.error is None}
    table, dropped = pair_features(pairs, texts, features=features, annotations=annotations)
    if scenario_by == "scenario" and scenarios is None:
        raise DataError("scenario_by 'scenario' needs the scenario group of each item")
    categories = (
        {key: group or UNCATEGORISED for key, group in (scenarios or {}).items()}
        if scenario_by == "scenario"
        else {(it.dataset, it.id): it.category or UNCATEGORISED for it in items}
    )
    scenario = (
        [
            categories.get((d, i), UNCATEGORISED)
            for d, i in zip(table["dataset"], table["item_id"], strict=True)
        ]
        if scenario_by != "all"
        else ALL_SCENARIOS
    )
    table = table.assign(scenario=scenario)
    counts |= dropped | {"pairs_used": len(table)}
    return DissectionPairs(table, features, counts)


def dissect_run(
    store: RunStore,
    judge_run: str,
    *,
    annotation_run: str | None = None,
    features: FeatureSet = "annotated",
    judge: str | None = None,
    annotator: str | None = None,
    scenario_by: ScenarioBy = "all",
    scenarios: Mapping[tuple[str, str], str | None] | None = None,
    seed: int = 0,
) -> DissectionPairs:
    """``dissect_judgments`` of a stored run's pairwise Judgments and Generations; annotations from
    ``annotation_run`` (default: the judge run itself)."""
    store.get_run(judge_run)
    judgments = store.records("judgments", judge_run)
    generations = store.records("generations", judge_run)
    annotations = None
    if features == "annotated":
        source = annotation_run or judge_run
        store.get_run(source)
        annotations = Annotations.of(store.records("judgments", source), annotator)  # type: ignore[arg-type]
        if not annotations.queries and not annotations.responses:
            raise DataError(
                f"run '{source}' holds no parsed annotations"
                + (f" by {annotator!r}" if annotator else "")
                + ": annotate the judged answers first (`alignscope dissect annotate --run "
                + f"{judge_run}`), or use --features style"
            )
    items = stored_items(store, {(g.dataset, g.item_id) for g in generations})  # type: ignore[attr-defined]
    return dissect_judgments(
        judgments,  # type: ignore[arg-type]
        items,
        generations,  # type: ignore[arg-type]
        features=features,
        annotations=annotations,
        judge=judge,
        scenario_by=scenario_by,
        scenarios=scenarios,
        seed=seed,
    )


def fit_pairs(
    pairs: DissectionPairs, *, prior_scale: float = DEFAULT_PRIOR_SCALE, level: float = 0.95
) -> pd.DataFrame:
    """Posterior weights per scenario and judge (``table.fit_table`` layout; style fits add ``method``)."""
    if pairs.table.empty:
        raise DataError(f"no usable pair to fit ({_dropped(pairs.counts)})")
    columns = [*pairs.feature_columns, "label", "scenario", "source"]
    if pairs.features == "style":
        return fit_style(
            pairs.table[columns], features=pairs.feature_columns, prior_scale=prior_scale, level=level
        )
    return fit_table(pairs.table[columns], prior_scale=prior_scale, level=level)


def _dropped(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items() if v) or "no judged pairs"


def inputs_from_pairs(
    rows: Iterable[Mapping[str, Any]], *, source: str = "human", dataset: str = "pairs", version: str = ""
) -> tuple[JudgeInputs, list[Judgment]]:
    """Items, answers and labels from pairs in the original's input format (``prompt``, ``response_a``,
    ``response_b``, ``model_a``, ``model_b``, ``winner`` (model_a, model_b, tie), optional ``id``,
    ``gpt4_ref_output`` or ``reference``, and ``group`` or ``scenario``); labels become pairwise Judgments of
    judge ``source``."""
    items, gens, labels = [], [], []
    for n, row in enumerate(rows, 1):
        missing = [k for k in ("prompt", "response_a", "response_b", "winner") if row.get(k) is None]
        if missing:
            raise DataError(f"pair {n}: missing {', '.join(missing)}")
        if row["winner"] not in _WINNERS:
            raise DataError(f"pair {n}: winner {row['winner']!r} is not one of {', '.join(_WINNERS)}")
        item = Item(
            id=str(row.get("id", n)),
            dataset=dataset,
            messages=[Message(role="user", content=str(row["prompt"]))],
            category=row.get("group") or row.get("scenario"),
            reference=row.get("gpt4_ref_output") or row.get("reference"),
            data_version=version,
        )
        names = [str(row.get("model_a") or "model_a"), str(row.get("model_b") or "model_b")]
        if names[0] == names[1]:
            names = [f"{names[0]} (a)", f"{names[1]} (b)"]
        for name, key in zip(names, ("response_a", "response_b"), strict=True):
            gens.append(
                Generation(
                    item_id=item.id,
                    dataset=dataset,
                    model=name,
                    text=str(row[key]),
                    provenance=Provenance(model=name, backend="file", data_version=version),
                )
            )
        preference = _WINNERS[row["winner"]]
        labels.append(
            Judgment(
                judge=source,
                mode="pairwise",
                item_id=item.id,
                dataset=dataset,
                model_a=names[0],
                model_b=names[1],
                verdict={1.0: "A", 0.0: "B", 0.5: "tie"}[preference],
                preference=preference,
                fields={"turn": 1, "winner": row["winner"]},
                provenance=Provenance(model=source, backend="file", data_version=version),
            )
        )
        items.append(item)
    if not items:
        raise DataError("no pairs given")
    ids = [it.id for it in items]
    if len(set(ids)) != len(ids):
        raise DataError(f"pair id {next(i for i in ids if ids.count(i) > 1)!r} is given more than once")
    return JudgeInputs.of(items, gens), labels
