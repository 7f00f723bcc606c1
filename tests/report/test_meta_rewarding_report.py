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
    table, _ = report.tables()
    assert table.rows[1][:5] == [1, f"iter1{SCRIPT}", 64, None, 16]  # counts stay integers
    html = render_html(report)
    assert SCRIPT not in html and "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert meta_rewarding_report(_metrics(), {"self_rewarding": True}, {}).title.startswith(
        "alignscope Self-Rewarding"
    )


def _benchmarks(model: str, lc: float, mt: float, chars: float, kn: float) -> dict[str, Any]:
    """An ``evaluate_models`` result of one model on AlpacaEval 2 and MT-Bench with one factor."""
    return {
        "judge": {"name": "judge-m", "model": "judge-m", "backend": "hf"},
        "models": [model],
        "benchmarks": ["alpaca_eval", "mt_bench", "sos"],
        "rows": [
            {"benchmark": "alpaca_eval", "model": model, "score": lc, "ci": [lc - 5, lc + 5],
             "win_rate": lc + 1, "win_rate_ci": [lc - 4, lc + 6], "length_chars": chars},
            {"benchmark": "mt_bench", "model": model, "score": mt, "ci": [mt - 1, mt + 1],
             "length_chars": chars},
        ],
        "protocols": {"alpaca_eval": {"comparability": "AlpacaEval 2: judged by judge-m, not gpt-4"}},
        "factors": {model: {"world_knowledge": _group(kn, kn - 0.05, kn + 0.05)}},
        "notes": [],
    }  # fmt: skip


def test_report_shows_each_benchmark_per_iteration_and_the_judge_quality() -> None:
    metrics = _metrics()
    for m, (lc, mt, kn) in zip(
        metrics, [(22.9, 5.0, 0.3), (30.5, 5.5, 0.31), (39.4, 6.25, 0.5)], strict=True
    ):
        m["benchmarks"] = _benchmarks(m["model"], lc, mt, 150.0 + 10 * m["iteration"], kn)
    metrics[1] |= {"meta_wins_as_first": 30, "meta_wins_as_second": 10,
                   "judge_agreement": {"accuracy": 0.75, "kappa": 0.5, "n": 8},
                   "judge_position": {"consistency": 0.625, "consistency_ci": [0.3, 0.86],
                                      "first_position_rate": 0.8,
                                      "first_position_ci": [0.55, 0.93]}}  # fmt: skip
    report = meta_rewarding_report(metrics, {"model": "seed-model"}, {"run": "r1"})
    tables = {t.name: t for t in report.tables()}
    bench = tables["benchmarks-per-iteration"]
    assert bench.columns[:4] == ["iteration", "model", "AlpacaEval 2 LC", "AlpacaEval 2 WR"]
    assert [r[0] for r in bench.rows] == [0, 1, 2]
    assert bench.rows[2][2:] == ["39.4 [34.4, 44.4]", "40.4 [35.4, 45.4]", "6.2 [5.2, 7.2]", "170",
                                 "50.0 [45.0, 55.0]"]  # fmt: skip
    quality = tables["judge-quality"]
    assert quality.rows[1][2:] == [16, 3, "0.75 (30 of 40)", "0.75 (kappa 0.50, n 8)", "0.62 [0.30, 0.86]",
                                   "0.80 [0.55, 0.93]"]  # fmt: skip
    assert quality.rows[0][4:] == ["-", "-", "-", "-"]  # the seed trains on no pairs and judges no pairs
    plots = [b.name for s in report.sections for b in s.blocks if b.kind == "plot"]
    assert {"alpaca_eval_per_iteration", "mt_bench_per_iteration"} <= set(plots)
    assert "AlpacaEval 2: judged by judge-m, not gpt-4" in render_html(report)
