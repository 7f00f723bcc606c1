"""Judge templates: bundled ones load and version by hash; MT-Bench's are FastChat's prompts verbatim; users
add their own by path or by config; variants for references and later turns; errors name the problem."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from alignscope.data.registry import bundled_path
from alignscope.errors import ConfigError, DataError
from alignscope.hashing import text_hash
from alignscope.judges.modes import judge_mode_names
from alignscope.judges.templates import list_templates, load_template, template_for

FASTCHAT_NAMES = {
    "pair-v2": "mt-bench-pair",
    "pair-v2-multi-turn": "mt-bench-pair-multi-turn",
    "pair-math-v1": "mt-bench-pair-math",
    "pair-math-v1-multi-turn": "mt-bench-pair-math-multi-turn",
    "single-v1": "mt-bench-single",
    "single-math-v1": "mt-bench-single-math",
    "single-v1-multi-turn": "mt-bench-single-multi-turn",
    "single-math-v1-multi-turn": "mt-bench-single-math-multi-turn",
}


def test_every_bundled_template_loads_with_a_mode_parser_and_version() -> None:
    names = list_templates()
    assert {"arena-hard", "alpaca-eval", "sos-bench-criteria", "self-rewarding", "meta-rewarding"} <= set(
        names
    )
    for name in names:
        t = load_template(name)
        assert t.mode in judge_mode_names()
        assert t.version == text_hash(t.text)


def test_mt_bench_templates_render_fastchats_prompts_verbatim() -> None:
    with gzip.open(bundled_path("mt_bench", "judge_prompts.jsonl.gz"), "rt") as fh:
        prompts = [json.loads(line) for line in fh]
    assert len(prompts) == 8
    for row in prompts:
        variables = {v: f"<{v}>" for v in re.findall(r"\{(\w+)\}", row["prompt_template"])}
        messages = load_template(FASTCHAT_NAMES[row["name"]]).render(**variables)
        assert messages[0].role == "system" and messages[0].content == row["system_prompt"].strip()
        assert messages[1].content == row["prompt_template"].format(**variables)


def test_logprob_branch_asks_for_the_label_only() -> None:
    t = load_template("arena-hard")
    text = t.render(question="q", answer_a="a", answer_b="b")
    lp = t.render(question="q", answer_a="a", answer_b="b", logprob=True)
    assert "[[A>>B]]" in text[0].content and "[[A>>B]]" not in lp[0].content
    assert lp[1].content.endswith('"B" if assistant B\'s answer is better.')


def test_user_template_by_path_and_by_config(tmp_path: Path) -> None:
    path = tmp_path / "mine.j2"
    path.write_text(
        "{#\nmode: pointwise\nparser: rating_10\n#}\n{% block prompt %}Rate: {{ answer }}{% endblock %}"
    )
    by_path = load_template(str(path))
    by_name = load_template("house-style", {"house-style": str(path)})
    assert by_path.render(answer="hi")[0].content == "Rate: hi"
    assert by_name.version == by_path.version
    path.write_text(path.read_text().replace("Rate:", "Grade:"))
    assert load_template(str(path)).version != by_path.version


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{% block prompt %}x{% endblock %}", "YAML header"),
        ("{#\nmode: judge\nparser: rating_10\n#}{% block prompt %}x{% endblock %}", "unknown mode"),
        ("{#\nmode: pointwise\nparser: stars\n#}{% block prompt %}x{% endblock %}", "unknown parser"),
        ("{#\nmode: pointwise\nparser: rating_10\n#}no blocks", "no {% block prompt %}"),
        ("{#\nmode: pointwise\nparser: rating_10\n#}{% block prompt %}{{ x {% endblock %}", "invalid Jinja2"),
    ],
)
def test_bad_templates_give_one_line_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.j2"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_template(str(path))


def test_unknown_name_lists_choices_and_missing_variable_is_a_data_error() -> None:
    with pytest.raises(ConfigError, match="arena-hard"):
        load_template("no-such-judge")
    with pytest.raises(DataError, match="ref_answer_1"):
        load_template("mt-bench-single-math").render(question="q", answer="a")


def test_variants_for_reference_and_later_turns() -> None:
    base = load_template("mt-bench-single")
    assert template_for(base, multi_turn=False, reference=True).name == "mt-bench-single-math"
    assert template_for(base, multi_turn=True, reference=True).name == "mt-bench-single-math-multi-turn"
    assert template_for(base, multi_turn=True, reference=False).name == "mt-bench-single-multi-turn"
    arena = load_template("arena-hard")
    assert template_for(arena, multi_turn=True, reference=True) is arena
