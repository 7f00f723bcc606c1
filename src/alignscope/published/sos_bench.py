"""The SOS-Bench release (penfever/sos-bench): factor scores of 8B fine-tunes vs their Arena-Hard-Auto scores.

The factors are ``tasks.factors``' SOS-Bench definition, the one the live ``sos`` suite uses: membership from
UPSTREAM_README.md's benchmark table (its lm-eval part; LiveBench is left out: its model names come in several
versions per fine-tune, e.g. three ``llama3-8b-flan-v*`` runs, that no file ties to the Eleuther/arena names
without guessing), each subtask's reported metric normalised with :func:`~alignscope.tasks.factors.normalise`
and averaged with :func:`~alignscope.tasks.factors.factor_mean` (subtasks into their benchmark, benchmarks
into the factor):

- world knowledge: BBH, GPQA, MMLU-Pro, MuSR, MATH Lvl 5;
- instruction following: IFEval (mean of its four reported metrics: prompt/instruction level, strict/loose);
- safety: BBQ, the yes/no safety sets (BeaverTails, CDNA, DTToxicity, JailbreakHub, SaladBench, SGXSTest,
  StrongREJECT, Toxigen, WildGuardTest, XSTest) and WMDP as inverse accuracy.

Normalisation ``chance`` (the default): multiple-choice tasks as the Open LLM Leaderboard v2 does,
``max(0, (acc - 1/k) / (1 - 1/k))`` per subtask with k answer options; generated answers (MATH, IFEval) and
the label-skewed yes/no safety sets have chance 0; WMDP's safety score is ``min(1, (1 - acc) / (1 - 1/4))``.
``none`` uses chance 0 throughout (WMDP as 1 - acc). The release reports WMDP as lm-eval's ``wmdp`` group.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from alignscope.analysis.drivers import DriverAnalysis, fit_drivers
from alignscope.analysis.meta import MetaAnalysis, correlate
from alignscope.data.registry import bundled_path
from alignscope.errors import DataError
from alignscope.published.names import SOS_BENCH_ALIASES, NameMatch, match_names
from alignscope.tasks.factors import SOS_BENCHMARKS, SOS_FACTORS, Benchmark, factor_mean, normalise

FOLDER = "sos_bench"
METADATA = Path(__file__).with_name("sos_bench_models.csv")
# what drives the scores: stage (base / sft / sft+po / vendor) over every model; the SFT set's size (log10)
# over the fine-tunes whose size is documented, with stage so that preference optimisation is held apart
DRIVERS = {"stage": ("stage", "base_model"), "sft_size": ("sft_size", "stage", "base_model")}
JUDGE = "arena_hard"
FACTORS = SOS_FACTORS
NORMALISATIONS = ("chance", "none")


def columns(benchmark: Benchmark) -> list[tuple[str, float]]:
    """The release's (column, chance level) pairs of ``benchmark``: one per subtask and reported metric."""
    return [(f"{s.lm_eval}/{m}", s.chance) for s in benchmark.subtasks for m in s.metrics]


@dataclass
class SosBenchAnalysis:
    """Factor scores and judge scores per matched model, the name matching, the meta-analysis, and what
    drives the scores: regressions on the models' training metadata, by specification (:data:`DRIVERS`)."""

    scores: pd.DataFrame
    task_scores: pd.DataFrame
    match: NameMatch
    meta: MetaAnalysis
    normalisation: str
    drivers: dict[str, DriverAnalysis]


def read_eleuther() -> pd.DataFrame:
    """The shipped per-task lm-eval results, one row per model (``Name``)."""
    frame = pd.read_csv(bundled_path(FOLDER, "eleuther_wandb.csv.gz"))
    needed = ["Name", *(column for b in SOS_BENCHMARKS for column, _ in columns(b))]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(f"eleuther_wandb.csv lacks column(s) {', '.join(missing[:5])}")
    return frame


def read_arena_hard() -> pd.DataFrame:
    """The shipped Arena-Hard-Auto scores (``model``, ``score``: win rate in % against gpt-4-0314)."""
    frame = pd.read_csv(bundled_path(FOLDER, "arena_hard_auto.csv.gz"))
    if not {"model", "score"} <= set(frame.columns):
        raise DataError("arena_hard_auto.csv needs 'model' and 'score' columns")
    return frame


