"""The dissection part of the report with the size finding on the released weights: its bullets and table
say what ``similarity_by_size_group`` computed, and the published audit part carries both splits."""

from __future__ import annotations

from alignscope.analysis.dissection.findings import similarity_by_size_group
from alignscope.analysis.dissection.released import GPT4_TURBO, HUMAN, load_released_weights
from alignscope.auditing.published import dissection_part
from alignscope.report.model import Bullets, Table
from alignscope.report.sections import dissection_blocks, size_finding_blocks


def test_size_finding_blocks_report_the_groups_and_their_difference() -> None:
    finding = similarity_by_size_group(load_released_weights(), n_boot=300)
    bullets, table = size_finding_blocks(finding)
    assert isinstance(bullets, Bullets) and isinstance(table, Table)
    small, large = finding.groups.to_dict(orient="records")
    assert bullets.items[0].startswith(f"<=14B: {small['similarity']:.3f} [{small['lower']:.3f}, ")
    assert bullets.items[1].endswith(f"over {large['judges']} judges")
    d = finding.difference
    assert bullets.items[2] == (
        f">=30B - <=14B: {d['difference']:+.3f}, 95% interval [{d['lower']:.3f}, {d['upper']:.3f}]"
    )
    assert table.name == "dissection_sizes_paper" and len(table.rows) == 2
    blocks = dissection_blocks(load_released_weights(), HUMAN, GPT4_TURBO, [finding])
    assert any(isinstance(b, Table) and b.name == "dissection_sizes_paper" for b in blocks)


def test_published_dissection_part_has_both_size_splits() -> None:
    part = dissection_part(n_boot=200, level=0.95, seed=0)
    sizes = part.result["similarity_by_size"]
    assert any(isinstance(b, Table) and b.name == "dissection_sizes_fine" for b in part.section.blocks)
    assert [g["group"] for g in sizes["paper"]["groups"]] == ["<=14B", ">=30B"]
    assert len(sizes["fine"]["groups"]) == 4 and sizes["paper"]["difference"]["lower"] > 0
