"""``alignscope audit-judge``: does a judge reward position, length and style rather than substance, or
its own family? One report from stored judge runs, AlpacaEval annotations or Arena-Hard judgments
(``alignscope.audit_judge``); each part that the given judgments cannot support says why instead of
guessing."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY
from alignscope.api.audit_judge import ARENA_ELO
from alignscope.api.audit_judge import audit_judge as judge_audit
from alignscope.cli import options as opt
from alignscope.cli.common import emit_json, out_console, print_table
from alignscope.cli.judgment_sources import JudgmentSourceOptions, LCDifficultyOpt
from alignscope.cli.option_groups import with_groups


@with_groups(judgments=JudgmentSourceOptions)
def audit_judge(
    judgments: JudgmentSourceOptions,
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
    workspace: opt.Workspace = None,
    json_out: opt.Json = False,
) -> None:
    """Audit a judge: position consistency, length bias, criterion weights, verbosity gaming, self-bias."""
    report = judge_audit(
        **judgments.sources(), family=family or (), own_family=own_family, reference=reference,
        lc_difficulty=lc_difficulty, workspace=workspace,
    ).to_dict()  # fmt: skip
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
        ["criterion weights (log-odds of overall)", crit.get("unavailable") or crit.get("weights_unavailable")
         or ", ".join(f"{w['criterion']} {w['coef']:+.2f} {_ci([w['lower'], w['upper']])}"
                      for w in crit["weights"])]
    )  # fmt: skip
    for r in crit.get("correlations", []):
        ci = _ci([r["lower"], r["upper"]])
        rows.append([f"r({r['criterion']}, overall), {r['model']}", f"{r['r']:+.2f} {ci} ({r['n']} pairs)"])
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
