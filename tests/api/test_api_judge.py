"""``alignscope.judge`` and ``alignscope judge --json`` are one code path; answers come from answer files or
from Inspect AI logs (the log's model as the judged model). The judge is the fault-injection server's echo
model, which quotes the prompt back, so a rubric template showing the answer makes its ``Score: k`` the
verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_logs import inspect_run, qa_samples

import alignscope
from alignscope.errors import ConfigError

ANSWERS = {
    "mockllm/a": ["Score: 2", "Score: 4", "Score: 3"],
    "mockllm/b": ["Score: 5", "Score: 5.", "score: 5"],
}


def _rubric(tmp_path: Path) -> Path:
    path = tmp_path / "rubric.j2"
    path.write_text("{#\nmode: rubric\nparser: score_5\n#}\n{% block prompt %}{{ answer }}{% endblock %}")
    return path


def _without_calls(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k != "calls"}


def test_judge_api_equals_cli_json_on_inspect_logs(cli, tmp_path: Path, fault_server) -> None:
    logs = tmp_path / "logs"
    inspect_run(logs, qa_samples(), ANSWERS)
    judge, template, ws = f"openai:echo@{fault_server.url}", str(_rubric(tmp_path)), str(tmp_path / "ws")
    shown = cli("judge", "-j", judge, "--mode", "rubric", "--template", template, "--from", f"inspect:{logs}",
                "-w", ws, "--json")  # fmt: skip
    assert shown.code == 0, shown.err
    from_cli = json.loads(shown.out)
    result = alignscope.judge(
        judge, mode="rubric", template=template, from_logs=[f"inspect:{logs}"], workspace=ws
    )
    assert _without_calls(result.to_dict()) == _without_calls(from_cli)
    assert (
        result.calls["calls_made"] == 0 and result.calls["cache_hits"] == from_cli["calls"]["calls_made"] == 6
    )
    # each judged model is the log's model, its mean rubric score the mean of its logged answers' scores
    scores = result.models.set_index("model")["mean_score"].to_dict()
    assert scores == {"mockllm/a": pytest.approx(3.0), "mockllm/b": pytest.approx(5.0)}
    assert len(result.judgments) == 6 and all(j.parse_status == "ok" for j in result.judgments)
    # an eval log given as an answers entry is the same input, hence the same run
    again = alignscope.judge(
        judge, mode="rubric", template=template, answers=[f"inspect:{logs}"], workspace=ws
    )
    assert again.run_id == result.run_id and again.calls["calls_made"] == 0


def test_judge_api_raises_instead_of_exiting() -> None:
    with pytest.raises(ConfigError, match="give a config file or --judge"):
        alignscope.judge(run="r")
    with pytest.raises(ConfigError, match="expected inspect:PATH or lm-eval:PATH"):
        alignscope.judge("hf:smollm2-135m", from_logs=["helm:/x"])
