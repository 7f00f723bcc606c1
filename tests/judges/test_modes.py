"""Judge modes and verdict parsers are registered one way: a mode written in a new module, registered through
the public API alone, runs end to end on the embedded SmolLM2; installed plugins are found by their entry
point; taken names and unknown names are one-line ConfigErrors."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from judge_records import make_gen, make_item
from pydantic import ValidationError

from alignscope import plugins
from alignscope.backends.base import Backend
from alignscope.config import ModelSpec
from alignscope.engine.runner import Engine
from alignscope.errors import ConfigError
from alignscope.judges import (
    JudgeInputs,
    JudgeMode,
    JudgeSpec,
    get_judge_mode,
    judge_mode_names,
    judge_modes,
    register_judge_mode,
    run_judge,
    summarise,
    verdict_parser,
)
from alignscope.judges.modes import JUDGE_MODES
from alignscope.judges.parsing import VERDICT_PARSERS, parse

HF = ModelSpec(name="smollm2", backend="hf", model="smollm2-135m", batch_size=8)
BUILT_IN = {
    "pairwise": ("pair", "arena-hard"),
    "criteria": ("pair", "sos-bench-criteria"),
    "criteria-split": ("pair", "sos-bench-criterion"),
    "pointwise": ("single", "mt-bench-single"),
    "rubric": ("single", "self-rewarding"),
    "meta": ("meta", "meta-rewarding"),
    "annotator": ("annotator", None),
    "scenario": ("annotator", "scenario-groups"),
}

MODE_MODULE = '''
"""A judge mode: does the answer address the question? Scored by P(Yes) as the judge's reply."""

from alignscope.judges import JudgeCall, Parsed, VerdictParseError, judge_mode, run_calls, verdict_parser


@verdict_parser("yes_no")
def parse_yes_no(text, labels=None):
    found = {w.strip(".,!").lower() for w in text.split()} & {"yes", "no"}
    if len(found) != 1:
        raise VerdictParseError("no single yes or no")
    return Parsed(score=1.0 if found == {"yes"} else 0.0)


def share_of_yes(judgments):
    scores = [j.score for j in judgments if j.score is not None]
    return {"p_yes": sum(scores) / len(scores)}


@judge_mode("answer-check", kind="single", summarise=share_of_yes)
def check_answers(job):
    """Whether each answer addresses its question."""
    template = job.template()
    calls = []
    for gen in job.generations():
        item = job.inputs.items[(gen.dataset, gen.item_id)]
        messages = template.render(question=item.prompt, answer=gen.text)
        calls.append(JudgeCall(messages, template, item, gen.model))
    return run_calls(job.engine, job.backend, job.spec, calls, job.spec.label)
