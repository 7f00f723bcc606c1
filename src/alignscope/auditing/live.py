"""The live part of the audit: models answer prompts and concrete tasks, judges compare them, and the results
become per-judge leaderboards, judge audits and the meta-analysis (judge-based scores vs concrete factors).

Every model call goes through the run's Engine (cached, resumable). Analyses that small samples cannot
support (a length-controlled GLM on fewer than 5 verdicts per model, a style feature that never varies) are
skipped with a note saying why, never silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from alignscope.analysis.dissection.findings import StrengthFinding, preference_strength
from alignscope.analysis.instruction_difficulty import LCDifficulty
from alignscope.analysis.judge_audit import PositionConsistency, Slope
from alignscope.analysis.judge_checks import audit_judge
from alignscope.analysis.judgment_tables import JudgmentTables, judgment_tables
from alignscope.analysis.leaderboard import BT_BOOTSTRAP, judge_leaderboard
from alignscope.analysis.meta import MetaAnalysis, correlate
from alignscope.auditing.config import AuditConfig
from alignscope.backends.base import Backend
from alignscope.config import ModelSpec
from alignscope.engine.runner import Engine
from alignscope.errors import DataError
from alignscope.judges.config import JudgeSpec
from alignscope.judges.modes import get_judge_mode
from alignscope.judges.templates import JudgeTemplate
from alignscope.records import Generation, Item, Judgment
from alignscope.tasks.runner import BenchResult

ANSWER_LENGTH = "answer_length (style)"


@dataclass
class JudgeOutcome:
    """One judge's verdicts on the live models and what the analysis layer made of them."""

    spec: JudgeSpec
    template: JudgeTemplate
    baseline: str
    judgments: list[Judgment]
    tables: JudgmentTables
    leaderboard: pd.DataFrame
    style: pd.DataFrame
    audit: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    lc: LCDifficulty | None = None

    @property
    def label(self) -> str:
        """The judge's name on its Judgments."""
        return self.spec.label

    @property
    def pointwise(self) -> bool:
        """Whether the judge scores single answers (its score is a mean score, not a win rate)."""
        return get_judge_mode(self.spec.mode).kind == "single"

    def provenance(self) -> dict[str, Any]:
        """Model, template, hash and sampling of the judge: shown with every result of it."""
        sampling = self.spec.logprob_sampling() if self.spec.verdict == "logprob" else self.spec.sampling
        return {
            "judge": self.label,
            "model": self.spec.model.model,
            "backend": self.spec.model.backend,
            "template": self.template.name,
            "template_hash": self.template.version,
            "verdict": self.spec.verdict,
            "sampling": sampling.model_dump(mode="json"),
            "baseline": "" if self.pointwise else self.baseline,
            "swap": self.spec.swap,
        }


@dataclass
class LiveResult:
    """Everything the live part produced."""

    config: AuditConfig
    items: list[Item]
    answers: list[Generation]
    bench: BenchResult | None
    judges: list[JudgeOutcome]
    meta: MetaAnalysis | None
    meta_notes: list[str] = field(default_factory=list)
    strength: StrengthFinding | None = None
    strength_note: str | None = None


def compare_strength(
    cfg: AuditConfig, outcomes: Sequence[JudgeOutcome]
) -> tuple[StrengthFinding | None, str | None]:
    """The configured base and aligned judges' preference strength on the pairs both judged, or why it could
    not be compared (the note)."""
    if cfg.strength is None:
        return None, None
    judgments = [j for outcome in outcomes for j in outcome.judgments]
    base, aligned = cfg.strength.base, cfg.strength.aligned
    try:
        finding = preference_strength(
            judgments, base, aligned, n_boot=cfg.n_boot, level=cfg.level, seed=cfg.seed
        )
    except DataError as exc:
        return None, f"preference strength of {base} and {aligned} not compared: {exc}"
    return finding, None


def first_turns(items: Sequence[Item]) -> list[Item]:
    """Items reduced to their first turn (a pairwise judge then compares single answers)."""
    return [
        it.model_copy(update={"turns": [], "data_version": f"{it.data_version}+first-turn"})
        if it.turns
        else it
        for it in items
    ]


