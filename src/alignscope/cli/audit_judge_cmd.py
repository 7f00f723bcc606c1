"""``alignscope audit-judge``: does a judge reward position, length and style rather than substance, or
its own family? One report from stored judge runs, AlpacaEval annotations or Arena-Hard judgments; each part
that the given judgments cannot support says why instead of guessing."""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from alignscope.cli.common import JsonOpt, WorkspaceOpt, emit_json, out_console, print_table
from alignscope.cli.judgment_tables import (
    ARENA_BASELINE,
    AnnotationsOpt,
    ArenaAnswersOpt,
    ArenaBaselineOpt,
    ArenaOpt,
    JudgmentTables,
    OnlyOpt,
    RunsOpt,
    ShippedOpt,
    load_tables,
)
from alignscope.cli.leaderboard_cmd import win_rate_table
from alignscope.errors import ConfigError, DataError

ARENA_ELO = "arena-elo"


def position_section(tables: JudgmentTables) -> dict[str, Any]:
    """Position consistency and first-position preference, from pairs judged in both orders."""
    from alignscope.analysis.judge_audit import position_consistency

    battles = tables.battles
    if battles.empty:
        return {"unavailable": "no pairwise judgments"}
    result = position_consistency(battles[["question_id", "model_a", "model_b", "p_a"]])
    if result.n_pairs == 0:
        return {"unavailable": "no pair was judged in both orders (judge with position swap to measure it)"}
    return asdict(result)


def length_section(tables: JudgmentTables) -> dict[str, Any]:
    """Logistic slope of the judged model's win probability on its length lead over the baseline."""
    from alignscope.analysis.judge_audit import length_bias

    pairs = tables.pairs.dropna(subset=["len_model", "len_baseline"])
    if pairs.empty:
        return {"unavailable": "no answer lengths (give the answers, e.g. --arena-answers)"}
    df = pd.DataFrame(
        {
            "p_a": pairs["p_win"].to_numpy(dtype=float),
            "len_a": pairs["len_model"].to_numpy(dtype=float),
            "len_b": pairs["len_baseline"].to_numpy(dtype=float),
            "question_id": pairs["instruction"].to_numpy(),
            "model": pairs["model"].to_numpy(),
        }
    )
    slope = length_bias(df, group="model" if df["model"].nunique() > 1 else None)
    return asdict(slope) | {"unit_name": "characters", "meaning": "log-odds of winning per sd of length lead"}


def criteria_section(tables: JudgmentTables) -> dict[str, Any]:
    """Weight of each criterion verdict in the overall verdict of a multi-criteria judge (SOS-Bench)."""
    from alignscope.analysis.judge_audit import criterion_weights
    from alignscope.judges.criteria import criteria_table
    from alignscope.judges.parsing import CRITERIA

    table = criteria_table(tables.judgments)
    if table.empty:
        return {"unavailable": "no parsed multi-criteria judgments (judge with --mode criteria)"}
    weights = criterion_weights(table.rename(columns={"item_id": "question_id"}), list(CRITERIA), "overall")
    return {"n": len(table), "weights": _records(weights, "criterion")}


def gaming_section(rates: pd.DataFrame, extra: list[str]) -> dict[str, Any]:
    """Spread of raw and LC win rates across prompted-length variants of one model (``_concise``/``_verbose``
    and the ``BASE=VARIANT`` pairs given)."""
    from alignscope.analysis.judge_audit import variant_families, verbosity_gaming

    if rates.empty or "lc_win_rate" not in rates:
        return {"unavailable": "needs win rates and LC win rates (pairwise judgments against a baseline)"}
    families = variant_families(list(rates.index))
    for spec in extra:
        base, sep, variant = spec.partition("=")
        if not sep or not base or not variant:
            raise ConfigError(f"--family {spec}: expected BASE=VARIANT")
        families.setdefault(base, [base]).append(variant)
    if not families:
        return {"unavailable": "no model with _concise/_verbose variants among the judged models"}
    result = verbosity_gaming(rates.dropna(subset=["lc_win_rate"]), families)
    return {"families": _records(result.families, "family"), "gameability": result.gameability}


def self_preference_section(
    rates: pd.DataFrame, reference: str | None, own_family: str | None
) -> dict[str, Any]:
    """How much more the judge likes its own family than a reference ranking predicts."""
    from alignscope.analysis.judge_audit import self_preference

    if not reference or not own_family:
        return {"unavailable": "give --own-family REGEX (the judge's model family) and --reference"}
    if rates.empty:
        return {"unavailable": "needs win rates against a baseline"}
    metric = "lc_win_rate" if "lc_win_rate" in rates and rates["lc_win_rate"].notna().any() else "win_rate"
    judge_scores = rates[metric].dropna()
    ref = _reference_scores(reference, list(judge_scores.index))
    pattern = re.compile(own_family, re.IGNORECASE)
    families = {m: ("judge" if pattern.search(str(m)) else "other") for m in judge_scores.index}
    result = self_preference(judge_scores, ref, families, "judge")
    own = sorted(m for m, f in families.items() if f == "judge" and m in ref.index)
    return asdict(result) | {"metric": metric, "own_family_models": own, "reference": reference}


