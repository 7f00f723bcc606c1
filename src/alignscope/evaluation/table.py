"""The one table of an evaluation (per model: each benchmark's score with its CI, answer length, factor
scores), shared by the command's printout, the evaluation report and the Meta-Rewarding loop report."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean
from typing import Any

from alignscope.evaluation.benchmarks import BENCHMARKS, SOS

FACTOR_SCALE = 100.0  # factor scores (0 = chance, 1 = best) are shown x 100


def with_ci(value: float | None, ci: Sequence[float | None] | None, digits: int = 1) -> str:
    """``value [low, high]``, or ``-`` without a value."""
    if value is None:
        return "-"
    text = f"{value:.{digits}f}"
    if ci and None not in ci:
        text += f" [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"
    return text


def score_columns(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(benchmark, row key of the value, column title) of every score column of ``result``."""
    cols = []
    for name in result["benchmarks"]:
        if name == "alpaca_eval":
            cols += [(name, "score", "AlpacaEval 2 LC"), (name, "win_rate", "AlpacaEval 2 WR")]
        elif name == "arena_hard":
            cols += [(name, "score", "Arena-Hard"), (name, "score_sc", "Arena-Hard (style ctrl)")]
        elif name != SOS:
            cols.append((name, "score", BENCHMARKS[name].title))
    return cols


def factor_names(result: dict[str, Any]) -> list[str]:
    """The factors scored for any model of ``result``."""
    return sorted({f for per in result.get("factors", {}).values() for f in per})


def _cell(row: dict[str, Any] | None, key: str) -> str:
    if row is None:
        return "-"
    ci = {"score": "ci", "win_rate": "win_rate_ci", "score_sc": "ci_sc"}[key]
    return with_ci(row.get(key), row.get(ci))


def model_length(result: dict[str, Any], model: str) -> float | None:
    """Mean answer characters of ``model`` over the judged benchmarks' means."""
    lengths = [r["length_chars"] for r in result["rows"] if r["model"] == model and r.get("length_chars")]
    return fmean(lengths) if lengths else None


def summary_table(result: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of the one table: per model each benchmark's score [95% CI], answer length and
    factor scores (x 100) [95% CI]."""
    cols, factors = score_columns(result), factor_names(result)
    header = ["model", *[title for _, _, title in cols], "answer chars"]
    header += [f"{f} (x100)" for f in factors]
    by_key = {(r["benchmark"], r["model"]): r for r in result["rows"]}
    body = []
    for model in result["models"]:
        line: list[Any] = [model]
        line += [_cell(by_key.get((b, model)), key) for b, key, _ in cols]
        length = model_length(result, model)
        line.append(f"{length:.0f}" if length is not None else "-")
        for f in factors:
            entry = result["factors"].get(model, {}).get(f)
            line.append(
                with_ci(FACTOR_SCALE * entry["value"], [FACTOR_SCALE * c for c in entry["ci"]])
                if entry
                else "-"
            )
        body.append(line)
    return header, body
