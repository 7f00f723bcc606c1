"""SVG plots: well-formed XML, the expected elements, and escaped labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from alignscope.analysis.meta import correlate
from alignscope.published import sos_bench
from alignscope.report.svg import (
    heatmap_svg,
    meta_analysis_heatmap_svg,
    meta_analysis_scatter_svgs,
    scatter_svg,
)

NS = "{http://www.w3.org/2000/svg}"
PAYLOADS = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "a & b"]


def _tags(svg: str) -> list[str]:
    return [el.tag.removeprefix(NS) for el in ET.fromstring(svg).iter()]


def _all_text(svg: str) -> str:
    return " ".join(t for el in ET.fromstring(svg).iter() for t in (el.text, el.tail) if t)


def test_scatter_has_one_point_per_finite_pair_and_a_fitted_line():
    svg = scatter_svg(
        [1, 2, 3, np.nan, 5], [2, 4, 5, 1, np.nan], labels=list("abcde"), title="t", x_label="x", y_label="y"
    )
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert len(root.findall(f".//{NS}circle")) == 3
    fit = root.findall(f".//{NS}line[@class='fit']")
    assert len(fit) == 1
    # the line rises (SVG y grows downwards) because y rises with x
    assert float(fit[0].get("y2")) < float(fit[0].get("y1"))


def test_labels_are_escaped_and_nothing_executable_is_created():
    svg = scatter_svg(
        [1, 2, 3], [3, 1, 2], labels=PAYLOADS, title=PAYLOADS[0], x_label=PAYLOADS[1], y_label=PAYLOADS[2]
    )
    heat = heatmap_svg([[0.5, -0.2]], [PAYLOADS[0]], PAYLOADS[1:], title=PAYLOADS[1])
    for plot in (svg, heat):
        tags = _tags(plot)
        assert "script" not in tags and "img" not in tags
        assert "&lt;script&gt;" in plot and "<script>" not in plot
        assert all("onerror" not in attr for el in ET.fromstring(plot).iter() for attr in el.attrib)
        assert PAYLOADS[0] in _all_text(plot)  # shown as text, intact


def test_heatmap_has_a_cell_per_value_with_its_number():
    svg = heatmap_svg([[0.25, -0.5, np.nan], [1.0, 0.0, -1.0]], ["j1", "j2"], ["a", "b", "c"], title="h")
    root = ET.fromstring(svg)
    assert len(root.findall(f".//{NS}rect[@class='cell']")) == 6
    text = _all_text(svg)
    assert "+0.25" in text and "-0.50" in text and "n/a" in text
    with pytest.raises(ValueError):
        heatmap_svg([[0.1]], ["a", "b"], ["c"], title="bad")


def test_meta_plots_of_the_sos_bench_analysis_show_each_factor_with_its_r():
    meta = sos_bench.analyse(n_boot=200).meta
    scatters = meta_analysis_scatter_svgs(meta)
    assert set(scatters) == {(sos_bench.JUDGE, f) for f in sos_bench.FACTORS}
    for (judge, factor), svg in scatters.items():
        r = meta.get(judge, factor, "pearson").estimate
        title = ET.fromstring(svg).find(f"{NS}title").text
        assert f"r = {r:+.2f}" in title and "n = 32" in title
        assert len(ET.fromstring(svg).findall(f".//{NS}circle")) == 32
    heat = ET.fromstring(meta_analysis_heatmap_svg(meta))
    assert len(heat.findall(f".//{NS}rect[@class='cell']")) == 3


def test_pairs_without_an_estimate_get_no_scatter():
    scores = pd.DataFrame(
        {"judge:a": [1.0, 2.0, 3.0, 4.0, 5.0], "varies": [2.0, 1.0, 4.0, 3.0, 5.0], "constant": [0.5] * 5},
        index=list("abcde"),
    )
    meta = correlate(scores, ["judge:a"], ["varies", "constant"], n_boot=200)
    assert set(meta_analysis_scatter_svgs(meta)) == {("judge:a", "varies")}
