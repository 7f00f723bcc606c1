"""The HTML report: escaped text, checked SVG, offline, inert XSS payloads in a real browser (Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from browser import open_report

from alignscope.analysis.meta import correlate
from alignscope.errors import DataError
from alignscope.records import Generation, Item, Message, Provenance
from alignscope.report.html import checked_svg, format_cell, render_html, write_html
from alignscope.report.live_sections import sample_answers_table
from alignscope.report.model import Bullets, JudgeInfo, Plot, Report, Section, Table, Text
from alignscope.report.sections import meta_analysis_blocks
from alignscope.report.svg import bar_chart_svg, scatter_svg

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=2">'


def _answers(payload_model: str) -> tuple[list[Item], list[Generation]]:
    item = Item(id="q1", dataset="demo", messages=[Message(role="user", content=f"Repeat this: {SCRIPT}")])
    gens = [
        Generation(
            item_id="q1",
            dataset="demo",
            model=model,
            text=text,
            provenance=Provenance(model="smollm2-135m", backend="hf"),
        )
        for model, text in (("plain", f"Sure: {SCRIPT} and {IMG}"), (payload_model, f"{IMG}\n**bold** reply"))
    ]
    return [item], gens


def _payload_report() -> Report:
    """A report where payloads reach every kind of block: a model name, an answer, a plot label, a note."""
    rng = np.random.default_rng(0)
    evil = f"evil{SCRIPT}"
    models = ["m1", "m2", "m3", "m4", evil, IMG]
    quality = np.arange(6, dtype=float)
    scores = pd.DataFrame(
        {"judge:wr": quality + rng.normal(0, 0.5, 6), "knowledge": quality, "safety": rng.normal(0, 1, 6)},
        index=pd.Index(models, name="model"),
    )
    meta = correlate(scores, ["judge:wr"], ["knowledge", "safety"], n_boot=200, seed=0)
    items, gens = _answers(evil)
    return Report(
        title=f"Report {SCRIPT}",
        facts={"command": f"alignscope audit {IMG}"},
        sections=[
            Section(
                id="live",
                title=f"Live {IMG}",
                origin="live",
                source=SCRIPT,
                blocks=[
                    JudgeInfo(
                        judge=evil,
                        model="smollm2-135m",
                        template="alpaca-eval",
                        template_hash="abc123",
                        verdict="logprob",
                        sampling={"temperature": 0.0, "max_tokens": 4},
                        baseline="plain",
                    ),
                    sample_answers_table(items, gens),
                    Plot(
                        name="bars",
                        caption=SCRIPT,
                        svg=bar_chart_svg(
                            ["g1", IMG],
                            {evil: ([0.2, 0.4], [0.1, 0.3], [0.3, 0.5])},
                            title=SCRIPT,
                            y_label="score",
                        ),
                    ),
                ],
            ),
            Section(
                id="pub",
                title="Published",
                origin="published",
                source="somewhere",
                blocks=meta_analysis_blocks(meta, "m"),
            ),
            Section(id="user", title="User", origin="user", blocks=[Text(text=IMG), Bullets(items=[SCRIPT])]),
        ],
    )


def test_format_cell_rounds_for_reading_and_marks_missing_values():
    assert format_cell(None) == "\u2013" and format_cell(float("nan")) == "\u2013"
    assert (
        format_cell(0.12345) == "0.123" and format_cell(45.678) == "45.7" and format_cell(1234.5) == "1,234"
    )
    assert format_cell(0.00012) == "1.2e-04" and format_cell(True) == "yes" and format_cell(7) == "7"


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>',
        "<div>not svg</div>",
        "<svg><rect></svg>",
    ],
)
def test_plots_that_could_run_code_or_are_not_svg_are_refused(svg):
    with pytest.raises(DataError):
        checked_svg(svg, "p")
    report = Report(
        title="t", sections=[Section(id="s", title="s", origin="user", blocks=[Plot(name="p", svg=svg)])]
    )
    with pytest.raises(DataError):
        render_html(report)


def test_made_plots_pass_the_check_unchanged():
    svg = scatter_svg([1, 2, 3], [2, 1, 3], labels=[SCRIPT, IMG, "c"], title=SCRIPT, x_label="x", y_label="y")
    assert checked_svg(svg, "s") == svg


def test_rendered_html_escapes_every_text_and_has_no_scripts_or_external_resources():
    html = render_html(_payload_report())
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:|//)", html)
    assert "Content-Security-Policy" in html
    # one banner per origin, saying where the numbers come from
    assert html.count('class="banner origin-live"') == 1
    assert html.count('class="banner origin-published"') == 1
    assert "PUBLISHED DATA: no model was called" in html and "LIVE: computed in this run" in html


def test_judge_provenance_is_shown_with_model_template_hash_and_sampling():
    html = render_html(_payload_report())
    block = html[html.index('class="judge"') :][:1200]
    for expected in (
        "smollm2-135m",
        "alpaca-eval",
        "abc123",
        "logprob",
        "temperature=0.0",
        "max_tokens=4",
        "plain",
    ):
        assert expected in block


def test_report_in_chromium_runs_no_payload_shows_it_as_text_and_draws_every_plot(tmp_path: Path):
    report = _payload_report()
    path = write_html(report, tmp_path / "report.html")
    shot = tmp_path / "report.png"
    seen = open_report(path, screenshot=shot)
    assert seen.errors == []
    assert seen.xss is None
    assert seen.script_elements == 0 and seen.img_elements == 0
    assert SCRIPT in seen.text and IMG in seen.text  # visible, as text
    expected = [b.name for s in report.sections for b in s.blocks if isinstance(b, Plot)]
    assert seen.plot_names == expected and seen.plots_with_svg == len(expected)
    assert all(url.startswith("file://") for url in seen.requests)
    assert shot.stat().st_size > 10_000


def test_tables_render_each_row_and_right_align_numbers():
    table = Table(name="t", columns=["model", "score"], rows=[["a", 0.5], ["b", None], ["c", 2]])
    html = render_html(
        Report(title="t", sections=[Section(id="s", title="s", origin="user", blocks=[table])])
    )
    assert html.count('<td class="num">') == 3
    assert "<td>a</td>" in html and "\u2013" in html


def test_a_numeric_column_shares_one_number_of_decimals():
    table = Table(name="t", columns=["win rate"], rows=[[76.91], [9.622], [2.1]])
    html = render_html(
        Report(title="t", sections=[Section(id="s", title="s", origin="user", blocks=[table])])
    )
    assert [c for c in re.findall(r'<td class="num">([^<]*)</td>', html)] == ["76.9", "9.6", "2.1"]
