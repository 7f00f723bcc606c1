"""``alignscope dissect sizes`` and ``dissect strength``: the original's findings on judge size (similarity
to humans by size group, with intervals over scenarios) and on preference strength (a base judge's
|P(A) - P(B)| against its aligned model's, on the same pairs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import typer

from alignscope.api.dissect import load_weights, write_result
from alignscope.cli import options as opt
from alignscope.cli.common import emit_json, open_store, out_console, print_table
from alignscope.cli.dissect.shared import OutOpt, ScenarioOpt, WeightsOpt
from alignscope.cli.option_groups import with_groups
from alignscope.errors import ConfigError


@dataclass(frozen=True)
class IntervalOptions:
    """``--bootstrap``, ``--level`` and ``--seed`` of the findings' bootstrap intervals."""

    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples of the intervals.")] = 2000
    level: Annotated[float, typer.Option(help="Interval level.")] = 0.95
    seed: opt.Seed = 0

    def keywords(self) -> dict[str, Any]:
        """The ``n_boot``, ``level`` and ``seed`` keywords of the findings' analyses."""
        return {"n_boot": self.bootstrap, "level": self.level, "seed": self.seed}


@with_groups(intervals=IntervalOptions)
def sizes(
    weights: WeightsOpt = None,
    reference: Annotated[str, typer.Option(help="Source the judges are compared with.")] = "human",
    split: Annotated[
        str, typer.Option(help="paper (<=14B vs >=30B) or fine (6-7B, 13-14B, 34B, 56-72B).")
    ] = "paper",
    scenario: ScenarioOpt = None,
    intervals: IntervalOptions = IntervalOptions(),
    out: OutOpt = None,
    json_out: opt.Json = False,
) -> None:
    """Similarity of each judge size group's preference profiles to humans', with scenario-bootstrap CIs."""
    from alignscope.analysis.dissection.findings import similarity_by_size_group

    finding = similarity_by_size_group(
        load_weights(weights), reference=reference, split=split, scenarios=scenario, **intervals.keywords()
    )
    pct = f"{intervals.level:.0%}"
    print_table(
        f"similarity to {reference} by judge size ({split} split; Pearson r of weights, mean over "
        f"{len(finding.scenarios)} scenarios; {pct} intervals resample scenarios)",
        ["size group", "judges", "similarity", f"{pct} interval"],
        [
            [r["group"], r["judges"], r["similarity"], f"[{r['lower']:.3f}, {r['upper']:.3f}]"]
            for r in finding.groups.to_dict(orient="records")
        ],
        json_mode=json_out,
    )
    d = finding.difference
    if d and not json_out:
        out_console.print(
            f"{d['larger']} - {d['smaller']}: {d['difference']:+.3f}, {pct} interval "
            f"[{d['lower']:.3f}, {d['upper']:.3f}]; judges without a known size: "
            f"{', '.join(finding.unsized) or 'none'}"
        )
    result = {
        "reference": reference,
        "split": split,
        "scenarios": finding.scenarios,
        "level": intervals.level,
        "groups": finding.groups.to_dict(orient="records"),
        "difference": d,
        "unsized": finding.unsized,
    }
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        result["files"] = write_result(out / "sizes.json", result, [])
    if json_out:
        emit_json(result)


@with_groups(intervals=IntervalOptions)
def strength(
    run: Annotated[list[str], typer.Option("--run", help="Run holding the judges' verdicts; repeatable.")],
    base: Annotated[str, typer.Option(help="Label of the pretrained (base) judge.")],
    aligned: Annotated[str, typer.Option(help="Label of the aligned judge.")],
    intervals: IntervalOptions = IntervalOptions(),
    out: OutOpt = None,
    workspace: opt.Workspace = None,
    json_out: opt.Json = False,
) -> None:
    """Preference strength |P(A) - P(B)| of a base judge and its aligned model (logprob verdicts) on the same
    pairs: paired mean difference with a bootstrap CI and the Wilcoxon signed-rank test."""
    from alignscope.analysis.dissection.findings import preference_strength

    if not run:
        raise ConfigError("give at least one --run holding the two judges' verdicts")
    store = open_store(workspace)
    judgments: list[Any] = []
    for rid in run:
        store.get_run(rid)
        judgments += store.records("judgments", rid)
    finding = preference_strength(judgments, base, aligned, **intervals.keywords())
    pct = f"{intervals.level:.0%}"
    print_table(
        f"preference strength |P(A) - P(B)| on {finding.n} pairs judged by both",
        ["judge", "mean", "median", "quartiles", "share > 0.5"],
        [
            [r["judge"], r["mean"], r["median"], f"[{r['q25']:.3f}, {r['q75']:.3f}]", r["share_above_0_5"]]
            for r in finding.summary.to_dict(orient="records")
        ],
        json_mode=json_out,
    )
    if not json_out:
        out_console.print(
            f"{aligned} - {base}: {finding.difference:+.3f}, {pct} interval [{finding.lower:.3f}, "
            f"{finding.upper:.3f}]; Wilcoxon signed-rank p = {finding.p_value:.3g}"
        )
    result = finding.to_dict() | {"runs": run}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        pairs = out / "strength_pairs.parquet"
        finding.pairs.to_parquet(pairs, index=False)
        result["files"] = write_result(out / "strength.json", result, [pairs])
    if json_out:
        emit_json(result)
