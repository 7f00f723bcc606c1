"""The size and strength findings: sizes from names, group similarities and their scenario-bootstrap
intervals on synthetic profiles of known closeness, the paper's size finding on the released weights, and
preference strength on verdicts whose difference is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignscope.analysis.dissection.findings import (
    judge_size,
    preference_strength,
    similarity_by_size_group,
    similarity_to,
    size_group,
)
from alignscope.analysis.dissection.released import HUMAN, load_released_weights
from alignscope.errors import ConfigError, DataError
from alignscope.records import Judgment, Provenance

PROPS = [f"p{k}" for k in range(29)]


def test_judge_sizes_from_the_table_and_from_names() -> None:
    assert judge_size("llama-2-13b-chat") == 13 and judge_size("mistral-8x7b") == 56
    assert judge_size("llama-3-8b-instruct") == 8 and judge_size("Mixtral-8x22B") == 176
    assert judge_size("qwen1.5-0.5b") == 0.5
    assert judge_size("gpt-4-1106-preview") is None and judge_size("gpt-3.5-turbo-1106") is None
    assert [size_group(s) for s in (7, 14, 20, 34, 70)] == ["<=14B", "<=14B", None, ">=30B", ">=30B"]
    assert size_group(13, "fine") == "13-14B"
    with pytest.raises(ConfigError, match="size split"):
        size_group(7, "coarse")


def _profiles(noise: dict[str, float], scenarios: int, seed: int) -> pd.DataFrame:
    """Weights per scenario: humans' random, each judge's = humans' + noise of the given sd."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(scenarios):
        human = rng.normal(size=len(PROPS))
        rows.append({"scenario": f"s{s}", "source": HUMAN, **dict(zip(PROPS, human, strict=True))})
        for judge, sd in noise.items():
            w = human + rng.normal(scale=sd, size=len(PROPS))
            rows.append({"scenario": f"s{s}", "source": judge, **dict(zip(PROPS, w, strict=True))})
    return pd.DataFrame(rows)


def test_group_similarity_follows_known_closeness() -> None:
    noise = {"a-7b": 2.0, "b-13b": 2.0, "c-70b": 0.3, "d-34b": 0.3, "gpt-x": 0.0}
    weights = _profiles(noise, scenarios=12, seed=1)
    sim = similarity_to(weights)
    first = weights[weights["scenario"] == "s0"].set_index("source")[PROPS]
    assert sim.at["a-7b", "s0"] == pytest.approx(np.corrcoef(first.loc["a-7b"], first.loc[HUMAN])[0, 1])
    finding = similarity_by_size_group(weights, n_boot=1000)
    groups = finding.groups.set_index("group")
    assert list(groups.index) == ["<=14B", ">=30B"] and finding.unsized == ["gpt-x"]
    assert groups.at["<=14B", "members"] == ["a-7b", "b-13b"]
    assert groups.at["<=14B", "similarity"] == pytest.approx(sim.loc[["a-7b", "b-13b"]].to_numpy().mean())
    # noise sd 2 vs 0.3 on unit-variance weights: expected r about 0.45 vs 0.96
    assert 0.25 < groups.at["<=14B", "similarity"] < 0.65 < 0.9 < groups.at[">=30B", "similarity"]
    for _, row in groups.iterrows():
        assert row["lower"] < row["similarity"] < row["upper"]
    d = finding.difference
    assert (d["larger"], d["smaller"]) == (">=30B", "<=14B") and 0 < d["lower"] < d["difference"] < d["upper"]
    fine = similarity_by_size_group(weights, split="fine", n_boot=200)
    assert list(fine.groups["group"]) == ["6-7B", "13-14B", "34B", "56-72B"]


def test_the_papers_size_finding_on_the_released_weights() -> None:
    """Judges of 30B or more are closer to humans than judges of 14B or less (the original's finding)."""
    finding = similarity_by_size_group(load_released_weights(), n_boot=1000)
    groups = finding.groups.set_index("group")
    assert groups.at["<=14B", "judges"] == 20 and groups.at[">=30B", "judges"] == 10
    assert finding.difference["lower"] > 0
    assert sorted(finding.unsized) == ["gpt-3.5-turbo-1106", "gpt-4-1106-preview"]
    with pytest.raises(DataError, match="no judge with a known size"):
        similarity_by_size_group(_profiles({"gpt-x": 1.0}, 3, 0))


def _verdict(judge: str, item: int, p: float, swapped: bool = False) -> Judgment:
    return Judgment(
        judge=judge,
        mode="pairwise",
        item_id=str(item),
        dataset="d",
        model_a="m1",
        model_b="m2",
        swapped=swapped,
        preference=p,
        parse_status="logprob",
        provenance=Provenance(model=judge, backend="hf"),
    )


def test_preference_strength_of_verdicts_with_a_known_difference() -> None:
    rng = np.random.default_rng(3)
    n = 60
    p_base = 0.5 + rng.uniform(-0.1, 0.1, size=n)  # strength < 0.2
    p_aligned = np.where(rng.random(n) < 0.5, 0.05, 0.95) + rng.uniform(-0.04, 0.04, size=n)  # about 0.9
    judgments = [_verdict("base", i, p) for i, p in enumerate(p_base)]
    judgments += [_verdict("chat", i, p) for i, p in enumerate(p_aligned)]
    judgments.append(_verdict("chat", 999, 0.9))  # judged by one judge only: left out
    finding = preference_strength(judgments, "base", "chat", n_boot=1000)
    expected = np.abs(2 * p_aligned - 1) - np.abs(2 * p_base - 1)
    assert finding.n == n and finding.difference == pytest.approx(expected.mean())
    assert finding.lower < finding.difference < finding.upper and finding.lower > 0.5
    assert finding.p_value < 1e-8  # every pair is stronger under the aligned judge
    summary = finding.summary.set_index("judge")
    assert summary.at["base", "mean"] == pytest.approx(np.abs(2 * p_base - 1).mean())
    assert summary.at["chat", "share_above_0_5"] == 1.0
    same = preference_strength(
        [*judgments[:n], *[_verdict("copy", i, p) for i, p in enumerate(p_base)]], "base", "copy"
    )
    assert same.difference == 0.0 and same.p_value == 1.0
    with pytest.raises(DataError, match="no verdicts of judge"):
        preference_strength(judgments, "base", "gpt")
    with pytest.raises(DataError, match="0 pair"):
        preference_strength([*judgments[:n], _verdict("late", 0, 0.5, swapped=True)], "base", "late")
