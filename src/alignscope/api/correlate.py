"""``correlate``: the meta-analysis of per-model scores a user already has (a CSV table, other tools' eval
logs, or both) and, with training metadata, what drives each score (the ``alignscope correlate`` command)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from alignscope.analysis.drivers import CLUSTER, META_COLUMNS, DriverAnalysis
from alignscope.analysis.meta import MetaAnalysis
from alignscope.errors import ConfigError, DataError


@dataclass
class CorrelateResult:
    """The meta-analysis (``meta``), the driver regressions (``drivers``, None without metadata) and the
    report files written (``outputs``, empty when no folder was given); ``to_dict()`` is the command's
    ``--json`` object."""

    meta: MetaAnalysis
    drivers: DriverAnalysis | None = None
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def scores(self) -> pd.DataFrame:
        """The per-model scores correlated (index model; judge and concrete columns)."""
        return self.meta.scores

    @property
    def correlations(self) -> pd.DataFrame:
        """One row per judge x concrete column x method: estimate, CI, p-value, models."""
        return self.meta.table

    @property
    def verdicts(self) -> list[str]:
        """Whether each judge column tracks each concrete column, in words."""
        return [v.text for v in self.meta.verdicts]

    @property
    def driver_table(self) -> pd.DataFrame:
        """The regressions' terms (outcome, term, estimate, CI, p-value); empty without metadata."""
        return self.drivers.frame() if self.drivers is not None else pd.DataFrame()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: settings, correlations, verdicts, the drivers and the files written."""
        out = self.meta.to_dict() | ({"drivers": self.drivers.to_dict()} if self.drivers else {})
        return out | ({"outputs": self.outputs} if self.outputs else {})


def correlate(
    table: Path | str | None = None,
    *,
    from_logs: Sequence[str] = (),
    judge: Sequence[str] | None = None,
    concrete: Sequence[str] | None = None,
    metadata: Path | str | None = None,
    predictor: Sequence[str] | None = None,
    cluster: str = CLUSTER,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
    out: Path | str | None = None,
) -> CorrelateResult:
    """Correlate judge-based with concrete scores across models (Spearman, Kendall, Pearson, bootstrap CIs).
    Scores come from ``table`` (CSV: ``model`` plus a column per score) and/or eval logs (``from_logs``:
    ``inspect:PATH`` / ``lm-eval:PATH``, each log's ``TASK/METRIC`` a column of its model). Judge columns
    are ``judge`` (default: headers starting ``judge:``/``judge_``), the rest concrete. With training
    ``metadata`` (a CSV, else those columns of ``table``), every score is regressed on it. ``out``: a
    folder for report.html, results.json and Parquet tables.

    Example::

        import pandas as pd
        pd.DataFrame({"model": list("abcdef"), "judge:win_rate": [10, 20, 30, 40, 50, 60],
                      "mmlu": [0.3, 0.35, 0.33, 0.5, 0.55, 0.6]}).to_csv("scores.csv", index=False)
        result = alignscope.correlate("scores.csv", n_boot=200)
        print(result.verdicts[0])
        print(result.correlations[["method", "estimate", "models_ci_low", "models_ci_high"]])
    """
    from alignscope.analysis.meta import correlate_frame, read_model_table

    if table is None and not from_logs:
        raise ConfigError("give a TABLE.csv of per-model scores or --from inspect:PATH / lm-eval:PATH")
    scores, where = score_table(Path(table) if table else None, from_logs)
    if metadata is not None:
        info = read_model_table(metadata, text=True).set_index("model")
        columns = list(info.columns)
    elif table is not None:
        info = read_model_table(table, text=True).set_index("model")
        columns = [c for c in META_COLUMNS if c in info.columns]
    else:
        info, columns = pd.DataFrame(index=scores["model"]), []
    meta = correlate_frame(
        scores, where, judges=judge, concrete=concrete, n_boot=n_boot, level=level, seed=seed,
        metadata=columns,
    )  # fmt: skip
    drivers = _drivers(meta.scores, info[columns], predictor, cluster, level, meta.judges + meta.concrete)
    result = CorrelateResult(meta, drivers)
    if out is not None:
        result.outputs = _write(result, Path(out), Path(table) if table else Path(where))
    return result


def score_table(table: Path | None, from_logs: Sequence[str]) -> tuple[pd.DataFrame, str]:
    """The per-model scores of ``table`` joined with the logs' metrics (by model), and where they came
    from; DataError when a log metric is also a column of the table."""
    from alignscope.analysis.meta import read_model_table
    from alignscope.io import metrics_table, read_logs

    frames = [read_model_table(table)] if table is not None else []
    if from_logs:
        frames.append(metrics_table(read_logs(from_logs)))
    where = ", ".join([*([str(table)] if table is not None else []), *from_logs])
    scores = frames[0]
    for other in frames[1:]:
        clash = sorted(set(scores.columns) & set(other.columns) - {"model"})
        if clash:
            raise DataError(f"column(s) {', '.join(clash)} both in the table and in the logs", where=where)
        scores = scores.merge(other, on="model", how="outer")
    return scores, where


def _drivers(
    scores: pd.DataFrame,
    info: pd.DataFrame,
    predictors: Sequence[str] | None,
    cluster: str,
    level: float,
    outcomes: list[str],
) -> DriverAnalysis | None:
    """The regressions on the metadata, or None when there is none and none was asked for."""
    from alignscope.analysis.drivers import fit_drivers

    default = [c for c in ("stage", "sft_size", "po_method", "base_model") if c in info.columns]
    chosen = list(predictors) if predictors is not None else default
    if not chosen:
        return None
    return fit_drivers(
        scores, info, outcomes, chosen, cluster=cluster if cluster in info.columns else None, level=level
    )


def _write(result: CorrelateResult, out: Path, source: Path) -> dict[str, Any]:
    """The report (with the drivers section) and results.json in ``out``; the paths written."""
    from alignscope.report.correlate import correlate_report
    from alignscope.report.drivers import drivers_blocks
    from alignscope.report.outputs import write_report_files, write_results

    report = correlate_report(result.meta, source)
    if result.drivers is not None:
        blocks = drivers_blocks(result.drivers, "correlate_drivers", "What drives the scores")
        report.sections[0].blocks += blocks
    outputs = write_report_files(report, out)
    write_results(result.to_dict() | {"outputs": outputs}, out)
    return outputs
