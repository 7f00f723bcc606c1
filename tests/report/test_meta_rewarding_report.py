"""The Meta-Rewarding report: judged vs concrete verdicts per iteration from known metrics, plots,
escaping."""

from __future__ import annotations

from typing import Any

from alignscope.report.html import render_html
from alignscope.report.meta_rewarding import iteration_verdicts, meta_rewarding_report

SCRIPT = "<script>window.__xss=1</script>"


def _group(value: float, low: float, high: float) -> dict[str, Any]:
    return {"value": value, "ci": [low, high]}


def _metrics() -> list[dict[str, Any]]:
    """Iteration 1 is judged better and 50% longer but no better on the concrete factor; iteration 2 is
    judged worse and really better on it."""
    return [
        {
            "iteration": 0,
            "model": "seed",
            "mean_length_chars": 200.0,
            "concrete": {"groups": {"world_knowledge": _group(0.30, 0.25, 0.35)}},
        },
        {
            "iteration": 1,
            "model": f"iter1{SCRIPT}",
            "responses": 64,
            "actor_pairs": 16,
            "judge_pairs": 3,
            "win_rate": 70.0,
            "win_rate_se": 2.0,
            "lc_win_rate": 52.0,
            "lc_win_rate_se": 3.0,
            "mean_length_chars": 300.0,
            "concrete": {"groups": {"world_knowledge": _group(0.31, 0.26, 0.36)}},
            "notes": [f"a note {SCRIPT}"],
        },
        {
            "iteration": 2,
            "model": "iter2",
            "responses": 64,
            "actor_pairs": 15,
            "judge_pairs": 0,
            "win_rate": 40.0,
            "win_rate_se": 2.0,
            "lc_win_rate": None,
            "mean_length_chars": 180.0,
            "concrete": {"groups": {"world_knowledge": _group(0.50, 0.45, 0.55)}},
        },
    ]


def test_verdicts_separate_judged_from_concrete_change() -> None:
    lines = iteration_verdicts(_metrics())
    one = [line for line in lines if line.startswith("iteration 1")]
    two = [line for line in lines if line.startswith("iteration 2")]
    assert "win rate 70.0 (95% CI 66.1 to 73.9): judged better than the seed" in one[0]
    assert one[1].endswith("LC win rate 52.0 (95% CI 46.1 to 57.9): no judged difference from the seed")
    assert one[2].endswith("answers 300 characters, +50% vs seed")
    assert one[3].endswith("no concrete change shown")
    assert two[0].endswith("judged worse than the seed")
    assert two[1].endswith("LC win rate: not measured")
    assert two[3].endswith(
        "world_knowledge 50.0 (95% CI 45.0 to 55.0) vs seed 30.0: really better (intervals apart)"
    )


def test_report_has_its_plots_and_escapes_model_text() -> None:
    report = meta_rewarding_report(_metrics(), {"model": "seed-model"}, {"run": "r1"})
    assert report.title.startswith("alignscope Meta-Rewarding")
    plots = [b.name for s in report.sections for b in s.blocks if b.kind == "plot"]
    assert plots == ["judged_win_rates", "concrete_factors", "answer_length"]
    (table,) = report.tables()
    assert table.rows[1][:5] == [1, f"iter1{SCRIPT}", 64, None, 16]  # counts stay integers
    html = render_html(report)
    assert SCRIPT not in html and "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert meta_rewarding_report(_metrics(), {"self_rewarding": True}, {}).title.startswith(
        "alignscope Self-Rewarding"
    )
