"""Anthropic HH-RLHF: the shipped test splits into TRL's prompt / chosen / rejected, HH files and saved
datasets folders, training loaders, and one clear line for a bad row."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from alignscope.data import load_items
from alignscope.data.registry import bundled_path
from alignscope.data.sets.hh_rlhf import ASSISTANT, bundled_rows, dialogue_messages, hh_pair, hh_pairs
from alignscope.errors import DataError
from alignscope.training.data import load_preference_file, load_prompt_file, load_sft_file

DIALOGUE = "\n\nHuman: Hi there\n\nAssistant: Hello! How can I help?\n\nHuman: Tell me a joke\n\nAssistant:"


@pytest.mark.parametrize(("split", "count"), [("harmless-base", 2312), ("helpful-base", 2354)])
def test_shipped_splits_split_into_prompt_and_replies(split: str, count: int) -> None:
    rows = bundled_rows(f"hh_rlhf/{split}")
    pairs = hh_pairs(rows, where=split)
    assert len(rows) == len(pairs) == count
    for row, pair in zip(rows, pairs, strict=True):
        assert pair["prompt"].endswith(ASSISTANT)
        assert pair["prompt"] + pair["chosen"] == row["chosen"]
        assert pair["prompt"] + pair["rejected"] == row["rejected"]
    # the prompt is the whole shared dialogue except where chosen's last turn marker is not shared
    last_turn = sum(p["prompt"] == r["chosen"][: r["chosen"].rfind(ASSISTANT) + len(ASSISTANT)] for p, r in
                    zip(pairs, rows, strict=True))  # fmt: skip
    assert count - last_turn == {"harmless-base": 4, "helpful-base": 2}[split]
    items = load_items(f"hh-rlhf-{split}")
    assert len(items) == count and items[0].messages[-1].role == "user"
    assert items[0].target["prompt"] == pairs[0]["prompt"]


def test_a_pair_keeps_the_dialogue_and_the_replies() -> None:
    row = {"chosen": DIALOGUE + " Why did the chicken...", "rejected": DIALOGUE + " No."}
    pair = hh_pair(row, "x", 1)
    assert pair == {"prompt": DIALOGUE, "chosen": " Why did the chicken...", "rejected": " No."}
    assert [(m.role, m.content) for m in dialogue_messages(pair["prompt"])] == [
        ("user", "Hi there"),
        ("assistant", "Hello! How can I help?"),
        ("user", "Tell me a joke"),
    ]


def test_a_dialogue_without_an_assistant_turn_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    good = {"chosen": DIALOGUE + " a", "rejected": DIALOGUE + " b"}
    bad = {"chosen": "\n\nHuman: hello there", "rejected": "\n\nHuman: hello there"}
    path.write_text("".join(json.dumps(r) + "\n" for r in (good, good, bad)), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_preference_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: row 3: the chosen dialogue has no")
    assert "\n" not in message
    diverging = {"chosen": "\n\nHuman: a\n\nAssistant: b", "rejected": "\n\nHuman: c\n\nAssistant: d"}
    with pytest.raises(DataError, match="row 1: chosen and rejected share no"):
        hh_pairs([diverging], "rows")
    with pytest.raises(DataError, match="unknown HH-RLHF split 'hh_rlhf/nope'"):
        load_preference_file(Path("hh_rlhf/nope"))


def test_training_loaders_take_shipped_splits_files_and_dataset_folders(tmp_path: Path) -> None:
    dpo = load_preference_file(Path("hh_rlhf/harmless-base"))
    assert dpo.num_rows == 2312 and set(dpo.column_names) == {"prompt", "chosen", "rejected"}
    assert dpo[0]["prompt"].endswith(ASSISTANT) and isinstance(dpo[0]["chosen"], str)
    sft = load_sft_file(Path("hh_rlhf/helpful-base"))
    assert sft.num_rows == 2354 and set(sft.column_names) == {"prompt", "completion"}
    assert sft[0]["completion"] == load_preference_file(Path("hh_rlhf/helpful-base"))[0]["chosen"]
    assert load_prompt_file(Path("hh_rlhf/helpful-base")).num_rows == 2354
    # the same rows as an HH JSONL file (gzip) and as a saved datasets folder
    copy = tmp_path / "harmless.jsonl.gz"
    copy.write_bytes(bundled_path("hh_rlhf", "harmless-base_test.jsonl.gz").read_bytes())
    assert load_preference_file(copy).to_list() == dpo.to_list()
    from datasets import Dataset

    with gzip.open(copy, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh][:10]
    Dataset.from_list(rows).save_to_disk(str(tmp_path / "saved"))
    assert load_preference_file(tmp_path / "saved").to_list() == dpo.to_list()[:10]
