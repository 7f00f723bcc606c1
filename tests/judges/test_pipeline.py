"""The judge pipeline through the engine and a real HTTP backend, with the echo judge (its reply quotes the
prompt, so each verdict is fixed by the answers): parsing, bounded retries that change the request, failures
kept with raw text, both orders, rubric averaging, meta-judging, storage without overwrites, summaries."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from judge_records import make_gen, make_item

from alignscope.backends.base import Backend
from alignscope.config import ModelSpec
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError
from alignscope.judges import JudgeInputs, JudgeSpec, run_judge, summarise
from alignscope.judges.meta import MetaInput, meta_battles, meta_judge
from alignscope.judges.pairwise import pair_table
from alignscope.judges.rubric import rubric_scores
from alignscope.judges.templates import load_template
from alignscope.testing.fault_server import FaultServer

Template = Callable[[str, str, str], str]


@pytest.fixture
def echo_pointwise(echo_model: ModelSpec, template_file: Template) -> JudgeSpec:
    """The echo judge grading 1-10 with the answer as its whole prompt (2 parse retries, the default)."""
    return JudgeSpec(
        model=echo_model, mode="pointwise", template=template_file("pointwise", "rating_10", "{{ answer }}")
    )


def test_pointwise_parses_and_retries_failures_with_new_requests(
    engine: Engine, echo_backend: Backend, echo_pointwise: JudgeSpec, echo_server: FaultServer
) -> None:
    items = [make_item("1"), make_item("2")]
    gens = [make_gen("1", "m", "Four. Rating: [[7]]"), make_gen("2", "m", "I cannot say.")]
    spec = echo_pointwise
    assert spec.parse_retries == 2
    out = run_judge(engine, echo_backend, spec, JudgeInputs.of(items, gens))
    ok, failed = out
    assert (ok.parse_status, ok.score, ok.fields["attempts"]) == ("ok", 7.0, 1)
    assert failed.parse_status == "failed" and failed.score is None
    assert failed.fields["failure"] == "parse" and failed.fields["attempts"] == 3
    assert "I cannot say." in failed.raw and len(failed.fields["earlier_raw"]) == 2
    # every retry was a new request (new seed, temperature > 0): 1 + 3 distinct bodies reached the server
    assert echo_server.stats.requests == 4 and len(echo_server.stats.answered) == 4
    assert (
        failed.provenance.sampling.seed == 2
        and failed.provenance.sampling.temperature == spec.retry_temperature
    )
    assert ok.provenance.template_hash == load_template(spec.template_ref).version
    stored = engine.store.records("judgments", engine.run_id)
    assert len(stored) == 2 and {j.parse_status for j in stored} == {"ok", "failed"}
    [row] = summarise(out)
    assert (row["judgments"], row["failed"], row["failure_rate"], row["mean_score"]) == (2, 1, 0.5, 7.0)

    # rerunning answers every call from the cache: nothing is sent again
    again = run_judge(engine, echo_backend, spec, JudgeInputs.of(items, gens))
    assert echo_server.stats.requests == 4
    assert [j.raw for j in again] == [j.raw for j in out]


def test_pairwise_both_orders_expose_a_position_biased_judge(
    engine: Engine, echo_backend: Backend, echo_model: ModelSpec, template_file: Template
) -> None:
    # the echo judge quotes the answer shown first; both answers claim to be better, so it always picks A
    items = [make_item(str(i)) for i in range(3)]
    gens = [make_gen(str(i), m, f"[[A>B]] answer of {m}") for i in range(3) for m in ("base", "cand")]
    spec = JudgeSpec(model=echo_model, template=template_file("pairwise", "verdict_5", "{{ answer_a }}"))
    out = run_judge(engine, echo_backend, spec, JudgeInputs.of(items, gens), baseline="base")
    assert len(out) == 6 and sum(j.swapped for j in out) == 3
    assert all(j.verdict == "A>B" and j.preference == 1.0 for j in out)
    unswapped = [j for j in out if not j.swapped]
    assert {(j.model_a, j.model_b) for j in unswapped} == {("base", "cand")}
    table = pair_table(out)
    assert len(table) == 3 and not table["consistent"].any()
    assert (table["p_a"] == 0.5).all()  # one win each way averages to a tie
    [row] = summarise(out)
    assert (row["pairs"], row["ties"], row["inconsistent"], row["both_orders"]) == (3, 3, 3, 3)
    assert engine.store.count("judgments", engine.run_id) == 6  # swapped orders do not overwrite


def test_pairwise_needs_a_baseline_when_more_than_two_models(
    engine: Engine, echo_backend: Backend, echo_model: ModelSpec
) -> None:
    gens = [make_gen("1", m, "x") for m in ("a", "b", "c")]
    with pytest.raises(ConfigError, match="--baseline"):
        run_judge(engine, echo_backend, JudgeSpec(model=echo_model), JudgeInputs.of([make_item("1")], gens))


def test_rubric_samples_are_averaged_and_failures_counted(
    engine: Engine, echo_backend: Backend, echo_model: ModelSpec, template_file: Template
) -> None:
    items = [make_item("1"), make_item("2")]
    gens = [make_gen("1", "m", "Score: 4"), make_gen("2", "m", "no score here")]
    spec = JudgeSpec(
        model=echo_model, mode="rubric", template=template_file("rubric", "score_5", "{{ answer }}"),
        n_samples=3, parse_retries=0, sampling={"temperature": 0.8, "max_tokens": 64},
    )  # fmt: skip
    out = run_judge(engine, echo_backend, spec, JudgeInputs.of(items, gens))
    assert len(out) == 6 and len({j.provenance.sampling.seed for j in out}) == 3
    scores = {s.item_id: s for s in rubric_scores(out)}
    assert scores["1"].scores == (4.0, 4.0, 4.0) and scores["1"].mean == 4.0 and scores["1"].n_failed == 0
    assert scores["2"].scores == () and scores["2"].mean is None and scores["2"].n_failed == 3
    assert engine.store.count("judgments", engine.run_id) == 6


def test_meta_judge_compares_every_pair_in_both_orders(
    engine: Engine, echo_backend: Backend, echo_model: ModelSpec, template_file: Template
) -> None:
    judgments = ("A fair reading. Winner: Judgement A", "Too generous. Winner: Judgement A", "Score: 2")
    spec = JudgeSpec(
        model=echo_model, mode="meta", template=template_file("meta", "meta_winner", "{{ judgment_a }}")
    )
    inp = MetaInput(make_item("1"), "Four.", "m", judgments)
    out = meta_judge(engine, echo_backend, spec, load_template(spec.template_ref), [inp])
    assert len(out) == 6  # 3 pairs x 2 orders
    battles = meta_battles(out)
    # judgments 0 and 1 say "Winner: Judgement A" (the one shown first wins); judgment 2 gives no verdict
    assert battles["winner_position"].dropna().eq(1).all()
    assert battles["winner"].isna().sum() == 2


def test_call_failures_are_kept_not_dropped(
    engine: Engine, echo_backend: Backend, echo_pointwise: JudgeSpec, echo_server: FaultServer
) -> None:
    echo_server.config.fault_rate = 1.0
    echo_server.config.faults = ("500",)
    inputs = JudgeInputs.of([make_item("1")], [make_gen("1", "m", "[[5]]")])
    [j] = run_judge(engine, echo_backend, echo_pointwise, inputs)
    assert j.parse_status == "failed" and j.fields["failure"] == "call" and "500" in j.fields["error"]


def test_logprob_verdicts_fail_honestly_without_logprobs(
    engine: Engine, echo_backend: Backend, echo_model: ModelSpec
) -> None:
    # the echo server returns no log-probabilities and scores no chat contexts: no verdict is invented
    gens = [make_gen("1", "a", "x"), make_gen("1", "b", "y")]
    spec = JudgeSpec(model=echo_model, verdict="logprob")
    out = run_judge(engine, echo_backend, spec, JudgeInputs.of([make_item("1")], gens), baseline="a")
    assert [j.parse_status for j in out] == ["failed", "failed"]
    assert all(j.fields["failure"] == "logprob" and j.preference is None for j in out)


def test_logprob_mode_needs_labels(engine: Engine, echo_backend: Backend, echo_model: ModelSpec) -> None:
    spec = JudgeSpec(model=echo_model, mode="pointwise", verdict="logprob")
    with pytest.raises(ConfigError, match="no logprob labels"):
        run_judge(engine, echo_backend, spec, JudgeInputs.of([make_item("1")], [make_gen("1", "m", "x")]))


def test_samples_need_temperature() -> None:
    with pytest.raises(ValueError, match="temperature"):
        JudgeSpec(model=ModelSpec(name="j"), mode="rubric", n_samples=3)
