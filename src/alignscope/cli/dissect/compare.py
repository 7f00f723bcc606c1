"""``alignscope dissect compare``: two preference profiles side by side (similarity, per-property scores, each
one's most and least preferred properties) and, with --matrix, the similarity of every pair of sources."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from alignscope.api.dissect import compare as compare_profiles
from alignscope.cli import options as opt
from alignscope.cli.common import emit_json, out_console, print_table
from alignscope.cli.dissect.shared import OutOpt, ScenarioOpt, WeightsOpt


def compare(
    source_a: Annotated[str, typer.Option("--a", help="First source.")] = "human",
    source_b: Annotated[str, typer.Option("--b", help="Second source.")] = "gpt-4-1106-preview",
    weights: WeightsOpt = None,
    scenario: ScenarioOpt = None,
    top: Annotated[int, typer.Option(help="Most and least preferred properties shown per source.")] = 3,
    matrix: Annotated[
        bool,
        typer.Option("--matrix", help="Also the similarity of every pair of sources, by size and base/chat."),
    ] = False,
    out: OutOpt = None,
    json_out: opt.Json = False,
) -> None:
    """Compare two preference profiles: similarity (Pearson r of the weights, averaged over scenarios) and
    the properties each prefers more."""
    result = compare_profiles(
        source_a, source_b, weights=weights, scenario=scenario, top=top, matrix=matrix, out=out
    )
    data = result.to_dict()
    table = result.properties
    score_a, score_b = f"score_{source_a}", f"score_{source_b}"
    print_table(
        f"{source_a} vs {source_b}: similarity {result.similarity:.3f} (Pearson r of weights, mean over "
        f"{len(data['scenarios'])} scenarios); scores 0-100, 50 = indifferent",
        ["property", source_a, source_b, "difference", "scenarios higher"],
        [
            [
                r["property"],
                r[score_a],
                r[score_b],
                r["difference"],
                f"{r['scenarios_a_higher']}/{r['scenarios']}",
            ]
            for _, r in table.iterrows()
        ],
        json_mode=json_out,
    )
    if matrix:
        _print_matrix(data, json_out)
    if json_out:
        emit_json(data)
        return
    for s in (source_a, source_b):
        ends = data["top"][s]
        out_console.print(f"{s}: most preferred {', '.join(ends['most'])}; least {', '.join(ends['least'])}")


def _print_matrix(data: dict[str, Any], json_mode: bool) -> None:
    """The similarity matrix of all sources, by judge size, and pretrained vs chat models."""
    sim = data["similarity_matrix"]
    names = list(sim)
    print_table("profile similarity", ["source", *names], [[n, *(sim[n][m] for m in names)] for n in names],
                json_mode=json_mode)  # fmt: skip
    if "similarity_by_size" in data:
        by_size = data["similarity_by_size"]
        columns = list(next(iter(by_size.values())))
        rows = [[i, *(row[c] for c in columns)] for i, row in by_size.items()]
        print_table("similarity by judge size (billions)", ["size", *columns], rows, json_mode=json_mode)
    if "base_vs_chat" in data:
        rows = data["base_vs_chat"]
        columns = list(rows[0]) if rows else []
        print_table("pretrained vs chat model", columns, [[r[c] for c in columns] for r in rows],
                    json_mode=json_mode)  # fmt: skip
