"""``alignscope dissect compare``: two preference profiles side by side (similarity, per-property scores, each
one's most and least preferred properties) and, with --matrix, the similarity of every pair of sources."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from alignscope.cli.common import JsonOpt, emit_json, out_console, print_table
from alignscope.cli.dissect.shared import OutOpt, ScenarioOpt, WeightsOpt, load_weights, write_result


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
    json_out: JsonOpt = False,
) -> None:
    """Compare two preference profiles: similarity (Pearson r of the weights, averaged over scenarios) and
    the properties each prefers more."""
    from alignscope.analysis.dissection.compare import compare_sources, profile_similarity, scenarios_in

    frame = load_weights(weights)
    chosen = scenarios_in(frame, scenario)
    similarity = profile_similarity(frame, source_a, source_b, chosen)
    table = compare_sources(frame, source_a, source_b, chosen)
    score_a, score_b = f"score_{source_a}", f"score_{source_b}"
    print_table(
        f"{source_a} vs {source_b}: similarity {similarity:.3f} (Pearson r of weights, mean over "
        f"{len(chosen)} scenarios); scores 0-100, 50 = indifferent",
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
    result: dict[str, Any] = {
        "source_a": source_a,
        "source_b": source_b,
        "scenarios": chosen,
        "similarity": similarity,
        "properties": table.to_dict(orient="records"),
        "top": {s: _ends(table, f"score_{s}", top) for s in (source_a, source_b)},
    }
    if matrix:
        result |= _matrix_analyses(frame, chosen, json_out)
    if out is not None:
        result["files"] = _write_compare(out, frame, table, (source_a, source_b), chosen, result)
    if json_out:
        emit_json(result)
        return
    for s in (source_a, source_b):
        ends = result["top"][s]
        out_console.print(f"{s}: most preferred {', '.join(ends['most'])}; least {', '.join(ends['least'])}")


def _ends(table: pd.DataFrame, column: str, k: int) -> dict[str, list[str]]:
    ranked = table.sort_values(column, ascending=False)["property"].tolist()
    return {"most": ranked[:k], "least": ranked[::-1][:k]}


def _matrix_analyses(frame: pd.DataFrame, chosen: list[str], json_mode: bool) -> dict[str, Any]:
    """The similarity matrix of all sources, its summary by judge size, and pretrained vs chat models."""
    from alignscope.analysis.dissection.compare import base_vs_chat, similarity_by_size, similarity_matrix
    from alignscope.analysis.dissection.released import BASE_CHAT_PAIRS, MODEL_SIZES_B

    sim = similarity_matrix(frame, scenarios=chosen)
    names = list(sim.index)
    print_table(
        "profile similarity",
        ["source", *names],
        [[n, *sim.loc[n].tolist()] for n in names],
        json_mode=json_mode,
    )
    out: dict[str, Any] = {"similarity_matrix": {n: sim.loc[n].to_dict() for n in names}}
    if any(n in MODEL_SIZES_B for n in names):
        by_size = similarity_by_size(sim, MODEL_SIZES_B)
        print_table(
            "similarity by judge size (billions)",
            ["size", *by_size.columns],
            [[i, *by_size.loc[i].tolist()] for i in by_size.index],
            json_mode=json_mode,
        )
        out["similarity_by_size"] = {i: by_size.loc[i].to_dict() for i in by_size.index}
    pairs = [(b, c) for b, c in BASE_CHAT_PAIRS if b in names and c in names]
    if pairs:
        base_chat = base_vs_chat(sim, pairs)
        print_table(
            "pretrained vs chat model",
            list(base_chat.columns),
            base_chat.values.tolist(),
            json_mode=json_mode,
        )
        out["base_vs_chat"] = base_chat.to_dict(orient="records")
    return out


def _write_compare(
    out: Path,
    frame: pd.DataFrame,
    table: pd.DataFrame,
    sources: tuple[str, str],
    chosen: list[str],
    result: dict[str, Any],
) -> list[str]:
    """compare.json, a bar chart of both sources' scores and the similarity heat map of all sources."""
    from alignscope.analysis.dissection.compare import similarity_matrix
    from alignscope.analysis.dissection.plots import preference_bar_chart, similarity_heatmap

    out.mkdir(parents=True, exist_ok=True)
    scores, heatmap = out / "scores.svg", out / "similarity.svg"
    scores.write_text(
        preference_bar_chart(
            {s: table[f"score_{s}"] for s in sources},
            table["property"].tolist(),
            title=f"preference scores, mean over {len(chosen)} scenarios",
        ),
        encoding="utf-8",
    )
    heatmap.write_text(
        similarity_heatmap(similarity_matrix(frame, scenarios=chosen), title="profile similarity"), "utf-8"
    )
    return write_result(out / "compare.json", result, [scores, heatmap])
