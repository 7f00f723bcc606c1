"""Run a judge over answers (stored Generations or answer files): the judge's mode (a registered
:class:`~alignscope.judges.modes.JudgeMode`) builds and runs the calls of a :class:`JudgeJob`; the Judgments
and the judged Generations are stored in the judge's run, and :func:`summarise` counts what happened.

Pairs are each judged model against the ``baseline`` on the items both answered; the baseline is shown first
in the unswapped order (as Arena-Hard's first game and AlpacaEval's ``output_1``). Generations that failed
(``error`` set) are not judged and are counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from alignscope.backends.base import Backend
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError, DataError
from alignscope.judges.config import JudgeSpec
from alignscope.judges.meta import MetaInput, most_varied
from alignscope.judges.modes import JudgeMode, get_judge_mode, judgment_variant
from alignscope.judges.pairwise import Pair
from alignscope.judges.rubric import rubric_scores
from alignscope.judges.templates import JudgeTemplate, load_template
from alignscope.records import Generation, Item, Judgment
from alignscope.store import RunStore


@dataclass
class JudgeInputs:
    """What a judge judges: Items keyed by (dataset, id) and the Generations answering them."""

    items: dict[tuple[str, str], Item]
    generations: list[Generation]
    skipped: int = 0
    judgments: list[Judgment] = field(default_factory=list)

    @classmethod
    def of(cls, items: Sequence[Item], generations: Sequence[Generation]) -> JudgeInputs:
        """Inputs from lists; failed Generations are set aside and counted in ``skipped``."""
        keyed = {(it.dataset, it.id): it for it in items}
        ok = [g for g in generations if g.error is None]
        missing = [g for g in ok if (g.dataset, g.item_id) not in keyed]
        if missing:
            g = missing[0]
            raise DataError(
                f"{len(missing)} answer(s) to items that are not known, e.g. {g.dataset}/{g.item_id}"
            )
        return cls(keyed, ok, skipped=len(generations) - len(ok))

    @property
    def models(self) -> list[str]:
        """Models with answers, in first-seen order."""
        return list(dict.fromkeys(g.model for g in self.generations))


def stored_items(store: RunStore, keys: set[tuple[str, str]]) -> list[Item]:
    """The stored Items with (dataset, id) in ``keys`` (newest data version first when several)."""
    out: dict[tuple[str, str], Item] = {}
    for dataset in sorted({d for d, _ in keys}):
        for item in store.items(dataset):
            if (item.dataset, item.id) in keys:
                out.setdefault((item.dataset, item.id), item)
    return list(out.values())


def inputs_from_run(store: RunStore, run_id: str) -> JudgeInputs:
    """The Generations of stored run ``run_id`` and their Items (plus the run's Judgments, for meta mode)."""
    store.get_run(run_id)
    gens = store.records("generations", run_id)
    if not gens:
        raise DataError(f"run '{run_id}' holds no generations to judge (see `alignscope runs list`)")
    items = stored_items(store, {(g.dataset, g.item_id) for g in gens})
    inputs = JudgeInputs.of(items, gens)  # type: ignore[arg-type]
    inputs.judgments = store.records("judgments", run_id)  # type: ignore[assignment]
    return inputs


def make_pairs(inputs: JudgeInputs, baseline: str | None, models: Sequence[str] | None = None) -> list[Pair]:
    """Each judged model's answers paired with the baseline's on the items both answered (first answer per
    item and model). Without a baseline there must be exactly two models; the first seen is the baseline."""
    present = inputs.models
    if baseline is None:
        if len(present) != 2:
            raise ConfigError(
                f"pairwise judging needs --baseline (models with answers: {', '.join(present)})"
            )
        baseline = present[0]
    if baseline not in present:
        raise ConfigError(f"baseline '{baseline}' has no answers (models with answers: {', '.join(present)})")
    judged = [m for m in (models or present) if m != baseline]
    unknown = [m for m in judged if m not in present]
    if unknown:
        raise ConfigError(f"model(s) {', '.join(unknown)} have no answers (have: {', '.join(present)})")
    by_key: dict[tuple[str, str, str], Generation] = {}
    for g in inputs.generations:
        by_key.setdefault((g.model, g.dataset, g.item_id), g)
    pairs = []
    for (model, dataset, item_id), gen in by_key.items():
        base = by_key.get((baseline, dataset, item_id))
        if model in judged and base is not None:
            pairs.append(Pair(inputs.items[(dataset, item_id)], base, gen))
    if not pairs:
        raise DataError(f"no item was answered by both the baseline '{baseline}' and a judged model")
    return pairs


def meta_inputs(inputs: JudgeInputs) -> list[MetaInput]:
    """For meta mode: per item, the answer whose stored rubric judgments vary most, with its judgments."""
    rubric = [j for j in inputs.judgments if j.mode == "rubric"]
    if not rubric:
        raise DataError("meta mode compares stored rubric judgments: judge the run in rubric mode first")
    texts: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for j in rubric:
        if j.parse_status == "ok":
            texts[(j.dataset, j.item_id, j.model_a)].append(j.raw)
    answers = {(g.dataset, g.item_id, g.model): g.text for g in inputs.generations}
    out = []
    for (dataset, item_id), score in most_varied(rubric_scores(rubric)).items():
        key = (dataset, item_id, score.model)
        distinct = tuple(dict.fromkeys(texts[key]))
        if len(distinct) >= 2 and key in answers:
            out.append(MetaInput(inputs.items[(dataset, item_id)], answers[key], score.model, distinct))
    return out


@dataclass(frozen=True)
class JudgeJob:
    """One judge run: the engine and judge backend, the judge's spec, what it judges, and which models
    (``models``; all when None) against which ``baseline`` (pair modes)."""

    engine: Engine
    backend: Backend
    spec: JudgeSpec
    inputs: JudgeInputs
    baseline: str | None = None
    models: Sequence[str] | None = None

    def template(self) -> JudgeTemplate:
        """The spec's template (or its mode's default); ConfigError if it is written for another mode."""
        template = load_template(self.spec.template_ref, self.spec.templates)
        if template.mode != self.spec.mode:
            raise ConfigError(
                f"template {template.name!r} is written for mode {template.mode}, not {self.spec.mode}"
            )
        return template

    def generations(self) -> list[Generation]:
        """The Generations of the judged models."""
        wanted = set(self.models or self.inputs.models)
        return [g for g in self.inputs.generations if g.model in wanted]

    def pairs(self) -> list[Pair]:
        """Each judged model's answers paired with the baseline's (see :func:`make_pairs`)."""
        return make_pairs(self.inputs, self.baseline, self.models)


def run_judge(
    engine: Engine,
    backend: Backend,
    spec: JudgeSpec,
    inputs: JudgeInputs,
    *,
    baseline: str | None = None,
    models: Sequence[str] | None = None,
) -> list[Judgment]:
    """Judge ``inputs`` in ``spec.mode``; store the Judgments, Items and judged Generations in the run."""
    mode = get_judge_mode(spec.mode)
    judgments = mode.judge(JudgeJob(engine, backend, spec, inputs, baseline, models))
    store = engine.store
    store.put_items(list(inputs.items.values()))
    store.put_generations([g.model_copy(update={"run_id": engine.run_id}) for g in inputs.generations])
    store_judgments(store, judgments, mode.variant)
    return judgments


def store_judgments(
    store: RunStore, judgments: Sequence[Judgment], variant: Callable[[Judgment], str] = judgment_variant
) -> None:
    """Upsert Judgments with their variant keys (turn, sample and order unless ``variant`` says otherwise)."""
    groups: dict[str, list[Judgment]] = defaultdict(list)
    for j in judgments:
        groups[variant(j)].append(j)
    for variant, group in groups.items():
        store.put_judgments(group, variant=variant)


def summarise(judgments: Sequence[Judgment]) -> list[dict[str, Any]]:
    """Counts per judged model (the mode's ``subject`` of each Judgment): judgments, parse failures and their
    rate, then the mode's own columns (pair modes: wins, ties, losses and inconsistent orders from the judged
    model's side; single modes: the mean score)."""
    out = []
    by_model: dict[str, list[Judgment]] = defaultdict(list)
    modes: dict[str, JudgeMode] = {}
    for j in judgments:
        mode = modes.setdefault(j.mode, get_judge_mode(j.mode))
        by_model[mode.subject(j)].append(j)
    for model, js in by_model.items():
        failed = sum(j.parse_status == "failed" for j in js)
        row: dict[str, Any] = {
            "model": model,
            "judgments": len(js),
            "failed": failed,
            "failure_rate": failed / len(js),
            "failures": dict(
                Counter(j.fields.get("failure", "parse") for j in js if j.parse_status == "failed")
            ),
        }
        out.append(row | modes[js[0].mode].summarise(js))
    return out
