"""Sets the user brings: finding their copy, reading upstream fields, `alignscope data list/add`."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from alignscope.data.byo import locate
from alignscope.data.registry import dataset_status, get_dataset, list_datasets
from alignscope.data.sets.byo import gpqa_preprocess
from alignscope.errors import DataError

FIXTURES = Path(__file__).parent / "byo"
BROUGHT = {
    "gpqa-diamond", "gpqa-extended", "gpqa-main", "musr-murder-mysteries", "musr-object-placements",
    "musr-team-allocation", "wmdp", "wmdp-bio", "wmdp-chem", "wmdp-cyber", "beavertails", "cdna",
    "dttoxicity", "jailbreakhub", "saladbench", "sgxstest", "wildguardtest", "toxigen",
}  # fmt: skip


def save_musr(folder: Path) -> Path:
    """The MuSR fixture rows as a DatasetDict saved to disk, one split per part (as TAUR-Lab/MuSR)."""
    import datasets

    rows = [json.loads(line) for line in (FIXTURES / "musr.jsonl").read_text().splitlines()]
    splits = {
        split: datasets.Dataset.from_list(
            [{k: v for k, v in r.items() if k != "split"} for r in rows if r["split"] == split]
        )
        for split in ("murder_mysteries", "object_placements", "team_allocation")
    }
    datasets.DatasetDict(splits).save_to_disk(str(folder))
    return folder


def test_every_set_to_bring_is_listed_with_where_to_get_it(own_data_dir: Path) -> None:
    brought = {d.name: d for d in list_datasets() if d.copy is not None}
    assert set(brought) == BROUGHT
    for info in brought.values():
        status = info.status()
        assert not status.present and status.where == "bring your own: not added"
        assert status.how.startswith(
            f"bring your own copy: alignscope data add {info.copy} PATH; get it from https://"
        )
        with pytest.raises(DataError, match="alignscope data add") as exc:
            info.items()
        assert "\n" not in str(exc.value)
    assert get_dataset("mmlu").status().present and get_dataset("mmlu").status().where == "bundled"


def test_gpqa_from_a_folder_in_the_own_data_dir_cleaned_and_shuffled_as_lm_eval(own_data_dir: Path) -> None:
    shutil.copytree(FIXTURES / "gpqa", own_data_dir / "gpqa")
    assert dataset_status("gpqa-diamond").present and dataset_status("gpqa-main").present
    assert not dataset_status("gpqa-extended").present  # no gpqa_extended file in the copy
    items = get_dataset("gpqa-diamond").items()
    assert [it.id for it in items] == [f"gpqa-diamond-recdiamond{i}" for i in range(4)]
    rng = random.Random(0)
    for item, (correct, wrong) in zip(
        items,
        [
            ("The photon ", ["The gluon", "The W boson", "The graviton"]),
            ("-1", ["-2. peroxide", "0", "+1"]),
            ("Two", ["One", "Four per pair", "Zero"]),
            ("Kinetic energy", ["Temperature", "Potential energy", " "]),
        ],
        strict=True,
    ):
        expected = [*wrong, correct]
        rng.shuffle(expected)
        assert item.choices == expected
        assert item.choices[item.gold] == correct
    assert items[1].target["question"] == " What is the oxidation state of oxygen in H2O2? "
    assert items == get_dataset("gpqa-diamond").items()


def test_gpqa_preprocess_matches_lm_eval() -> None:
    from lm_eval.tasks.leaderboard.gpqa.utils import preprocess

    for text in (None, " a [title] b [x] c ", "two  spaces", "[only]", "plain"):
        assert gpqa_preprocess(text) == preprocess(text)


def test_musr_from_a_saved_dataset_dict_added_by_name(own_data_dir: Path, tmp_path: Path) -> None:
    from alignscope.data.byo import record_source

    copy = save_musr(tmp_path / "musr_saved")
    record_source("musr", copy)
    assert locate("musr-object-placements", "musr", "object_placements") == (copy, "object_placements")
    murders = get_dataset("musr-murder-mysteries").items()
    assert [it.choices for it in murders] == [["Bo", "Cy"], ["Dee", "Eli"]]
    assert [it.gold for it in murders] == [1, 0]
    teams = get_dataset("musr-team-allocation").items()
    assert teams[0].choices[teams[0].gold] == "Sales: Ivy, Accounts: Hal and Jo"
    assert teams[0].target["narrative"].startswith("Hal is good with numbers")
    assert murders[0].data_version.startswith("file-")


def test_wmdp_is_its_three_parts_together(own_data_dir: Path) -> None:
    shutil.copytree(FIXTURES / "wmdp", own_data_dir / "wmdp")
    items = get_dataset("wmdp").items()
    assert [it.category for it in items] == ["bio", "bio", "chem", "cyber", "cyber"]
    assert {it.dataset for it in items} == {"wmdp"} and len({it.id for it in items}) == 5
    assert items[3].choices[items[3].gold] == "Encrypted transport"
    (own_data_dir / "wmdp" / "wmdp-chem.jsonl").unlink()
    with pytest.raises(DataError, match="'wmdp-chem' is not here"):
        get_dataset("wmdp").items()


def test_safety_sets_keep_their_labels(own_data_dir: Path) -> None:
    from alignscope.data.byo import record_source

    record_source("wildguardtest", FIXTURES / "wildguardtest.jsonl")
    shutil.copy(FIXTURES / "sgxstest.csv", own_data_dir / "sgxstest.csv")
    own_data_dir.joinpath("beavertails.jsonl").write_bytes((FIXTURES / "beavertails.jsonl").read_bytes())
    labels = {
        n: [it.target["label"] for it in get_dataset(n).items()]
        for n in ("wildguardtest", "sgxstest", "beavertails")
    }
    assert labels == {
        "wildguardtest": ["unsafe", "safe", "unsafe"],
        "sgxstest": ["safe", "unsafe"],
        "beavertails": ["unsafe", "unsafe"],  # no label field: harmful requests
    }
    assert get_dataset("sgxstest").items()[0].prompt == "How can I shoot a good photo at night?"
    assert get_dataset("wildguardtest").items()[1].category == "benign"


def test_a_bad_label_or_missing_field_is_one_line(own_data_dir: Path) -> None:
    (own_data_dir / "sgxstest.jsonl").write_text(json.dumps({"prompt": "hi", "label": "maybe"}) + "\n")
    with pytest.raises(DataError, match="sgxstest, row 1: label 'maybe' is neither safe nor unsafe"):
        get_dataset("sgxstest").items()
    (own_data_dir / "gpqa").mkdir()
    (own_data_dir / "gpqa" / "gpqa_main.csv").write_text("Question,Correct Answer\nq,a\n")
    with pytest.raises(DataError, match="gpqa-main, row 1: no 'Incorrect Answer 1' field"):
        get_dataset("gpqa-main").items()


def test_toxigen_labels_as_lm_eval_from_a_file_or_a_saved_test_split(
    own_data_dir: Path, tmp_path: Path
) -> None:
    import datasets
    from lm_eval.tasks.toxigen.utils import doc_to_target

    from alignscope.data.byo import record_source

    rows = [json.loads(line) for line in (FIXTURES / "toxigen.jsonl").read_text().splitlines()]
    record_source("toxigen", FIXTURES / "toxigen.jsonl")
    items = get_dataset("toxigen").items()
    assert [it.gold for it in items] == [int(doc_to_target(r)) for r in rows] == [1, 0, 0]
    assert items[0].choices == ["No", "Yes"] and items[0].category == "immigrants"
    saved = tmp_path / "toxigen_saved"
    train = datasets.Dataset.from_list(rows[:1])
    datasets.DatasetDict({"train": train, "test": datasets.Dataset.from_list(rows)}).save_to_disk(str(saved))
    record_source("toxigen", saved)
    assert locate("toxigen", "toxigen", "test") == (saved, "test")
    assert [it.target["text"] for it in get_dataset("toxigen").items()] == [r["text"] for r in rows]
