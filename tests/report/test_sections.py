"""Section builders: what each puts into the report, checked against the analyses they format."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from alignscope.analysis.meta import correlate
from alignscope.published import sos_bench
from alignscope.report.model import Bullets, JudgeInfo, Plot, Table, Text
from alignscope.report.sections import (
    cell,
    correlation_frame,
    dissection_blocks,
    frame_table,
    meta_analysis_blocks,
    sos_bench_blocks,
)


@pytest.fixture(scope="module")
def synthetic_meta():
    """Judge A ranks models exactly as knowledge does; judge B reverses it; safety is noise."""
    rng = np.random.default_rng(1)
    knowledge = np.linspace(0, 1, 12)
    scores = pd.DataFrame(
        {
            "judge:a": knowledge * 10 + 3,
            "judge:b": -knowledge,
            "knowledge": knowledge,
            "safety": rng.random(12),
        },
        index=[f"m{i}" for i in range(12)],
    )
    return correlate(scores, ["judge:a", "judge:b"], ["knowledge", "safety"], n_boot=500, seed=0)


def test_cell_turns_numpy_and_missing_values_into_plain_cells():
    assert cell(np.float64(0.5)) == 0.5 and isinstance(cell(np.int64(3)), int)
    assert cell(np.nan) is None and cell(pd.NA) is None and cell(np.bool_(True)) is True
    assert cell("x") == "x"


def test_frame_table_keeps_index_as_first_column_and_values_in_order():
    frame = pd.DataFrame({"score": [0.1, np.nan]}, index=pd.Index(["a", "b"]))
    table = frame_table(frame, "My Table!", "cap", index="model")
    assert table.name == "my_table" and table.columns == ["model", "score"]
    assert table.rows == [["a", 0.1], ["b", None]]


def test_meta_analysis_blocks_hold_verdicts_table_heatmap_and_one_scatter_per_pair(synthetic_meta):
    blocks = meta_analysis_blocks(synthetic_meta, "demo")
    verdicts = next(b for b in blocks if isinstance(b, Bullets))
    assert len(verdicts.items) == 4
    assert "a tracks knowledge: yes at 95%" in verdicts.items[0]
    assert "b tracks knowledge: no at 95%" in verdicts.items[2]
    table = next(b for b in blocks if isinstance(b, Table))
    assert len(table.rows) == 4
    row = dict(zip(table.columns, table.rows[0], strict=True))
    assert row["spearman"] == pytest.approx(1.0) and row["kendall"] == pytest.approx(1.0)
    assert row["n"] == 12 and row["spearman CI low"] <= row["spearman"] <= row["spearman CI high"]
    plots = [b.name for b in blocks if isinstance(b, Plot)]
    assert plots[0] == "demo_heatmap" and len(plots) == 1 + 4


def test_meta_analysis_blocks_draw_only_the_chosen_scatters(synthetic_meta):
    blocks = meta_analysis_blocks(
        synthetic_meta, "demo", scatter_pairs=[("judge:b", "safety"), ("nope", "x")]
    )
    assert [b.name for b in blocks if isinstance(b, Plot)] == ["demo_heatmap", "demo_scatter_judge_b_safety"]


def test_correlation_frame_matches_scipy(synthetic_meta):
    frame = correlation_frame(synthetic_meta)
    s = synthetic_meta.scores
    row = frame[(frame["judge-based score"] == "b") & (frame["concrete score"] == "safety")].iloc[0]
    assert row["spearman"] == pytest.approx(stats.spearmanr(s["judge:b"], s["safety"])[0])
    assert row["kendall"] == pytest.approx(stats.kendalltau(s["judge:b"], s["safety"])[0])


def test_sos_bench_blocks_list_matching_unmatched_names_and_the_judge():
    analysis = sos_bench.analyse(n_boot=200, seed=0)
    blocks = sos_bench_blocks(analysis)
    judge = next(b for b in blocks if isinstance(b, JudgeInfo))
    assert "gpt-4-0314" in judge.baseline
    matching = next(b for b in blocks if isinstance(b, Table) and b.name == "sos_bench_name_matching")
    assert len(matching.rows) == len(analysis.match.pairs)
    assert matching.rows[[r[0] for r in matching.rows].index("Llama-3-8B")][:2] == [
        "Llama-3-8B",
        "Llama-3-8B-base",
    ]
    unmatched = next(
        b for b in blocks if isinstance(b, Bullets) and b.title.startswith("Names that could not")
    )
    for name in analysis.match.unmatched_left:
        assert f"only in eleuther_wandb.csv: {name}" in unmatched.items
    for name in analysis.match.unmatched_right:
        assert f"only in arena_hard_auto.csv: {name}" in unmatched.items
    scatters = [b.name for b in blocks if isinstance(b, Plot) and "scatter" in b.name]
    assert len(scatters) == 3
    text = " ".join(b.text for b in blocks if isinstance(b, Text))
    r_if = analysis.meta.get("arena_hard", "instruction_following", "pearson").estimate
    assert f"instruction following {r_if:+.2f}" in text


def test_dissection_blocks_report_the_human_vs_gpt4_turbo_findings():
    from alignscope.analysis.dissection.released import GPT4_TURBO, HUMAN, load_released_weights

    blocks = dissection_blocks(load_released_weights(), HUMAN, GPT4_TURBO)
    findings = next(b for b in blocks if isinstance(b, Bullets)).items
    assert "human and gpt-4-1106-preview" in findings[0] and findings[0].endswith(": 0.74")
    assert "admit limitations" in findings[2]  # humans dislike admitting limitations (score < 50)
    table = next(b for b in blocks if isinstance(b, Table))
    by_property = {row[0]: row for row in table.rows}
    human, gpt4 = by_property["no_severe_errors"][1:3]
    assert gpt4 > human  # GPT-4-Turbo weighs "no severe errors" more than humans
    assert {b.name for b in blocks if isinstance(b, Plot)} == {
        "dissection_preference_scores",
        "dissection_similarity",
    }
