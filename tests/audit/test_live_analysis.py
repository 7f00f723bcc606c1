"""The live part's analysis on Judgments with known answers: leaderboards, audit, meta-analysis, sections."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from alignscope.auditing.default import default_config, default_judge
from alignscope.auditing.live import ANSWER_LENGTH, analyse_judge, meta_analysis, per_prompt_scores
from alignscope.judges.templates import load_template
from alignscope.records import Generation, Judgment, Provenance
from alignscope.report.live_sections import judge_section, meta_analysis_section, win_rate_reading
from alignscope.report.model import Bullets, JudgeInfo, Plot, Table, Text
from alignscope.tasks.runner import BenchResult, GroupScore

P_WIN = {"verbose-friendly": 0.8, "terse": 0.2, "over-cautious": 0.35, "sycophant": 0.65}
PROMPTS = [f"q{i}" for i in range(8)]


def _gen(model: str, item: str, text: str) -> Generation:
    return Generation(
        item_id=item,
        dataset="demo",
        model=model,
        text=text,
        provenance=Provenance(model="smollm2-135m", backend="hf"),
    )


def _judgment(item: str, first: str, second: str, p_first: float, swapped: bool) -> Judgment:
    return Judgment(
        judge="j",
        mode="pairwise",
        item_id=item,
        dataset="demo",
        model_a=first,
        model_b=second,
        swapped=swapped,
        verdict="A" if p_first > 0.5 else "B",
        preference=p_first,
        parse_status="logprob",
        provenance=Provenance(model="smollm2-135m", backend="hf", template_hash="h"),
    )


@pytest.fixture(scope="module")
def records():
    """Each judged model wins with a fixed probability on every prompt, in both orders (no position bias);
    answer lengths and markdown differ by prompt so that every style feature varies."""
    answers, judgments = [], []
    for k, item in enumerate(PROMPTS):
        answers.append(_gen("plain", item, "plain answer " * (3 + k % 3)))
        for j, (model, p) in enumerate(P_WIN.items()):
            text = ("# Title\n- **point**\n" if (k + j) % 2 else "") + "word " * (5 + 7 * j + k)
            answers.append(_gen(model, item, text))
            judgments.append(_judgment(item, "plain", model, 1 - p, False))
            judgments.append(_judgment(item, model, "plain", p, True))
    return answers, judgments


@pytest.fixture(scope="module")
def outcome(records):
    answers, judgments = records
    spec = default_judge()
    cfg = default_config(limit=8)
    return analyse_judge(spec, load_template(spec.template_ref), judgments, answers, "plain", cfg)


def test_leaderboard_win_rates_are_the_known_probabilities(outcome):
    board = outcome.leaderboard
    assert board.at["plain", "win_rate"] == 50.0
    for model, p in P_WIN.items():
        assert board.at[model, "win_rate"] == pytest.approx(100 * p)
        assert board.at[model, "n"] == len(PROMPTS) and board.at[model, "n_failed"] == 0
    ranked = board.sort_values("rating", ascending=False).index.tolist()
    assert ranked == ["verbose-friendly", "sycophant", "plain", "over-cautious", "terse"]
    assert board.at["plain", "rating"] == pytest.approx(1000.0)
    assert {"lc_win_rate", "rating_sc", "lower_sc", "upper_sc"} <= set(board.columns)


def test_judge_audit_sees_no_position_bias_and_no_failures(outcome):
    audit = outcome.audit
    assert audit["parse_failures"] == 0 and audit["verdicts"] == 2 * len(PROMPTS) * len(P_WIN)
    assert audit["position"]["consistency"] == 1.0 and audit["position"]["pairs"] == len(PROMPTS) * len(P_WIN)
    assert audit["position"]["first_position_rate"] == pytest.approx(0.5)
    assert audit["length"]["n"] == len(PROMPTS) * len(P_WIN)


def test_length_bias_needs_enough_prompts_for_its_clustered_ci(records):
    answers, judgments = records
    two = [j for j in judgments if j.item_id in PROMPTS[:2]]
    spec, cfg = default_judge(), default_config(limit=2)
    few = analyse_judge(spec, load_template(spec.template_ref), two, answers, "plain", cfg)
    assert "length" not in few.audit and "position" in few.audit
    assert any("Length bias not estimated" in n and "2 prompt(s) are too few" in n for n in few.notes)


def test_provenance_names_model_template_hash_and_logprob_sampling(outcome):
    prov = outcome.provenance()
    assert prov["model"] == "smollm2-135m" and prov["template"] == "alpaca-eval"
    assert prov["template_hash"] == load_template("alpaca-eval").version
    assert (
        prov["verdict"] == "logprob" and prov["sampling"]["logprobs"] is True and prov["baseline"] == "plain"
    )


def test_per_prompt_scores_put_the_baseline_at_50(outcome):
    long = per_prompt_scores(outcome, ["plain", *P_WIN])
    plain = long[long.model == "plain"]
    assert len(plain) == len(PROMPTS) and (plain.value == 50.0).all()
    assert long[long.model == "terse"].value.mean() == pytest.approx(20.0)


def _bench(values: dict[str, dict[str, float]]) -> BenchResult:
    groups = [
        GroupScore(group=g, kind="factor", model=m, value=v, ci=(v - 0.1, v + 0.1), tasks=["t"], n=10)
        for g, per_model in values.items()
        for m, v in per_model.items()
    ]
    return BenchResult(tasks=[], groups=groups)


def test_meta_analysis_says_yes_where_the_judge_ranks_models_like_the_factor(records, outcome):
    answers, _ = records
    strength = {"plain": 0.5, **P_WIN}
    bench = _bench({"world_knowledge": strength, "safety": {m: 1 - v for m, v in strength.items()}})
    cfg = default_config(limit=8)
    meta, notes = meta_analysis(cfg, bench, [outcome], answers)
    win_rate = "smollm2-judge win rate"
    assert meta.judges[0] == win_rate and ANSWER_LENGTH in meta.concrete
    verdicts = {(v.judge, v.concrete): v for v in meta.verdicts}
    assert verdicts[(win_rate, "world_knowledge")].tracks is True
    assert verdicts[(win_rate, "world_knowledge")].estimate == pytest.approx(1.0)
    assert verdicts[(win_rate, "safety")].tracks is False
    row = meta.get(win_rate, "world_knowledge")
    assert np.isfinite(row.prompts_ci_low)  # the CI over prompts exists for the per-prompt win rate
    assert notes == []


def test_meta_analysis_explains_why_it_cannot_run_without_a_suite(outcome, records):
    meta, notes = meta_analysis(default_config(limit=8), None, [outcome], records[0])
    assert meta is None and "No concrete suite" in notes[0]
    section = meta_analysis_section(default_config(limit=8), meta, notes, [outcome])
    assert section.origin == "live" and "No concrete suite" in section.blocks[-1].items[0]


def test_judge_section_shows_provenance_leaderboard_and_win_rate_chart(outcome):
    section = judge_section(default_config(limit=8), outcome)
    assert section.origin == "live" and "8 items per task, 8 judge prompts" in section.source
    assert isinstance(section.blocks[0], JudgeInfo) and section.blocks[0].template_hash
    board = next(b for b in section.blocks if isinstance(b, Table) and b.name.endswith("leaderboard"))
    assert [r[0] for r in board.rows] == list(outcome.leaderboard.index)
    assert any(isinstance(b, Plot) and b.name.endswith("_scores") for b in section.blocks)


def _audit_bullets(outcome) -> list[str]:
    section = judge_section(default_config(limit=8), outcome)
    return next(b for b in section.blocks if isinstance(b, Bullets) and b.title == "Judge audit").items


def test_judge_audit_reads_its_numbers_in_plain_words(records, outcome):
    unbiased = " ".join(_audit_bullets(outcome))
    assert "flips when the two answers swap places" not in unbiased
    assert "favours the answer shown" not in unbiased
    answers, judgments = records
    # a judge that always prefers the answer shown second, whatever it says
    biased = [j.model_copy(update={"preference": 0.1, "verdict": "B"}) for j in judgments]
    spec, cfg = default_judge(), default_config(limit=8)
    flipped = analyse_judge(spec, load_template(spec.template_ref), biased, answers, "plain", cfg)
    lines = _audit_bullets(flipped)
    assert flipped.audit["position"]["consistency"] == 0.0
    assert any("flips when the two answers swap places" in line for line in lines)
    assert "It favours the answer shown second (position bias at 95%)." in lines


def test_judge_section_says_how_far_the_win_rates_spread(outcome):
    expected = "Win rates against plain range from 20.0 (terse) to 80.0 (verbose-friendly)."
    assert win_rate_reading(outcome) == expected
    close = outcome.leaderboard.assign(win_rate=[50.0, 51.0, 49.2, 50.4, 50.0])
    tight = replace(outcome, leaderboard=close)
    assert win_rate_reading(tight).startswith("Every win rate lies within 1.0 points of 50")
    texts = [b.text for b in judge_section(default_config(limit=8), tight).blocks if isinstance(b, Text)]
    assert win_rate_reading(tight) in texts
