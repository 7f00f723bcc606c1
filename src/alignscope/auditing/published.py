"""The published part of the audit: analyses of result files that ship with alignscope (no model calls).

Each part returns a report Section and a JSON-ready result; a part whose analysis fails on the shipped data
raises (the shipped files are fixed, so a failure is a bug, not a user error).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from alignscope.report.model import Block, Section


@dataclass
class Part:
    """One analysed part of the audit: its report section and its machine-readable result."""

    section: Section
    result: dict[str, Any]


def published_part(
    section_id: str, title: str, source: str, blocks: list[Block], result: dict[str, Any]
) -> Part:
    """A Part whose section is marked as published data (no model calls) from ``source``."""
    section = Section(id=section_id, title=title, origin="published", source=source, blocks=blocks)
    return Part(section, result)


def sos_bench_part(*, n_boot: int, level: float, seed: int) -> Part:
    """SOS-Bench: the Arena-Hard-Auto judge score against the three factors of 8B fine-tunes, and what in the
    models' training drives each."""
    from alignscope.published import sos_bench
    from alignscope.report.drivers import release_drivers_blocks
    from alignscope.report.sections import sos_bench_blocks

    analysis = sos_bench.analyse(n_boot=n_boot, level=level, seed=seed)
    result = analysis.meta.to_dict() | {
        "matched": [list(p) for p in analysis.match.pairs],
        "unmatched_factor_file": analysis.match.unmatched_left,
        "unmatched_judge_file": analysis.match.unmatched_right,
        "drivers": {key: d.to_dict() for key, d in analysis.drivers.items()},
    }
    metadata = sos_bench.read_metadata()
    blocks = [*sos_bench_blocks(analysis), *release_drivers_blocks(analysis.drivers, metadata)]
    return published_part(
        "published-sos-bench",
        "SOS-Bench: does Arena-Hard-Auto track world knowledge, instruction following, safety?",
        "penfever/sos-bench release (eleuther_wandb.csv, arena_hard_auto.csv), Apache-2.0",
        blocks,
        result,
    )


def alpaca_benchmarks_part(*, n_boot: int, level: float, seed: int) -> Part:
    """AlpacaEval benchmarks.csv + AlpacaEval 2 leaderboard: which judge benchmarks track which measures."""
    from alignscope.published import alpaca_benchmarks
    from alignscope.report.sections import alpaca_benchmarks_blocks

    analysis = alpaca_benchmarks.analyse(n_boot=n_boot, level=level, seed=seed)
    result = analysis.meta.to_dict() | {"unmatched_leaderboard": analysis.match.unmatched_left}
    return published_part(
        "published-alpaca-benchmarks",
        "AlpacaEval's benchmark table: which judge-based benchmarks track which concrete measures?",
        "tatsu-lab/alpaca_eval: notebooks/benchmarks.csv, weighted_alpaca_eval_gpt4_turbo leaderboard",
        alpaca_benchmarks_blocks(analysis),
        result,
    )


def dissection_part(*, n_boot: int, level: float, seed: int) -> Part:
    """The released preference-dissection weights: humans vs GPT-4-Turbo, and similarity to humans by judge
    size."""
    from alignscope.analysis.dissection import compare
    from alignscope.analysis.dissection.findings import similarity_by_size_group
    from alignscope.analysis.dissection.released import GPT4_TURBO, HUMAN, load_released_weights
    from alignscope.report.sections import dissection_blocks

    weights = load_released_weights()
    sizes = [
        similarity_by_size_group(weights, split=split, n_boot=n_boot, level=level, seed=seed)
        for split in ("paper", "fine")
    ]
    result = {
        "similarity_human_gpt4_turbo": compare.profile_similarity(weights, HUMAN, GPT4_TURBO),
        "compare": compare.compare_sources(weights, HUMAN, GPT4_TURBO).to_dict(orient="records"),
        "similarity_by_size": {
            f.split: {"groups": f.groups.to_dict(orient="records"), "difference": f.difference} for f in sizes
        },
    }
    return published_part(
        "published-dissection",
        "Preference dissection: what humans and GPT-4-Turbo reward",
        "GAIR-NLP/Preference-Dissection released fitted weights (CC BY-NC 4.0)",
        dissection_blocks(weights, HUMAN, GPT4_TURBO, sizes),
        result,
    )


def alpaca_judge_audit_part(*, n_boot: int, level: float, seed: int) -> Part:
    """The judge audit of AlpacaEval's shipped GPT-4-Turbo annotations: length bias and verbosity gaming,
    from the judge-results service with AlpacaEval's own instruction difficulty."""
    from alignscope.analysis.judge_checks import audit_judge
    from alignscope.analysis.judgment_tables import shipped_tables
    from alignscope.analysis.leaderboard import judge_leaderboard
    from alignscope.auditing.live import slope_summary
    from alignscope.data.formats import alpaca_eval_results as ae
    from alignscope.report.sections import alpaca_judge_audit_blocks

    tables = shipped_tables("alpaca_eval")
    board = judge_leaderboard(tables, lc_difficulty="alpaca_eval", ratings=False)
    rates = board.rates
    audit = audit_judge(tables, rates, level=level, parts=("length_bias", "verbosity_gaming"))
    if audit.length is None or audit.gaming is None:
        raise RuntimeError(f"shipped AlpacaEval annotations: {audit.unavailable}")
    gaming, slope, pairs = audit.gaming, audit.length, tables.pairs
    published = ae.bundled_leaderboard()
    lengths = pairs.groupby("model")["len_model"].mean()
    differing = (rates["lc_win_rate"] - published["length_controlled_winrate"].reindex(rates.index)).abs()
    notes = [
        *board.notes,
        f"Largest gap between the recomputed and the published LC win rate: {differing.idxmax()} "
        f"({differing.max():.1f} points). AlpacaEval also regularises each fit with its gamed-baseline "
        "annotations, which are not shipped; models whose answer lengths barely vary depend on them most.",
    ]
    result = {
        "lc": board.lc_summary(),
        "rates": rates.reset_index().to_dict(orient="records"),
        "gameability": gaming.gameability,
        "families": gaming.families.reset_index().to_dict(orient="records"),
        "length_bias": slope_summary(slope),
        "notes": notes,
    }
    return published_part(
        "published-alpaca-judge-audit",
        "Judge audit of AlpacaEval 2's GPT-4-Turbo judge: length bias and verbosity gaming",
        "tatsu-lab/alpaca_eval shipped annotations of 40 models (weighted_alpaca_eval_gpt4_turbo)",
        alpaca_judge_audit_blocks(rates, published, gaming, slope, lengths, notes),
        result,
    )


PUBLISHED_PARTS: dict[str, Callable[..., Part]] = {
    "sos_bench": sos_bench_part,
    "alpaca_benchmarks": alpaca_benchmarks_part,
    "alpaca_judge_audit": alpaca_judge_audit_part,
    "dissection": dissection_part,
}
