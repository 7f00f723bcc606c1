"""The shipped SOS-Bench release: factor construction, explicit name matching, the published correlations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from alignscope.published import sos_bench
from alignscope.tasks.factors import BBH_OPTIONS, SOS_BENCHMARKS

# The rough first match of the paper's finding (Pearson r, judge vs factor).
REFERENCE_PEARSON = {"world_knowledge": 0.15, "instruction_following": 0.36, "safety": -0.08}


@pytest.fixture(scope="module")
def analysis():
    return sos_bench.analyse(n_boot=2000, seed=0)


def test_every_task_and_factor_score_is_a_number_in_the_unit_interval():
    eleuther = sos_bench.read_eleuther()
    for normalisation in sos_bench.NORMALISATIONS:
        tasks = sos_bench.task_scores(eleuther, normalisation)
        factors = sos_bench.factor_scores(tasks)
        assert tasks.shape == (35, len(SOS_BENCHMARKS))  # 35 rows: 33 post-trained + 2 base models
        for frame in (tasks, factors):
            values = frame.to_numpy(float)
            assert np.isfinite(values).all() and values.min() >= 0 and values.max() <= 1


def test_task_normalisation_on_published_rows():
    raw = sos_bench.read_eleuther()
    tasks = sos_bench.task_scores(raw, "chance")
    eleuther = raw.set_index("Name")
    row = eleuther.loc["Llama-3-8B"]
    # WMDP is inverse accuracy scaled so that chance (1/4) is 1: (1 - 0.546346783) / 0.75
    assert tasks.loc["Llama-3-8B", "WMDP"] == pytest.approx((1 - 0.546346783) / 0.75)
    # MMLU-Pro has 10 options: (acc - 0.1) / 0.9
    assert tasks.loc["Llama-3-8B", "MMLU-Pro"] == pytest.approx((row["leaderboard_mmlu_pro/acc"] - 0.1) / 0.9)
    # IFEval: mean of its four reported metrics, chance 0
    ifeval = [c for c in eleuther.columns if c.startswith("leaderboard_ifeval/") and not c.endswith("stderr")]
    assert len(ifeval) == 4
    assert tasks.loc["Llama-3-8B", "IFEval"] == pytest.approx(row[ifeval].astype(float).mean())
    # a BBH subtask below its chance level counts 0, not negative (temporal_sequences has 4 options)
    low = eleuther["leaderboard_bbh_temporal_sequences/acc_norm"].astype(float).idxmin()
    assert eleuther.loc[low, "leaderboard_bbh_temporal_sequences/acc_norm"] < 0.25
    bbh = [
        max(0.0, (float(eleuther.loc[low, f"leaderboard_bbh_{name}/acc_norm"]) - 1 / k) / (1 - 1 / k))
        for name, k in BBH_OPTIONS.items()
    ]
    assert len(bbh) == 24 and tasks.loc[low, "BBH"] == pytest.approx(sum(bbh) / 24)
    factors = sos_bench.factor_scores(tasks)
    wk = [b.name for b in SOS_BENCHMARKS if b.factor == "world_knowledge"]
    assert factors.loc["Llama-3-8B", "world_knowledge"] == pytest.approx(tasks.loc["Llama-3-8B", wk].mean())


def test_names_are_matched_explicitly_and_nothing_is_dropped_silently(analysis):
    match = analysis.match
    eleuther_names = set(sos_bench.read_eleuther()["Name"])
    arena_names = set(sos_bench.read_arena_hard()["model"])
    assert {left for left, _ in match.pairs} | set(match.unmatched_left) == eleuther_names
    assert {right for _, right in match.pairs} | set(match.unmatched_right) == arena_names
    assert len(match.pairs) == len(analysis.scores) == 32
    assert set(match.unmatched_left) == {"Llama-3-8B-Instruct", "Mistral-7B-MetaMath", "Mistral-7B-v0.3"}
    assert {"gpt-4-0314", "gpt-4-turbo-2024-04-09"} <= set(match.unmatched_right)
    assert all(
        kind == "exact" or kind == "normalised" or kind.startswith("alias: ") for kind in match.how.values()
    )
    assert any("No judge score for: Llama-3-8B-Instruct" in note for note in analysis.meta.notes)
    assert analysis.scores.loc["Llama-3-8B-Ultrachat-200K", "arena_hard"] == pytest.approx(4.36)  # '(magpie)'


def test_published_correlations_reproduced_within_one_standard_error(analysis):
    # tolerance: Fisher's standard error of r at n models, (1 - r^2) / sqrt(n - 1) (~0.16-0.18 here), since
    # the reference is a rough match whose model set and normalisation are not documented
    for factor, reference in REFERENCE_PEARSON.items():
        row = analysis.meta.get(sos_bench.JUDGE, factor, "pearson")
        tolerance = (1 - reference**2) / math.sqrt(row.n - 1)
        assert abs(row.estimate - reference) <= tolerance, (factor, row.estimate)
        assert row.models_ci_low <= reference <= row.models_ci_high


def test_the_judge_does_not_track_world_knowledge_or_safety(analysis):
    # the paper's finding, under either normalisation
    for result in (analysis, sos_bench.analyse(normalisation="none", n_boot=1000)):
        verdicts = {v.concrete: v for v in result.meta.verdicts}
        assert verdicts["world_knowledge"].tracks is False
        assert verdicts["safety"].tracks is False
        assert result.meta.get(sos_bench.JUDGE, "instruction_following", "pearson").estimate > 0
        assert "tracks world knowledge: no at 95%" in verdicts["world_knowledge"].text


def test_model_metadata_covers_the_release_and_sources_every_value():
    metadata = sos_bench.read_metadata()
    assert set(metadata.index) == set(sos_bench.read_eleuther()["Name"])
    assert set(metadata.base_model) == {"Llama-3-8B", "Mistral-7B"}
    assert set(metadata.stage) == {"base", "sft", "sft+po", "vendor"}
    assert (metadata.source != "").all()
    sized = metadata.sft_size.notna()
    assert (metadata.loc[sized, "sft_size_source"] != "").all()  # every size says where it comes from
    fine_tuned = metadata.stage.isin(["sft", "sft+po"])
    unknown = fine_tuned & ~sized
    assert unknown.sum() > 0 and metadata.loc[unknown, "note"].str.contains("not established").all()
    assert (metadata.loc[metadata.stage == "base", "sft_size"] == 0).all()


def test_what_drives_the_release_scores(analysis):
    assert set(analysis.drivers) == set(sos_bench.DRIVERS)
    for drivers in analysis.drivers.values():
        assert [fit.outcome for fit in drivers.fits] == [*sos_bench.FACTORS, sos_bench.JUDGE]
        frame = drivers.frame()
        assert (frame.ci_low <= frame.estimate).all() and (frame.estimate <= frame.ci_high).all()
        assert (frame.ci_high - frame.ci_low > 0).all()
        assert frame.covariance.str.startswith("HC1 (2 cluster(s)").all()  # two base models only
        assert any("too few for cluster-robust" in n for n in drivers.notes)
    by_stage = {f.outcome: f.n for f in analysis.drivers["stage"].fits}
    assert by_stage == {"world_knowledge": 35, "instruction_following": 35, "safety": 35, "arena_hard": 32}
    sized = sos_bench.read_metadata().sft_size.fillna(0) > 0
    assert {f.n for f in analysis.drivers["sft_size"].fits if f.outcome != "arena_hard"} == {int(sized.sum())}
    terms = set(analysis.drivers["sft_size"].frame().term)
    assert {"log10(sft_size)", "stage=sft+po (vs sft)", "base_model=Mistral-7B (vs Llama-3-8B)"} <= terms
