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

from alignscope.analysis.judge_audit import Slope, length_bias, position_consistency
from alignscope.analysis.meta import MetaAnalysis, correlate
from alignscope.audit.config import AuditConfig
from alignscope.backends.base import Backend
from alignscope.cli.judgment_tables import JudgmentTables, judgment_tables
from alignscope.config import ModelSpec
from alignscope.engine.runner import Engine
from alignscope.errors import DataError
from alignscope.judges.config import JudgeSpec
from alignscope.judges.templates import JudgeTemplate
from alignscope.records import Generation, Item, Judgment
from alignscope.tasks.runner import BenchResult

ANSWER_LENGTH = "answer_length (style)"
BT_BOOTSTRAP = 1000
POINTWISE = ("pointwise", "rubric")
MIN_LENGTH_BIAS_PROMPTS = 5  # fewer clusters make the clustered standard error meaningless (0 with one)


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

    @property
    def label(self) -> str:
        """The judge's name on its Judgments."""
        return self.spec.label

    @property
    def pointwise(self) -> bool:
        """Whether the judge scores single answers (its score is a mean score, not a win rate)."""
        return self.spec.mode in POINTWISE

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


def _win_rates(pairs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    from alignscope.analysis.winrate import win_rates

    rates = win_rates(pairs)
    base = pd.DataFrame(
        {
            "n": [0],
            "n_failed": [0],
            "n_wins": [0],
            "n_losses": [0],
            "n_draws": [0],
            "win_rate": [50.0],
            "standard_error": [0.0],
        },
        index=pd.Index([baseline], name="model"),
    )
    return pd.concat([base, rates.drop(index=[baseline], errors="ignore")])


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


def _lc_win_rates(pairs: pd.DataFrame, notes: list[str]) -> pd.DataFrame | None:
    from alignscope.analysis.instruction_difficulty import fit_instruction_difficulty
    from alignscope.analysis.length_control import length_controlled_win_rates

    try:
        difficulty = fit_instruction_difficulty(pairs)
        lc = length_controlled_win_rates(pairs, difficulty)
    except DataError as exc:
        notes.append(f"Length-controlled win rate not computed: {exc}")
        return None
    notes.append(
        "Length-controlled win rates use AlpacaEval 2's GLM with instruction difficulty fitted jointly on "
        f"these models' {pairs['instruction'].nunique()} prompts (few prompts: wide standard errors)."
    )
    return lc[["lc_win_rate", "lc_standard_error", "w_length"]]


def _varying(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    return [c for c in columns if frame[c].astype(float).std(ddof=1) > 0]


def _bradley_terry(
    tables: JudgmentTables, baseline: str, cfg: AuditConfig, notes: list[str]
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    from alignscope.analysis.bradley_terry import bradley_terry, style_controlled_leaderboard
    from alignscope.analysis.style_features import STYLE_FEATURES, add_style_features

    battles = tables.battles.dropna(subset=["p_a"])
    if battles.empty:
        notes.append("Bradley-Terry ratings not computed: no verdicts.")
        return None, pd.DataFrame()
    kwargs = {"n_bootstrap": BT_BOOTSTRAP, "level": cfg.level, "seed": cfg.seed}
    styled = add_style_features(battles, tables.answers)
    columns = _varying(styled, STYLE_FEATURES)
    dropped = [c for c in STYLE_FEATURES if c not in columns]
    if dropped:
        notes.append(
            f"Style control leaves out {', '.join(dropped)}: the feature never varies across these pairs."
        )
    try:
        if columns:
            return style_controlled_leaderboard(styled, baseline, columns, **kwargs)
        plain = bradley_terry(battles, baseline, **kwargs)
        return plain.ratings, pd.DataFrame()
    except DataError as exc:
        notes.append(f"Bradley-Terry ratings not computed: {exc}")
        return None, pd.DataFrame()


def pairs_length_bias(pairs: pd.DataFrame, level: float) -> Slope:
    """Length bias of a model-vs-baseline pairs table (length control's columns: p_win, len_model,
    len_baseline, instruction), with an intercept per model and CIs clustered by instruction."""
    battles = pairs.rename(
        columns={"p_win": "p_a", "len_model": "len_a", "len_baseline": "len_b", "instruction": "question_id"}
    )
    return length_bias(battles, group="model", level=level)


def slope_summary(slope: Slope) -> dict[str, float]:
    """The JSON-ready summary of a length slope: coefficient, CI, n and the length unit in characters."""
    return {
        "coef": slope.coef,
        "lower": slope.lower,
        "upper": slope.upper,
        "n": slope.n,
        "unit_chars": slope.unit,
    }


def _audit(tables: JudgmentTables, level: float, notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "verdicts": tables.n_verdicts,
        "parse_failures": tables.n_failed,
        "parse_failure_rate": tables.failure_rate,
    }
    if tables.pairs.empty:
        return out
    pc = position_consistency(tables.battles[["question_id", "model_a", "model_b", "p_a"]], level)
    out["position"] = {
        "pairs": pc.n_pairs,
        "consistency": pc.consistency,
        "consistency_ci": list(pc.consistency_ci),
        "first_position_rate": pc.first_position_rate,
        "first_position_ci": list(pc.first_position_ci),
    }
    prompts = tables.pairs["instruction"].nunique()
    if prompts < MIN_LENGTH_BIAS_PROMPTS:
        notes.append(
            f"Length bias not estimated: its CI is clustered by prompt, and {prompts} prompt(s) are too few "
            f"(needs {MIN_LENGTH_BIAS_PROMPTS}+)."
        )
        return out
    try:
        out["length"] = slope_summary(pairs_length_bias(tables.pairs, level))
    except (DataError, np.linalg.LinAlgError) as exc:
        notes.append(f"Length bias not estimated: {exc}")
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
    without style control) and audit of one judge."""
    notes: list[str] = []
    tables = judgment_tables(judgments, answers, spec.label)
    if spec.mode in POINTWISE:
        board = _mean_scores(pointwise_scores(judgments))
    else:
        board = _win_rates(tables.pairs, baseline)
        lc = _lc_win_rates(tables.pairs, notes)
        if lc is not None:
            board = board.join(lc)
            board.loc[baseline, ["lc_win_rate", "lc_standard_error"]] = [50.0, 0.0]
    ratings, style = _bradley_terry(tables, baseline, cfg, notes)
    if ratings is not None:
        keep = [c for c in ratings.columns if c.startswith(("rating", "lower", "upper"))]
        board = board.join(ratings[keep])
    audit = _audit(tables, cfg.level, notes)
    return JudgeOutcome(spec, template, baseline, judgments, tables, board, style, audit, notes)


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
