"""``alignscope audit-judge``: does a judge reward position, length and style rather than substance, or
its own family? One report from stored judge runs, AlpacaEval annotations or Arena-Hard judgments; each part
that the given judgments cannot support says why instead of guessing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY
from alignscope.analysis.judge_checks import audit_judge as audit_judgments
from alignscope.analysis.judgment_tables import ARENA_BASELINE
from alignscope.analysis.leaderboard import judge_leaderboard
from alignscope.cli.common import JsonOpt, WorkspaceOpt, emit_json, out_console, print_table
from alignscope.cli.judgment_sources import (
    AnnotationsOpt,
    ArenaAnswersOpt,
    ArenaBaselineOpt,
    ArenaOpt,
    LCDifficultyOpt,
    OnlyOpt,
    RunsOpt,
    ShippedOpt,
    lc_policy,
    load_tables,
)
from alignscope.errors import ConfigError, DataError

ARENA_ELO = "arena-elo"


def _families(specs: list[str]) -> dict[str, list[str]]:
    """``BASE=VARIANT`` options as base -> variants (ConfigError on a malformed one)."""
    families: dict[str, list[str]] = {}
    for spec in specs:
        base, sep, variant = spec.partition("=")
        if not sep or not base or not variant:
            raise ConfigError(f"--family {spec}: expected BASE=VARIANT")
        families.setdefault(base, []).append(variant)
    return families


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
    lc_difficulty: LCDifficultyOpt = DEFAULT_LC_DIFFICULTY,
    workspace: WorkspaceOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Audit a judge: position consistency, length bias, criterion weights, verbosity gaming, self-bias."""
    policy = lc_policy(lc_difficulty)
    families = _families(family or [])
    tables = load_tables(
        workspace, run, annotations, arena_hard, arena_answers, arena_baseline, shipped, only
    )
    board = judge_leaderboard(tables, lc_difficulty=policy, ratings=False)
    rates = board.rates
    scores = None
    if reference and own_family and not rates.empty:
        scores = _reference_scores(reference, list(rates.index))
    audit = audit_judgments(tables, rates, families=families, reference=scores, own_family=own_family)
    report = audit.to_dict()
    if audit.self_preference is not None:
        report["self_preference"]["reference"] = reference
    report |= {
        "judges": tables.judges,
        "lc": board.lc_summary(),
        "win_rates": board.rows(),
        "notes": board.notes,
    }
    _print(report, json_out)
    if json_out:
        emit_json(report)


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