'''

MODULES = ("answer_check_mode", "answer_check_copy", "answer_check_plugin")
TEMPLATE = """{#
mode: answer-check
parser: yes_no
labels: {"Yes": 1, "No": 0}
#}
{% block prompt %}Question: {{ question }}
Answer: {{ answer }}
Does the answer address the question? Reply Yes or No.{% endblock %}"""


@pytest.fixture
def registries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The judge mode and parser registries as they are, restored after the test, and the test's own
    modules forgotten."""
    for registry in (JUDGE_MODES, VERDICT_PARSERS):
        registry.discover()
        monkeypatch.setattr(registry, "_entries", dict(registry._entries))
    yield
    for name in MODULES:
        sys.modules.pop(name, None)


def write_module(folder: Path, name: str, source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(folder))


def test_built_in_modes_are_discovered_with_their_kind_and_default_template() -> None:
    found = {m.name: (m.kind, m.template) for m in judge_modes()}
    assert found == BUILT_IN
    assert judge_mode_names("pair") == ["criteria", "criteria-split", "pairwise"]
    assert JudgeSpec(model=HF, mode="rubric").template_ref == "self-rewarding"


@pytest.mark.usefixtures("registries")
def test_a_mode_from_a_new_module_runs_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine, hf_smollm2: Backend
) -> None:
    write_module(tmp_path, "answer_check_mode", MODE_MODULE, monkeypatch)
    importlib.import_module("answer_check_mode")
    mode = get_judge_mode("answer-check")
    assert (mode.kind, mode.template, mode.description) == (
        "single",
        None,
        "Whether each answer addresses its question.",
    )
    assert parse("yes_no", "Yes, it does.").score == 1.0
    with pytest.raises(ConfigError, match="mode answer-check has no default template"):
        _ = JudgeSpec(model=HF, mode="answer-check").template_ref

    template = tmp_path / "answer-check.j2"
    template.write_text(TEMPLATE)
    spec = JudgeSpec(
        model=HF, mode="answer-check", template=str(template), verdict="logprob", logprob_max_tokens=1
    )
    gens = [make_gen("1", "right", "4"), make_gen("1", "off", "I like turtles.")]
    out = run_judge(engine, hf_smollm2, spec, JudgeInputs.of([make_item("1")], gens))

    assert len(out) == 2
    for j in out:
        assert (j.mode, j.judge, j.parse_status) == (
            "answer-check",
            "smollm2/answer-check/logprob",
            "logprob",
        )
        assert 0.0 < j.score < 1.0
        assert j.score == pytest.approx(j.fields["label_probs"]["Yes"], abs=1e-5)
    stored = engine.store.records("judgments", engine.run_id)
    assert sorted(j.score for j in stored) == pytest.approx(sorted(j.score for j in out))
    rows = {r["model"]: r for r in summarise(out)}
    assert set(rows) == {"right", "off"}
    for model, row in rows.items():
        [judgment] = [j for j in out if j.model_a == model]
        assert row["judgments"] == 1 and row["p_yes"] == pytest.approx(judgment.score)


@pytest.mark.usefixtures("registries")
def test_a_taken_name_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pairwise = get_judge_mode("pairwise")
    with pytest.raises(ConfigError, match="mode 'pairwise' is already registered"):
        register_judge_mode(JudgeMode("pairwise", kind="single", judge=pairwise.judge))
    with pytest.raises(ConfigError, match="parser 'verdict_5' is already registered"):
        verdict_parser("verdict_5")(lambda text, labels=None: None)
    assert register_judge_mode(pairwise) is pairwise  # the same mode again is no conflict
    write_module(tmp_path, "answer_check_mode", MODE_MODULE, monkeypatch)
    write_module(tmp_path, "answer_check_copy", MODE_MODULE, monkeypatch)
    importlib.import_module("answer_check_mode")
    with pytest.raises(ConfigError, match="already registered"):
        importlib.import_module("answer_check_copy")
    assert get_judge_mode("pairwise").template == "arena-hard"


@pytest.mark.usefixtures("registries")
def test_an_installed_plugin_is_found_by_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_module(tmp_path, "answer_check_plugin", MODE_MODULE, monkeypatch)
    dist = tmp_path / "answer_check_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: answer-check-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[alignscope.plugins]\nanswer-check = answer_check_plugin\n")
    monkeypatch.setattr(plugins, "_plugins_loaded", False)
    monkeypatch.setattr(JUDGE_MODES, "_discovered", False)
    assert "answer_check_plugin" not in sys.modules
    assert JudgeSpec(model=HF, mode="answer-check").mode == "answer-check"
    assert "answer-check" in judge_mode_names("single")


def test_unknown_modes_are_one_line_errors_naming_the_choices() -> None:
    with pytest.raises(
        ConfigError,
        match=r"unknown mode 'judge' \(choose annotator, criteria, criteria-split, meta, pairwise",
    ):
        get_judge_mode("judge")
    with pytest.raises(ValidationError, match="unknown mode 'judge'"):
        JudgeSpec(model=HF, mode="judge")
    with pytest.raises(ValueError, match="kind must be one of pair, single, meta, annotator"):
        JudgeMode("odd", kind="triple", judge=get_judge_mode("pairwise").judge)  # type: ignore[arg-type]


def test_annotator_mode_runs_through_run_judge_with_one_store_variant_per_stage(
    engine: Engine, echo_backend: Backend, echo_model: ModelSpec
) -> None:
    """The echo judge quotes the bundled prompts back (no JSON): every stage's call fails to parse, and each
    failure is stored under its stage, none overwriting another."""
    spec = JudgeSpec(model=echo_model, mode="annotator", parse_retries=0)
    gens = [make_gen("1", "a", "Four."), make_gen("1", "b", "4")]
    out = run_judge(engine, echo_backend, spec, JudgeInputs.of([make_item("1")], gens), models=["b"])

    stages = sorted((j.fields["stage"], j.model_a) for j in out)
    assert stages == [("errors", "b"), ("query", "(query)"), ("query_aware", "b"), ("query_free", "b")]
    assert {(j.mode, j.judge, j.parse_status) for j in out} == {("annotator", "echo/annotator", "failed")}
    assert len(engine.store.records("judgments", engine.run_id)) == 4
    assert {r["model"]: r["judgments"] for r in summarise(out)} == {"(query)": 1, "b": 3}
