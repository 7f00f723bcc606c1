"""`alignscope data list` and `alignscope data add NAME PATH` for the sets the user brings."""

from __future__ import annotations

import json
from pathlib import Path

from alignscope.data.byo import added_sources

FIXTURES = Path(__file__).parents[1] / "data" / "byo"


def test_data_add_and_list_cli(cli, own_data_dir: Path, tmp_path: Path) -> None:
    added = cli("data", "add", "gpqa", str(FIXTURES / "gpqa"), "--json")
    assert added.code == 0, added.err
    assert json.loads(added.out)["rows"] == {"gpqa-diamond": 4, "gpqa-main": 3}
    assert added_sources() == {"gpqa": str((FIXTURES / "gpqa").resolve())}
    listed = {d["name"]: d for d in json.loads(cli("data", "list", "--json").out)["datasets"]}
    assert listed["gpqa-main"]["rows"] == 3 and listed["gpqa-main"]["status"].startswith("your copy: ")
    extended = listed["gpqa-extended"]  # no gpqa_extended file in that copy
    assert extended["rows"] is None and extended["status"] == "bring your own: not added"
    assert extended["how_to_add"].startswith("bring your own copy: alignscope data add gpqa PATH")
    assert "https://huggingface.co/datasets/Idavidrein/gpqa" in extended["source"]
    assert listed["mmlu"]["status"] == "bundled" and listed["mmlu"]["rows"] == 14042
    wrong = cli("data", "add", "musr", str(FIXTURES / "gpqa"))
    assert wrong.code == 2 and "holds none of musr's parts" in wrong.err
    assert "musr" not in added_sources()
    unknown = cli("data", "add", "gpqa-5", str(FIXTURES / "gpqa"))
    assert unknown.code == 2 and "'gpqa-5' is not a set to bring" in unknown.err
