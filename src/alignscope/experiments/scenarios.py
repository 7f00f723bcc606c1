"""Label queries with the scenario groups of "Dissecting Human and LLM Preferences" through a judge model in
the ``scenario`` mode, and check the labels against benchmark categories of known group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from alignscope.analysis.dissection.scenarios import ScenarioAccuracy, known_group, scenario_accuracy
from alignscope.backends.base import Backend
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError, DataError
from alignscope.hashing import text_hash
from alignscope.judges.config import JudgeSpec
from alignscope.judges.run import JudgeInputs, run_judge
from alignscope.records import Item, Judgment, Message


@dataclass
class ScenarioLabels:
    """The group of each query (``groups``, keyed by (dataset, item id); None where the call failed), the
    Judgments, and the accuracy on the queries whose category has a known group (None if none has)."""

    groups: dict[tuple[str, str], str | None]
    judgments: list[Judgment]
    accuracy: ScenarioAccuracy | None


def label_scenarios(
    engine: Engine, backend: Backend, spec: JudgeSpec, items: Sequence[Item], *, seed: int = 0
) -> ScenarioLabels:
    """Classify ``items`` (first user turn) into scenario groups with a ``scenario``-mode judge."""
    if spec.mode != "scenario":
        raise ConfigError(f"scenario labels need a judge in mode scenario, not {spec.mode}")
    if not items:
        raise DataError("no queries to label")
    judgments = run_judge(engine, backend, spec, JudgeInputs.of(items, []))
    groups = {(j.dataset, j.item_id): j.verdict for j in judgments}
    pairs = [
        (groups[(it.dataset, it.id)], known_group(it.dataset, it.category))
        for it in items
        if known_group(it.dataset, it.category) is not None
    ]
    accuracy = (
        scenario_accuracy([p or "failed" for p, _ in pairs], [k for _, k in pairs], seed=seed)  # type: ignore[misc]
        if pairs
        else None
    )
    return ScenarioLabels(groups, judgments, accuracy)


def query_items(queries: Sequence[str], dataset: str = "queries") -> list[Item]:
    """One Item per distinct query text (id: the text's hash), for labelling queries that come as text."""
    texts = list(dict.fromkeys(queries))
    return [
        Item(id=text_hash(q, 16), dataset=dataset, messages=[Message(role="user", content=q)]) for q in texts
    ]


def label_queries(
    engine: Engine, backend: Backend, spec: JudgeSpec, queries: Sequence[str]
) -> dict[str, str | None]:
    """The scenario group of each distinct query text."""
    items = query_items(queries)
    groups = label_scenarios(engine, backend, spec, items).groups
    return {it.prompt: groups[(it.dataset, it.id)] for it in items}