def generate_answers(
    engine: Engine, models: Sequence[tuple[ModelSpec, Backend]], items: Sequence[Item], cfg: AuditConfig
) -> list[Generation]:
    """Every model's answers to the judge prompts, stored in the run."""
    from alignscope.engine.generation import generate_items

    engine.store.put_items(list(items))
    answers: list[Generation] = []
    for spec, backend in models:
        gens = generate_items(engine, backend, spec, items, cfg.sampling, desc=f"answers {spec.name}")
        engine.store.put_generations(gens)
        answers += gens
    return answers


def pointwise_scores(judgments: Sequence[Judgment]) -> pd.DataFrame:
    """Long table (model, prompt, score) of a pointwise judge, averaged over samples and turns per prompt;
    failed verdicts are NaN (counted, not scored)."""
    frame = pd.DataFrame(
        {
            "model": [j.model_a for j in judgments],
            "prompt": [f"{j.dataset}/{j.item_id}" for j in judgments],
            "score": [
                np.nan if j.parse_status == "failed" or j.score is None else j.score for j in judgments
            ],
        }
    )
    return frame.groupby(["model", "prompt"], as_index=False)["score"].mean()


def _mean_scores(scores: pd.DataFrame) -> pd.DataFrame:
    grouped = scores.groupby("model")["score"]
    n = grouped.count()
    return pd.DataFrame(
        {
            "n": n,
            "n_failed": grouped.size() - n,
            "mean_score": grouped.mean(),
            "standard_error": grouped.std(ddof=1) / np.sqrt(n),
        }
    )


def slope_summary(slope: Slope) -> dict[str, float]:
    """The JSON-ready summary of a length slope: coefficient, CI, n and the length unit in characters."""
    return {
        "coef": slope.coef,
        "lower": slope.lower,
        "upper": slope.upper,
        "n": slope.n,
        "unit_chars": slope.unit,
    }


def position_summary(pc: PositionConsistency) -> dict[str, Any]:
    """The report's summary of position consistency: pairs judged in both orders, consistency and the
    first-position rate with their CIs."""
    return {
        "pairs": pc.n_pairs,
        "consistency": pc.consistency,
        "consistency_ci": list(pc.consistency_ci),
        "first_position_rate": pc.first_position_rate,
        "first_position_ci": list(pc.first_position_ci),
    }


def _audit(tables: JudgmentTables, level: float, notes: list[str]) -> dict[str, Any]:
    """Parse failures, position consistency and length bias of a pairwise judge (the audit service's)."""
    pairwise = not tables.pairs.empty
    audit = audit_judge(tables, level=level, parts=("position", "length_bias") if pairwise else ())
    out: dict[str, Any] = {
        "verdicts": audit.verdicts,
        "parse_failures": audit.parse_failures,
        "parse_failure_rate": audit.parse_failure_rate,
    }
    if audit.position is not None:
        out["position"] = position_summary(audit.position)
    elif "position" in audit.unavailable:
        notes.append(f"Position consistency not measured: {audit.unavailable['position']}.")
    if audit.length is not None:
        out["length"] = slope_summary(audit.length)
    elif "length_bias" in audit.unavailable:
        notes.append(f"Length bias not estimated: {audit.unavailable['length_bias']}.")
    return out


def analyse_judge(
    spec: JudgeSpec,
    template: JudgeTemplate,
    judgments: list[Judgment],
    answers: list[Generation],
    baseline: str,
    cfg: AuditConfig,
) -> JudgeOutcome:
    """Leaderboard (pairwise: win rate and LC win rate; pointwise: mean score; both: BT ratings with and
    without style control, from the judge-results service) and audit of one judge."""
    tables = judgment_tables(judgments, answers, spec.label)
    board = judge_leaderboard(
        tables,
        baseline,
        lc_difficulty=cfg.lc_difficulty,
        n_bootstrap=BT_BOOTSTRAP,
        level=cfg.level,
        seed=cfg.seed,
    )
    notes = list(board.notes)
    if get_judge_mode(spec.mode).kind == "single":
        scores = _mean_scores(pointwise_scores(judgments))
    else:
        scores = board.win_rate_board(baseline)
    audit = _audit(tables, cfg.level, notes)
    return JudgeOutcome(
        spec,
        template,
        baseline,
        judgments,
        tables,
        board.with_ratings(scores),
        board.style,
        audit,
        notes,
        board.lc.get(baseline),
    )