def _reference_scores(reference: str, models: list[str]) -> pd.Series:
    """Reference score per model: Chatbot Arena Elo from the shipped AlpacaEval benchmark table
    (``arena-elo``, names matched explicitly), or a CSV with columns ``model`` and ``score``."""
    if reference == ARENA_ELO:
        from alignscope.published.alpaca_benchmarks import read_benchmarks
        from alignscope.published.names import match_names

        table, _ = read_benchmarks()
        elo = table["arena_elo_2024_04 (human)"].dropna()
        match = match_names(elo.index, models)
        return pd.Series({right: float(elo[left]) for left, right in match.pairs})
    path = Path(reference)
    if not path.is_file():
        raise ConfigError(f"--reference {reference}: not '{ARENA_ELO}' and no such CSV file")
    df = pd.read_csv(path)
    if not {"model", "score"} <= set(df.columns):
        raise DataError("reference scores need columns model and score", where=str(path))
    return df.set_index(df["model"].astype(str))["score"].astype(float)


def _records(df: pd.DataFrame, index_name: str) -> list[dict[str, Any]]:
    return [{index_name: idx, **{k: _plain(v) for k, v in row.items()}} for idx, row in df.iterrows()]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _section(fn: Any, *args: Any) -> dict[str, Any]:
    """A section's result, or why the data cannot support it (one line, no traceback)."""
    try:
        return fn(*args)
    except DataError as exc:
        return {"unavailable": str(exc)}


def audit_judge(
    run: RunsOpt = None,
    annotations: AnnotationsOpt = None,
    arena_hard: ArenaOpt = None,
    arena_answers: ArenaAnswersOpt = None,
    shipped: ShippedOpt = None,
    only: OnlyOpt = None,
    arena_baseline: ArenaBaselineOpt = ARENA_BASELINE,
    family: Annotated[
        list[str] | None, typer.Option("--family", help="Extra length variant BASE=VARIANT; repeatable.")
    ] = None,
    own_family: Annotated[
        str | None, typer.Option("--own-family", help="Regex naming the judge's own model family.")
    ] = None,
    reference: Annotated[
        str | None, typer.Option(help=f"Reference scores: '{ARENA_ELO}' or a CSV (model, score).")
    ] = None,
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Audit a judge: position consistency, length bias, criterion weights, verbosity gaming, self-bias."""
    tables = load_tables(
        workspace, run, annotations, arena_hard, arena_answers, arena_baseline, shipped, only
    )
    notes: list[str] = []
    rates = _section_rates(tables, notes)
    report = {
        "judges": tables.judges,
        "verdicts": tables.n_verdicts,
        "parse_failures": tables.n_failed,
        "parse_failure_rate": tables.failure_rate,
        "position": _section(position_section, tables),
        "length_bias": _section(length_section, tables),
        "criterion_weights": _section(criteria_section, tables),
        "verbosity_gaming": _section(gaming_section, rates, family or []),
        "self_preference": _section(self_preference_section, rates, reference, own_family),
        "notes": notes,
    }
    _print(report, json_out)
    if json_out:
        emit_json(report)


def _section_rates(tables: JudgmentTables, notes: list[str]) -> pd.DataFrame:
    if tables.pairs.empty:
        return pd.DataFrame()
    try:
        return win_rate_table(tables.pairs, True, notes)
    except DataError as exc:
        notes.append(f"no LC win rates: {exc}")
        return win_rate_table(tables.pairs, False, notes)


def _print(report: dict[str, Any], json_mode: bool) -> None:
    rows = []
    pos = report["position"]
    if "unavailable" in pos:
        rows.append(["position consistency", pos["unavailable"]])
    else:
        rows.append(["position consistency", f"{pos['consistency']:.3f} {_ci(pos['consistency_ci'])} over "
                     f"{pos['n_pairs']} pairs"])  # fmt: skip
        rows.append(
            ["first-position rate", f"{pos['first_position_rate']:.3f} {_ci(pos['first_position_ci'])}"]
        )
    length = report["length_bias"]
    rows.append(["length bias (log-odds per sd)", length.get("unavailable") or _slope(length)])
    crit = report["criterion_weights"]
    rows.append(
        ["criterion weights", crit.get("unavailable")
         or ", ".join(f"{w['criterion']} {w['coef']:+.2f}" for w in crit["weights"])]
    )  # fmt: skip
    gaming = report["verbosity_gaming"]
    rows.append(
        ["verbosity gaming (gameability %)", gaming.get("unavailable")
         or ", ".join(f"{k} {v:.1f}" for k, v in gaming["gameability"].items())]
    )  # fmt: skip
    selfp = report["self_preference"]
    rows.append(
        ["self-preference", selfp.get("unavailable")
         or f"{selfp['effect']:+.2f} [{selfp['lower']:+.2f}, {selfp['upper']:+.2f}] ({selfp['metric']})"]
    )  # fmt: skip
    rate = report["parse_failure_rate"]
    failures = f"{report['parse_failures']}/{report['verdicts']}" + (
        f" ({rate:.1%})" if rate is not None else ""
    )
    rows.append(["parse failures", failures])
    print_table("judge audit", ["check", "result"], rows, json_mode=json_mode)
    if "families" in gaming:
        fam = gaming["families"]
        print_table(
            "verbosity gaming: spread across length variants",
            ["family", "variants", "win rate range", "LC win rate range"],
            [[f["family"], f["variants"], f["win_rate_range"], f["lc_win_rate_range"]] for f in fam],
            json_mode=json_mode,
        )
    if not json_mode:
        for note in report["notes"]:
            out_console.print(f"[dim]note: {note}[/dim]")


def _slope(s: dict[str, Any]) -> str:
    return f"{s['coef']:+.3f} [{s['lower']:+.3f}, {s['upper']:+.3f}] (sd {s['unit']:.0f} chars)"


def _ci(ci: Any) -> str:
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]"
