"""The report of ``alignscope evaluate``: the one table (per model, each benchmark's score with its CI,
answer length, factor scores), each benchmark's details, and the judge with how far its numbers compare with
the published ones. Formatting only: it reads the result of
:func:`alignscope.evaluation.run.evaluate_models`."""

from __future__ import annotations

from typing import Any

from alignscope.evaluation.table import summary_table, with_ci
from alignscope.report.model import Block, Bullets, Report, Section, Table
from alignscope.report.sections import cell, note


def _detail_table(name: str, protocol: dict[str, Any], rows: list[dict[str, Any]]) -> Table:
    columns = ["model", protocol["score"], "n", "unparsed", "answer chars"]
    extra: list[tuple[str, str, str | None]] = []
    if name == "alpaca_eval":
        extra = [("win rate", "win_rate", "win_rate_ci")]
    elif name == "arena_hard":
        extra = [("rating", "rating", "rating_ci"), ("style-controlled win rate", "score_sc", "ci_sc"),
                 ("style-controlled rating", "rating_sc", None)]  # fmt: skip
    elif name == "mt_bench":
        extra = [("turn 1", "turn1", None), ("turn 2", "turn2", None)]
    body = []
    for r in rows:
        line = [r["model"], with_ci(r.get("score"), r.get("ci")), r.get("n"), r.get("n_failed")]
        line.append(f"{r['length_chars']:.0f}" if r.get("length_chars") is not None else "-")
        for _, key, ci in extra:
            value = r.get("turns", {}).get(key[-1]) if key.startswith("turn") else r.get(key)
            line.append(with_ci(value, r.get(ci) if ci else None))
        body.append([cell(v) for v in line])
    return Table(
        name=f"{name}-scores",
        caption=f"{protocol['title']}: {protocol['protocol']}.",
        columns=[*columns, *(title for title, _, _ in extra)],
        rows=body,
    )


def _benchmark_blocks(result: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = []
    for name, protocol in result["protocols"].items():
        rows = [r for r in result["rows"] if r["benchmark"] == name]
        blocks.append(_detail_table(name, protocol, rows))
        if protocol["deviations"]:
            blocks.append(Bullets(title=f"{protocol['title']}: deviations", items=protocol["deviations"]))
    return blocks


def _factor_blocks(result: dict[str, Any]) -> list[Block]:
    if not result.get("tasks"):
        return []
    rows = [
        [cell(t["model"]), cell(t["task"]), cell(t["metric"]), cell(with_ci(t["value"], t["ci"], 3)),
         cell(t["n"]), cell(t["n_failed"])]
        for t in result["tasks"]
    ]  # fmt: skip
    return [
        note("Factor scores: the SOS-Bench tasks' normalised scores (0 = chance, 100 = best), per factor."),
        Table(
            name="sos-tasks",
            caption="SOS-Bench tasks",
            rows=rows,
            columns=["model", "task", "metric", "value [95% CI]", "n", "failed"],
        ),  # fmt: skip
    ]


def judge_lines(result: dict[str, Any]) -> list[str]:
    """The judge, each benchmark's comparability with its published numbers, and the LC policy used."""
    judge = result["judge"]
    lines = [f"judge: {judge['name']} ({judge['backend']}:{judge['model']}) for every judged benchmark"]
    lines += [p["comparability"] for p in result["protocols"].values()]
    if judge["name"] in result["models"]:
        lines.append(
            f"the judge {judge['name']} also answers as an evaluated model: its own answers may gain from "
            "self-preference"
        )
    for r in result["rows"]:
        lc = r.get("lc_difficulty")
        if lc:
            used = "; ".join(f"{d['source']} ({d['detail']})" for d in lc["difficulty"]) or "not fitted"
            lines.append(f"AlpacaEval 2 LC win rate: difficulty policy {lc['policy']}: {used}")
            break
    return lines


def evaluation_report(result: dict[str, Any], facts: dict[str, str]) -> Report:
    """The report of one evaluation ``result``."""
    columns, body = summary_table(result)
    table = Table(
        name="evaluation",
        caption="Per model: each benchmark's score [95% CI], mean answer characters, factor scores x 100.",
        columns=columns,
        rows=[[cell(v) for v in line] for line in body],
    )
    judge: list[Block] = [Bullets(title="Judge and comparability", items=judge_lines(result))]
    if result["notes"]:
        judge.append(Bullets(title="Notes", items=result["notes"]))
    sections = [
        Section(id="leaderboard", title="Leaderboard", origin="live", blocks=[table]),
        Section(id="judge", title="Judge", origin="live", blocks=judge),
        Section(id="benchmarks", title="Benchmarks", origin="live", blocks=_benchmark_blocks(result)),
    ]
    factors = _factor_blocks(result)
    if factors:
        sections.append(Section(id="factors", title="Concrete factors", origin="live", blocks=factors))
    return Report(
        title="alignscope evaluate",
        subtitle=f"{len(result['models'])} model(s), judge {result['judge']['name']}",
        facts=facts,
        sections=sections,
    )
