"""Judgments from any source as the analysis tables: ``pairs`` (win rate, LC), ``battles`` (Bradley-Terry),
``answers`` (style features) and ``judgments`` (audits), for stored runs, AlpacaEval annotation files and
Arena-Hard / FastChat judgment files alike; :func:`collect_tables` joins the sources one command is given.

``question_id`` joins the tables: ``dataset/item`` for stored runs (``#turnK`` for later turns), the
instruction text for AlpacaEval, the question id for Arena-Hard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from alignscope.errors import DataError
from alignscope.judges.context import answers_of
from alignscope.judges.modes import get_judge_mode
from alignscope.judges.pairwise import pair_table
from alignscope.judges.parsing import GRADED, strength_of
from alignscope.records import Generation, Judgment
from alignscope.store import RunStore

PAIR_COLUMNS = ["model", "baseline", "instruction", "p_win", "len_model", "len_baseline", "source"]
BATTLE_COLUMNS = ["question_id", "model_a", "model_b", "p_a", "weight", "source"]
ANSWER_COLUMNS = ["question_id", "model", "text"]
STRONG_VERDICT_WEIGHT = 3.0
ARENA_BASELINE = "gpt-4-0314"  # Arena-Hard counts A>>B / B>>A as three wins


@dataclass
class JudgmentTables:
    """The tables of one or more sources; ``judges`` names the judges (model, template hash) behind them."""

    pairs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PAIR_COLUMNS))
    battles: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BATTLE_COLUMNS))
    answers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ANSWER_COLUMNS))
    judgments: list[Judgment] = field(default_factory=list)
    judges: list[dict[str, str | None]] = field(default_factory=list)
    n_failed: int = 0
    n_verdicts: int = 0

    def extend(self, other: JudgmentTables) -> None:
        """Append another source's tables."""
        self.pairs = _concat(self.pairs, other.pairs)
        self.battles = _concat(self.battles, other.battles)
        self.answers = _concat(self.answers, other.answers).drop_duplicates(
            ["question_id", "model"], keep="last"
        )
        self.judgments += other.judgments
        self.judges += other.judges
        self.n_failed += other.n_failed
        self.n_verdicts += other.n_verdicts

    @property
    def failure_rate(self) -> float | None:
        """Share of verdicts that could not be parsed (None without verdicts)."""
        return self.n_failed / self.n_verdicts if self.n_verdicts else None


