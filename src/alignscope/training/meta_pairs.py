"""Meta-Rewarding records into DPO rows: actor pairs from rubric scores, judge pairs from meta-judge battles.

Rows are ``{prompt, chosen, rejected}`` (prompt as chat messages) plus what explains them (item, scores or
ratings), which the DPO step ignores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from alignscope.judges.meta import MetaInput, meta_battles, most_varied
from alignscope.judges.rubric import rubric_scores
from alignscope.records import Generation, Item, Judgment, Message
from alignscope.training.pairs import (
    MetaComparison,
    battle_matrix,
    elo_scores,
    position_counts,
    position_weights,
    select_actor_pair,
    select_judge_pair,
)

ItemKey = tuple[str, str]


def as_chat(messages: Sequence[Message]) -> list[dict[str, str]]:
    """Messages as the plain dicts of a conversational DPO prompt."""
    return [{"role": m.role, "content": m.content} for m in messages]


def actor_pairs(
    items: Mapping[ItemKey, Item], responses: Sequence[Generation], rubric: Sequence[Judgment], rho: float
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Per prompt, the length-controlled (chosen, rejected) responses by mean rubric score; with counts of
    prompts skipped because their scored responses tie (``tied``) or fewer than two were scored
    (``unscored``)."""
    means = {(s.dataset, s.item_id, s.model): s.mean for s in rubric_scores(rubric)}
    by_item: dict[ItemKey, list[Generation]] = defaultdict(list)
    for gen in responses:
        by_item[(gen.dataset, gen.item_id)].append(gen)
    rows: list[dict[str, Any]] = []
    counts = {"tied": 0, "unscored": 0}
    for key, gens in by_item.items():
        scores = [means.get((g.dataset, g.item_id, g.model)) for g in gens]
        if sum(s is not None for s in scores) < 2:
            counts["unscored"] += 1
            continue
        picked = select_actor_pair(scores, [len(g.text) for g in gens], rho)
        if picked is None:
            counts["tied"] += 1
            continue
        chosen, rejected = picked
        rows.append(
            {
                "prompt": as_chat(items[key].messages),
                "chosen": gens[chosen].text,
                "rejected": gens[rejected].text,
                "dataset": key[0],
                "item_id": key[1],
                "chosen_score": scores[chosen],
                "rejected_score": scores[rejected],
            }
        )
    return rows, counts


def meta_inputs(
    items: Mapping[ItemKey, Item], responses: Sequence[Generation], rubric: Sequence[Judgment]
) -> list[MetaInput]:
    """Per prompt, the response whose rubric scores vary most, with its distinct scored judgments (as
    :func:`alignscope.judges.run.meta_inputs`, also taking judgments scored by conclusion, in their concluded
    text)."""
    texts: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for j in rubric:
        if j.mode == "rubric" and j.parse_status != "failed" and j.score is not None:
            texts[(j.dataset, j.item_id, j.model_a)].append(j.fields.get("concluded_text", j.raw))
    answers = {(g.dataset, g.item_id, g.model): g.text for g in responses}
    out = []
    for (dataset, item_id), score in most_varied(rubric_scores(rubric)).items():
        key = (dataset, item_id, score.model)
        distinct = tuple(dict.fromkeys(texts[key]))
        if len(distinct) >= 2 and key in answers:
            out.append(MetaInput(items[(dataset, item_id)], answers[key], score.model, distinct))
    return out


def comparisons_of(battles: pd.DataFrame) -> list[MetaComparison]:
    """Meta-judge battles (rows of :func:`alignscope.judges.meta.meta_battles`) as comparisons; battles
    without a verdict are left out."""
    out = []
    for row in battles.itertuples(index=False):
        if row.winner_position in (1, 2):
            winner = "first" if row.winner_position == 1 else "second"
            out.append(MetaComparison(int(row.first), int(row.second), winner))
    return out


def judge_pairs(
    inputs: Sequence[MetaInput],
    meta: Sequence[Judgment],
    judge_prompts: Mapping[tuple[str, str], Sequence[Message]],
    length_cap: int | None,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Per meta-judged answer, the (top, bottom) judgment by Elo over its position-weighted battles.

    ``judge_prompts`` maps each (item id, answer id) to the rubric prompt its judgments answered (the DPO
    prompt).
    Position weights are taken over each answer's own battles. Counts: answers without a pair (``no_pair``:
    equal ratings, e.g. a meta-judge that always prefers one position and so gets weight 0 there, or a
    chosen judgment over ``length_cap`` characters), battles without a verdict, and all verdicts won by the
    judgment shown first or second (``wins_as_first``, ``wins_as_second``).
    """
    battles = meta_battles(meta)
    rows: list[dict[str, Any]] = []
    first, second = position_counts(comparisons_of(battles))
    counts = {
        "no_pair": 0,
        "no_verdict": int(battles["winner"].isna().sum()),
        "wins_as_first": first,
        "wins_as_second": second,
    }
    for inp in inputs:
        mine = (battles["item_id"] == inp.item.id) & (battles["answer_id"] == inp.answer_id)
        comparisons = comparisons_of(battles[mine])
        w1, w2 = position_weights(*position_counts(comparisons))
        elo = elo_scores(battle_matrix(comparisons, len(inp.judgments), w1, w2))
        picked = select_judge_pair(elo, [len(j) for j in inp.judgments], length_cap)
        if picked is None:
            counts["no_pair"] += 1
            continue
        top, bottom = picked
        rows.append(
            {
                "prompt": as_chat(judge_prompts[(inp.item.id, inp.answer_id)]),
                "chosen": inp.judgments[top],
                "rejected": inp.judgments[bottom],
                "dataset": inp.item.dataset,
                "item_id": inp.item.id,
                "answer_id": inp.answer_id,
                "chosen_elo": float(elo[top]),
                "rejected_elo": float(elo[bottom]),
                "position_weights": [w1, w2],
            }
        )
    return rows, counts