def _parts(frame: pd.DataFrame, benchmark: Benchmark, normalisation: str) -> list[tuple[str, np.ndarray]]:
    return [
        (
            benchmark.name,
            normalise(
                pd.to_numeric(frame[column], errors="coerce").to_numpy(float),
                chance if normalisation == "chance" else 0.0,
                not benchmark.inverse,
            ),
        )
        for column, chance in columns(benchmark)
    ]


def task_scores(eleuther: pd.DataFrame, normalisation: str = "chance") -> pd.DataFrame:
    """Models x benchmarks table of normalised benchmark scores in [0, 1] (see the module docstring)."""
    if normalisation not in NORMALISATIONS:
        raise DataError(f"unknown normalisation '{normalisation}' (choose {', '.join(NORMALISATIONS)})")
    out = pd.DataFrame(
        {b.name: factor_mean(_parts(eleuther, b, normalisation)) for b in SOS_BENCHMARKS},
        index=eleuther["Name"].astype(str).to_numpy(),
    )
    out.index.name = "model"
    return out


def factor_scores(tasks: pd.DataFrame) -> pd.DataFrame:
    """Models x factors: :func:`~alignscope.tasks.factors.factor_mean` of each factor's benchmark scores."""
    return pd.DataFrame(
        {
            factor: factor_mean(
                [(b.name, tasks[b.name].to_numpy()) for b in SOS_BENCHMARKS if b.factor == factor]
            )
            for factor in FACTORS
        },
        index=tasks.index,
    )


def analyse(
    *, normalisation: str = "chance", n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> SosBenchAnalysis:
    """Build the factors, match the arena file's names explicitly, correlate the judge with each factor."""
    eleuther, arena = read_eleuther(), read_arena_hard()
    tasks = task_scores(eleuther, normalisation)
    match = match_names(tasks.index, arena["model"], SOS_BENCH_ALIASES)
    judge = arena.set_index("model")["score"].astype(float)
    left = [left_name for left_name, _ in match.pairs]
    scores = factor_scores(tasks).loc[left]
    scores.insert(0, JUDGE, [judge[right] for _, right in match.pairs])
    meta = correlate(scores, [JUDGE], list(FACTORS), n_boot=n_boot, level=level, seed=seed)
    meta.notes.extend(_notes(match, normalisation))
    outcomes = factor_scores(tasks).join(scores[JUDGE])[[*FACTORS, JUDGE]]
    drivers = release_drivers(outcomes, level)
    return SosBenchAnalysis(scores, tasks.loc[left], match, meta, normalisation, drivers)


def read_metadata() -> pd.DataFrame:
    """The shipped metadata of the release's models (index ``model``; each value's source in the table)."""
    frame = pd.read_csv(
        METADATA, dtype={"sft_size": "Int64"}, keep_default_na=False, na_values={"sft_size": [""]}
    )
    needed = {"model", "base_model", "stage", "sft_dataset", "sft_size", "po_method", "source"}
    if not needed <= set(frame.columns):
        raise DataError(f"{METADATA.name} lacks column(s) {', '.join(sorted(needed - set(frame.columns)))}")
    return frame.set_index("model")


def release_drivers(outcomes: pd.DataFrame, level: float = 0.95) -> dict[str, DriverAnalysis]:
    """Each :data:`DRIVERS` specification fitted to ``outcomes`` (models x factors and judge score)."""
    metadata = read_metadata()
    return {
        name: fit_drivers(outcomes, metadata, list(outcomes.columns), predictors, level=level)
        for name, predictors in DRIVERS.items()
    }


def _notes(match: NameMatch, normalisation: str) -> list[str]:
    notes = [
        f"SOS-Bench release: {len(match.pairs)} models matched across eleuther_wandb.csv and "
        f"arena_hard_auto.csv (normalisation: {normalisation}).",
    ]
    aliased = [f"{left} = {right}" for left, right in match.pairs if match.how[left].startswith("alias")]
    if aliased:
        notes.append("Matched by explicit alias: " + "; ".join(aliased) + ".")
    if match.unmatched_left:
        notes.append("No judge score for: " + ", ".join(match.unmatched_left) + ".")
    if match.unmatched_right:
        notes.append("No factor scores for: " + ", ".join(match.unmatched_right) + ".")
    return notes
