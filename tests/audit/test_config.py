"""Audit configs: YAML loading with one-line errors, and the embedded default."""

from __future__ import annotations

from pathlib import Path

import pytest

from alignscope.auditing.config import load_audit_config, with_overrides
from alignscope.auditing.default import BASELINE, DEFAULT_JUDGE_LIMIT, DEFAULT_LIMIT, default_config
from alignscope.auditing.run import audit_run_id
from alignscope.errors import ConfigError

GOOD = """
models:
  - {name: base, model: smollm2-135m}
  - {name: pirate, model: smollm2-135m, system_prompt: "Talk like a pirate."}
judges:
  - model: {name: judge, model: smollm2-135m}
    mode: pairwise
    template: alpaca-eval
    verdict: logprob
baseline: base
suites: [sos]
limit: 3
seed: 7
"""

STRENGTH = "strength: {{base: {base}, aligned: {aligned}}}\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "audit.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_yaml_config_loads_with_its_models_judges_and_settings(tmp_path):
    cfg = load_audit_config(_write(tmp_path, GOOD))
    assert [m.name for m in cfg.models] == ["base", "pirate"]
    assert cfg.judges[0].verdict == "logprob" and cfg.judges[0].label == "judge/alpaca-eval/logprob"
    assert (cfg.limit, cfg.seed, cfg.suites, cfg.baseline_name) == (3, 7, ["sos"], "base")
    assert cfg.published is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("name: pirate", "name: base"), "given twice"),
        (GOOD.replace("baseline: base", "baseline: nobody"), "baseline 'nobody' is not one of the models"),
        (GOOD + "colour: blue\n", "colour: unknown field"),
        (GOOD.replace("limit: 3", "limit: 0"), "limit"),
        ("models: [}", "invalid YAML"),
        (
            GOOD + STRENGTH.format(base="judge/alpaca-eval/logprob", aligned="nobody"),
            "strength.aligned 'nobody'",
        ),
        (
            GOOD + STRENGTH.format(base="judge/alpaca-eval/logprob", aligned="judge/alpaca-eval/logprob"),
            "name the same judge",
        ),
        (
            GOOD.replace("verdict: logprob", "verdict: text")
            + STRENGTH.format(base="judge/alpaca-eval", aligned="judge/alpaca-eval"),
            "verdict: logprob",
        ),
    ],
)
def test_bad_configs_fail_with_one_line_naming_the_problem(tmp_path, text, message):
    with pytest.raises(ConfigError) as err:
        load_audit_config(_write(tmp_path, text))
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(tmp_path / "audit.yaml") in str(err.value)


def test_the_default_makes_at_least_five_distinct_models_judged_against_plain_by_logprob():
    cfg = default_config(limit=2)
    prompts = [m.system_prompt for m in cfg.models]
    assert len(cfg.models) >= 5 and len(set(prompts)) == len(prompts)
    assert {m.model for m in cfg.models} == {"smollm2-135m"}
    assert cfg.baseline_name == BASELINE and cfg.models[0].system_prompt is None
    judge = cfg.judges[0]
    assert (judge.mode, judge.verdict, judge.model.model, judge.swap) == (
        "pairwise",
        "logprob",
        "smollm2-135m",
        True,
    )
    assert cfg.suites == ["sos"] and cfg.limit == 2
    assert cfg.suite_max_tokens is not None and cfg.suite_max_tokens <= cfg.sampling.max_tokens


def test_run_id_depends_on_what_is_evaluated_not_on_where_outputs_go():
    cfg = default_config(limit=2)
    assert audit_run_id(cfg) == audit_run_id(cfg.model_copy(update={"out": "elsewhere"}))
    assert audit_run_id(cfg) != audit_run_id(default_config(limit=3))


def test_the_default_gives_the_judge_more_prompts_than_each_task_items_and_limit_sets_both():
    cfg = default_config()
    assert (cfg.limit, cfg.judge_items) == (DEFAULT_LIMIT, DEFAULT_JUDGE_LIMIT)
    assert DEFAULT_JUDGE_LIMIT >= 5  # the length-controlled win rate needs 5 verdicts per model
    assert (default_config(limit=2).limit, default_config(limit=2).judge_items) == (2, 2)


def test_command_line_overrides_are_applied_and_validated(tmp_path):
    cfg = load_audit_config(_write(tmp_path, GOOD + "judge_limit: 6\nsuite_max_tokens: 48\n"))
    assert (cfg.limit, cfg.judge_items) == (3, 6)
    same = with_overrides(cfg)
    assert same == cfg
    changed = with_overrides(cfg, limit=2, seed=1, out="o", max_tokens=32, published=False)
    assert (changed.limit, changed.judge_items, changed.seed, changed.out) == (2, 2, 1, "o")
    assert (changed.sampling.max_tokens, changed.suite_max_tokens, changed.published) == (32, 32, False)
    assert with_overrides(cfg, max_tokens=100).suite_max_tokens == 48
    with pytest.raises(ConfigError) as err:
        with_overrides(cfg, limit=0, where="command line")
    assert "limit" in str(err.value) and "command line" in str(err.value) and "\n" not in str(err.value)


def test_the_default_caps_math_hard_and_the_facts_say_so():
    from alignscope.auditing.run import _token_caps
    from alignscope.tasks.math_hard import MAX_NEW_TOKENS
    from alignscope.tasks.suites import resolve_tasks

    cfg = default_config()
    assert "math-hard" in {t.name for t in resolve_tasks(cfg.suites)[0]}
    assert cfg.suite_max_tokens is not None and cfg.suite_max_tokens < MAX_NEW_TOKENS
    caps = _token_caps(cfg)
    assert f"math-hard's solutions are cut at {cfg.suite_max_tokens} of lm-eval's 1,024" in caps
    uncapped = cfg.model_copy(update={"suite_max_tokens": MAX_NEW_TOKENS})
    assert "math-hard" not in _token_caps(uncapped)
    assert f"{MAX_NEW_TOKENS} per answer of a generation task" in _token_caps(uncapped)
