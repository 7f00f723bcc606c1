"""SFT and DPO train on Anthropic HH-format pairs named in a config's ``data`` (a tiny random model)."""

from __future__ import annotations

import json
from pathlib import Path

from alignscope.config import load_config
from alignscope.data.sets.hh_rlhf import bundled_rows
from alignscope.training.config import DPOTrainConfig, SFTTrainConfig
from alignscope.training.run import train_from_config


def test_sft_then_dpo_on_an_hh_file(tiny_model: Path, tmp_path: Path) -> None:
    data = tmp_path / "hh.jsonl"
    rows = bundled_rows("hh_rlhf/harmless-base")[:8]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    ws = tmp_path / "ws"
    for kind, cls in (("sft", SFTTrainConfig), ("dpo", DPOTrainConfig)):
        yaml_path = tmp_path / f"{kind}.yaml"
        yaml_path.write_text(
            f"model: {tiny_model}\nname: hh-{kind}\ndata: {data}\n"
            "max_steps: 1\nbatch_size: 8\nlogging_steps: 1\n",
            encoding="utf-8",
        )
        name, result = train_from_config(load_config(yaml_path, cls), ws)
        assert name == f"hh-{kind}" and (result.path / "config.json").exists()
        assert result.series("loss"), kind