def _concat(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    frames = [f for f in (a, b) if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else a


def _question_id(dataset: str, item_id: str, turn: int) -> str:
    return f"{dataset}/{item_id}" + (f"#turn{turn}" if turn > 1 else "")


def judgment_tables(
    judgments: Sequence[Judgment], generations: Sequence[Generation], source: str
) -> JudgmentTables:
    """Tables of stored Judgments of the pair and single judge-mode kinds (pairwise, criteria, pointwise,
    rubric, ...) and the Generations they judged; other kinds are left out."""
    texts: dict[tuple[str, str], str] = {}
    answers = []
    for g in generations:
        for turn, text in enumerate(answers_of(g), 1):
            qid = _question_id(g.dataset, g.item_id, turn)
            texts[(qid, g.model)] = text
            answers.append({"question_id": qid, "model": g.model, "text": text})
    judgments = sorted(judgments, key=_canonical)  # the same records in any order give the same tables
    kinds = {mode: get_judge_mode(mode).kind for mode in {j.mode for j in judgments}}
    pairwise = [j for j in judgments if kinds[j.mode] == "pair"]
    pointwise = [j for j in judgments if kinds[j.mode] == "single"]
    used = pairwise + pointwise
    tables = JudgmentTables(
        answers=pd.DataFrame(answers, columns=ANSWER_COLUMNS),
        judgments=list(used),
        judges=_judges(used),
        n_failed=sum(j.parse_status == "failed" for j in used),
        n_verdicts=len(used),
    )
    if pairwise:
        tables.pairs, tables.battles = _pairwise_tables(pairwise, texts, source)
    if pointwise:
        tables.battles = _concat(tables.battles, _pointwise_battles(pointwise, source))
    return tables


def _canonical(j: Judgment) -> tuple[str, str, int, int, str, str, str, str, bool]:
    return (j.dataset, j.item_id, j.fields.get("turn", 1), j.fields.get("sample", 0), j.judge, j.mode,
            j.model_a, j.model_b or "", j.swapped)  # fmt: skip


def _judges(judgments: Sequence[Judgment]) -> list[dict[str, str | None]]:
    seen = {(j.judge, j.provenance.model, j.provenance.template_hash): None for j in judgments}
    return [{"judge": a, "model": b, "template_hash": c} for a, b, c in seen]


def _pairwise_tables(
    judgments: Sequence[Judgment], texts: dict[tuple[str, str], str], source: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = pair_table(judgments)
    qids = [
        _question_id(d, i, t)
        for d, i, t in zip(table["dataset"], table["item_id"], table["turn"], strict=True)
    ]
    length = lambda model, q: len(texts.get((q, model), ""))  # noqa: E731
    pairs = pd.DataFrame(
        {
            "model": table["model_b"],
            "baseline": table["model_a"],
            "instruction": qids,
            "p_win": 1.0 - table["p_a"],
            "len_model": [length(m, q) for m, q in zip(table["model_b"], qids, strict=True)],
            "len_baseline": [length(m, q) for m, q in zip(table["model_a"], qids, strict=True)],
            "source": source,
        }
    )
    battles = pd.DataFrame(
        {
            "question_id": [_question_id(j.dataset, j.item_id, j.fields.get("turn", 1)) for j in judgments],
            "model_a": [j.model_a for j in judgments],
            "model_b": [j.model_b for j in judgments],
            "p_a": [
                np.nan if j.parse_status == "failed" or j.preference is None else j.preference
                for j in judgments
            ],
            "weight": [_weight(j.verdict) for j in judgments],
            "source": source,
        }
    )
    return pairs, battles


def _weight(verdict: str | None) -> float:
    return STRONG_VERDICT_WEIGHT if verdict in GRADED and strength_of(verdict) == 2 else 1.0


def _pointwise_battles(judgments: Sequence[Judgment], source: str) -> pd.DataFrame:
    from alignscope.analysis.bradley_terry import pointwise_to_battles
    from alignscope.analysis.outcomes import verdict_probability

    scores = pd.DataFrame(
        {
            "question_id": [_question_id(j.dataset, j.item_id, j.fields.get("turn", 1)) for j in judgments],
            "model": [j.model_a for j in judgments],
            "score": [
                np.nan if j.parse_status == "failed" or j.score is None else j.score for j in judgments
            ],
        }
    )
    mean = scores.groupby(["question_id", "model"], as_index=False)["score"].mean()
    battles = pointwise_to_battles(mean)
    battles["p_a"] = verdict_probability(battles["winner"], "battles")
    return battles.assign(weight=1.0, source=source)


def stored_tables(store: RunStore, run_id: str) -> JudgmentTables:
    """Tables of the Judgments stored in run ``run_id`` (with the Generations that run judged)."""
    store.get_run(run_id)
    judgments = store.records("judgments", run_id)
    if not judgments:
        raise DataError(f"run '{run_id}' holds no judgments (run `alignscope judge` first)")
    return judgment_tables(judgments, store.records("generations", run_id), run_id)  # type: ignore[arg-type]


def annotation_tables(paths: Sequence[Path]) -> JudgmentTables:
    """Tables of AlpacaEval ``annotations.json`` files (one judged model per file, output_1 the baseline)."""
    from alignscope.data.formats.alpaca_eval_results import read_annotation_files

    return _annotation_frame_tables(read_annotation_files(paths))


def _annotation_frame_tables(ann: pd.DataFrame) -> JudgmentTables:
    from alignscope.data.formats.alpaca_eval_results import annotations_to_pairs

    pairs = annotations_to_pairs(ann).assign(source="alpaca_eval")
    battles = pd.DataFrame(
        {
            "question_id": pairs["instruction"],
            "model_a": pairs["baseline"],
            "model_b": pairs["model"],
            "p_a": 1.0 - pairs["p_win"],
            "weight": 1.0,
            "source": "alpaca_eval",
        }
    )
    answers = pd.concat(
        [
            pd.DataFrame(
                {"question_id": ann["instruction"], "model": pairs["baseline"], "text": ann["output_1"]}
            ),
            pd.DataFrame(
                {"question_id": ann["instruction"], "model": pairs["model"], "text": ann["output_2"]}
            ),
        ],
        ignore_index=True,
    ).drop_duplicates(["question_id", "model"])
    annotators = ann["annotator"].dropna().unique().tolist() if "annotator" in ann else []
    return JudgmentTables(
        pairs=pairs[PAIR_COLUMNS],
        battles=battles,
        answers=answers,
        judges=[{"judge": a, "model": None, "template_hash": None} for a in annotators],
        n_failed=int(pairs["p_win"].isna().sum()),
        n_verdicts=len(pairs),
    )


def _is_pairwise_file(path: Path) -> bool:
    from alignscope.data.io import read_jsonl

    if not path.exists():
        raise DataError("no such judgment file", where=str(path))
    first = next(iter(read_jsonl(path)), None)
    if first is None:
        raise DataError("empty judgment file", where=str(path))
    return "games" in first or "model_1" in first


def arena_hard_tables(paths: Sequence[Path], answer_paths: Sequence[Path], baseline: str) -> JudgmentTables:
    """Tables of Arena-Hard / FastChat judgment JSONL files: pairwise files give their battles (both games),
    single-answer files battles from per-question score differences; ``answer_paths`` (model answer files)
    give the answers' lengths and style."""
    from alignscope.analysis.outcomes import verdict_probability
    from alignscope.data.formats.arena_hard import (
        read_answers,
        read_pairwise_judgments,
        read_single_judgments,
    )

    pairwise = [p for p in paths if _is_pairwise_file(p)]
    single = [p for p in paths if p not in pairwise]
    frames = []
    if pairwise:
        battles = read_pairwise_judgments(pairwise, baseline)
        battles["p_a"] = verdict_probability(battles["winner"], "battles")
        battles["question_id"] = _turned_ids(battles)
        frames.append(battles)
    if single:
        frames.append(_score_battles(read_single_judgments(single)))
    answers = (
        read_answers(answer_paths)
        if answer_paths
        else pd.DataFrame(columns=["question_id", "model", "turn", "text"])
    )
    return _arena_frame_tables(pd.concat(frames, ignore_index=True), answers, baseline)


def _score_battles(scores: pd.DataFrame) -> pd.DataFrame:
    """Battles from per-question single-answer scores: every pair of models, won by the higher score."""
    from alignscope.analysis.bradley_terry import pointwise_to_battles
    from alignscope.analysis.outcomes import verdict_probability

    battles = pointwise_to_battles(scores.assign(question_id=_turned_ids(scores)))
    battles["p_a"] = verdict_probability(battles["winner"], "battles")
    judge = scores["judge"].dropna().iloc[0] if "judge" in scores and scores["judge"].notna().any() else ""
    return battles.assign(weight=1.0, judge=judge)


def _arena_frame_tables(battles: pd.DataFrame, answers: pd.DataFrame, baseline: str) -> JudgmentTables:
    answers = pd.DataFrame(
        {"question_id": _turned_ids(answers), "model": answers["model"], "text": answers["text"]}
    )
    battles = battles.assign(source="arena_hard")
    judges = battles["judge"].dropna().unique() if "judge" in battles else []
    return JudgmentTables(
        pairs=_pairs_from_battles(battles, baseline, answers),
        battles=battles[BATTLE_COLUMNS],
        answers=answers,
        judges=[{"judge": str(j), "model": None, "template_hash": None} for j in judges if j],
        n_failed=int(battles["p_a"].isna().sum()),
        n_verdicts=len(battles),
    )


def _turned_ids(df: pd.DataFrame) -> list[str]:
    turns = df["turn"] if "turn" in df else pd.Series(1, index=df.index)
    return [_turned(q, t) for q, t in zip(df["question_id"], turns, strict=True)]


def _turned(question_id: object, turn: object) -> str:
    turn = int(turn) if pd.notna(turn) else 1
    return f"{question_id}#turn{turn}" if turn > 1 else str(question_id)


def _pairs_from_battles(battles: pd.DataFrame, baseline: str, answers: pd.DataFrame) -> pd.DataFrame:
    """Win-rate pairs of each model against ``baseline``: P(model preferred) averaged over the games."""
    vs = battles[(battles["model_a"] == baseline) ^ (battles["model_b"] == baseline)]
    if vs.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    model_first = vs["model_b"] == baseline
    df = pd.DataFrame(
        {
            "model": np.where(model_first, vs["model_a"], vs["model_b"]),
            "instruction": vs["question_id"].to_numpy(),
            "p_win": np.where(model_first, vs["p_a"], 1.0 - vs["p_a"]),
        }
    )
    pairs = df.groupby(["model", "instruction"], as_index=False, sort=False)["p_win"].mean()
    lengths = {
        (q, m): len(t)
        for q, m, t in zip(answers["question_id"], answers["model"], answers["text"], strict=True)
    }
    pairs["baseline"] = baseline
    pairs["len_model"] = [
        lengths.get((q, m), np.nan) for q, m in zip(pairs["instruction"], pairs["model"], strict=True)
    ]
    pairs["len_baseline"] = [lengths.get((q, baseline), np.nan) for q in pairs["instruction"]]
    pairs["source"] = "arena_hard"
    return pairs[PAIR_COLUMNS]


SHIPPED = ("alpaca_eval", "arena_bench_v1")


def shipped_tables(name: str, models: Sequence[str] | None = None) -> JudgmentTables:
    """Tables of judgments shipped with alignscope (only ``models`` and the baseline, when given):
    ``alpaca_eval`` (GPT-4-turbo annotations of 40 models against gpt4_1106_preview) or ``arena_bench_v1``
    (GPT-4 single-answer scores of 15 models on 300 questions, as battles from per-question score
    differences; win rates against gpt-4-0314)."""
    if name == "alpaca_eval":
        from alignscope.data.formats.alpaca_eval_results import BASELINE, bundled_annotations, bundled_models

        known = set(bundled_models())
        chosen = sorted({m for m in models if m in known} | {BASELINE}) if models else None
        return _annotation_frame_tables(bundled_annotations(chosen))
    if name == "arena_bench_v1":
        from alignscope.data.formats.arena_hard import (
            bundled_arena_bench_answers,
            bundled_arena_bench_judgments,
        )

        scores = bundled_arena_bench_judgments()
        if models:
            scores = scores[scores["model"].isin([*models, ARENA_BASELINE])]
        return _arena_frame_tables(_score_battles(scores), bundled_arena_bench_answers(), ARENA_BASELINE)
    raise DataError(f"unknown shipped judgments '{name}' (choose {', '.join(SHIPPED)})")


@dataclass(frozen=True)
class JudgmentSources:
    """The judgments one command reads: stored ``runs``, AlpacaEval ``annotations`` files, Arena-Hard
    judgment files (``arena_hard``, with their ``arena_answers`` and ``arena_baseline``), ``shipped``
    judgments; ``only`` these models (and the baselines) when given."""

    runs: Sequence[str] = ()
    annotations: Sequence[Path] = ()
    arena_hard: Sequence[Path] = ()
    arena_answers: Sequence[Path] = ()
    arena_baseline: str = ARENA_BASELINE
    shipped: Sequence[str] = ()
    only: Sequence[str] = ()

    @property
    def empty(self) -> bool:
        """Whether no source is given."""
        return not (self.runs or self.annotations or self.arena_hard or self.shipped)


def collect_tables(sources: JudgmentSources, store: RunStore | None = None) -> JudgmentTables:
    """The union of the tables of every source (stored runs read from ``store``), restricted to
    ``sources.only`` (plus the baselines) when given."""
    tables = JudgmentTables()
    if sources.runs:
        if store is None:
            raise DataError("stored runs need a run store")
        for run in sources.runs:
            tables.extend(stored_tables(store, run))
    if sources.annotations:
        tables.extend(annotation_tables(sources.annotations))
    if sources.arena_hard:
        tables.extend(arena_hard_tables(sources.arena_hard, sources.arena_answers, sources.arena_baseline))
    for name in sources.shipped:
        tables.extend(shipped_tables(name, sources.only))
    if sources.only:
        keep = set(sources.only) | set(tables.pairs["baseline"].dropna())
        tables.pairs = tables.pairs[tables.pairs["model"].isin(keep)]
        tables.battles = tables.battles[
            tables.battles["model_a"].isin(keep) & tables.battles["model_b"].isin(keep)
        ]
    return tables
