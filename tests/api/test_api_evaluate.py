"""``alignscope.evaluate`` on two models at once: one row per model and benchmark, each model's AlpacaEval
win rate recomputed from its own stored judgments, Arena-Hard scored for both against one baseline."""

from __future__ import annotations

from pathlib import Path

import pytest

import alignscope
from alignscope.config import ModelSpec
from alignscope.store import RunStore

PLAIN = ModelSpec(name="plain", backend="hf", model="smollm2-135m")
TERSE = ModelSpec(name="terse", backend="hf", model="smollm2-135m", system_prompt="Answer in five words.")


def test_evaluate_two_models_gives_each_its_own_rows(tmp_path: Path) -> None:
    result = alignscope.evaluate(
        [PLAIN, TERSE], "hf:smollm2-135m", benchmarks=["alpaca_eval", "arena_hard"], limit=2,
        max_tokens=8, judge_max_tokens=8, workspace=tmp_path / "ws", out=tmp_path / "report", progress=False,
    )  # fmt: skip
    rows = result.rows
    assert sorted(zip(rows["benchmark"], rows["model"], strict=True)) == [
        ("alpaca_eval", "plain"), ("alpaca_eval", "terse"), ("arena_hard", "plain"), ("arena_hard", "terse")
    ]  # fmt: skip
    assert list(result.table["model"]) == ["plain", "terse"]
    judgments = RunStore(tmp_path / "ws").records("judgments", result.run_id)
    for name in ("plain", "terse"):
        alpaca = [j for j in judgments if j.dataset == "alpaca_eval" and name in (j.model_a, j.model_b)]
        assert len(alpaca) == 4  # 2 prompts x both orders
        p_model = [j.preference if j.model_a == name else 1 - j.preference for j in alpaca]  # P(first)
        row = rows[(rows["benchmark"] == "alpaca_eval") & (rows["model"] == name)].iloc[0]
        assert row["win_rate"] == pytest.approx(100 * sum(p_model) / len(p_model))
        arena = [j for j in judgments if j.dataset == "arena-hard-v0.1" and name in (j.model_a, j.model_b)]
        assert len(arena) == 4 and {j.model_a for j in arena} == {"gpt-4-0314", name}