def judge_columns(outcome: JudgeOutcome) -> dict[str, str]:
    """Leaderboard column -> judge-based score name in the meta-analysis."""
    names = {"lc_win_rate": "LC win rate", "rating_sc": "BT rating (style-controlled)"}
    return {col: f"{outcome.label} {name}" for col, name in names.items() if col in outcome.leaderboard}


def prompt_score_column(outcome: JudgeOutcome) -> str:
    """The name of a judge's per-prompt score in the meta-analysis (win rate, or mean score if pointwise)."""
    return f"{outcome.label} {'mean score' if outcome.pointwise else 'win rate'}"


def per_prompt_scores(outcome: JudgeOutcome, models: Sequence[str]) -> pd.DataFrame:
    """Long table (model, prompt, metric, value) of the judge's score per prompt: a pointwise judge's score,
    or 100 x P(win) against the baseline with the baseline at 50."""
    metric = prompt_score_column(outcome)
    if outcome.pointwise:
        scores = pointwise_scores(outcome.judgments).dropna(subset=["score"])
        out = pd.DataFrame(
            {"model": scores["model"], "prompt": scores["prompt"], "metric": metric, "value": scores["score"]}
        )
        return out[out["model"].isin(models)]
    pairs = outcome.tables.pairs.dropna(subset=["p_win"])
    judged = pd.DataFrame(
        {
            "model": pairs["model"],
            "prompt": pairs["instruction"],
            "metric": metric,
            "value": 100.0 * pairs["p_win"],
        }
    )
    prompts = sorted(pairs["instruction"].unique())
    base = pd.DataFrame({"model": outcome.baseline, "prompt": prompts, "metric": metric, "value": 50.0})
    out = pd.concat([base, judged], ignore_index=True)
    return out[out["model"].isin(models)]


def mean_answer_length(answers: Sequence[Generation]) -> pd.Series:
    """Mean answer length in characters per model (failed calls left out)."""
    ok = [g for g in answers if g.error is None]
    return (
        pd.DataFrame({"model": [g.model for g in ok], "chars": [len(g.text) for g in ok]})
        .groupby("model")["chars"]
        .mean()
    )


def meta_analysis(
    cfg: AuditConfig, bench: BenchResult | None, judges: Sequence[JudgeOutcome], answers: Sequence[Generation]
) -> tuple[MetaAnalysis | None, list[str]]:
    """Every judge-based score against every concrete factor/vertical (and answer length), across models."""
    notes: list[str] = []
    models = [m.name for m in cfg.models]
    if bench is None or not bench.groups:
        return None, ["No concrete suite ran, so there is nothing to hold the judges against."]
    if not judges:
        return None, ["No judge ran, so there is no judge-based score to correlate."]
    scores = pd.DataFrame(index=pd.Index(models, name="model"))
    for group in bench.groups:
        scores.loc[group.model, group.group] = group.value
    concrete = list(dict.fromkeys(g.group for g in bench.groups))
    scores[ANSWER_LENGTH] = mean_answer_length(answers).reindex(models)
    judge_cols, per_prompt = [], []
    for outcome in judges:
        judge_cols.append(prompt_score_column(outcome))
        per_prompt.append(per_prompt_scores(outcome, models))
        for col, name in judge_columns(outcome).items():
            scores[name] = outcome.leaderboard[col].reindex(models).astype(float)
            judge_cols.append(name)
    meta = correlate(
        scores,
        judge_cols,
        [*concrete, ANSWER_LENGTH],
        per_prompt=pd.concat(per_prompt, ignore_index=True),
        n_boot=cfg.n_boot,
        level=cfg.level,
        seed=cfg.seed,
    )
    meta.notes.append(
        f"{len(models)} models; the 'prompts' CIs resample the judge prompts (win rate only); factor scores "
        "and the other judge-based scores are held fixed there. Answer length is a style reference, not a "
        "concrete measure: a judge that tracks it rewards length."
    )
    if len(models) < 5:
        notes.append("Fewer than 5 models: correlations across models get no estimate or verdict.")
    return meta, notes
