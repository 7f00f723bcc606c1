"""Inspect AI and lm-evaluation-harness logs, as those tools write them, read into alignscope records."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from eval_logs import INSPECT_ANSWERS, QUESTIONS

from alignscope.errors import ConfigError, DataError
from alignscope.io import metrics_table, read_inspect_log, read_lm_eval_samples, read_log


@pytest.mark.parametrize("fmt", ["eval", "json"])
def test_inspect_log_records(inspect_logs, fmt: str) -> None:
    path, log = inspect_logs[fmt]
    imported = read_inspect_log(path)
    assert (imported.source, imported.task, imported.model) == ("inspect", "tiny_qa", "mockllm/model")
    assert [i.id for i in imported.items] == [q["id"] for q in QUESTIONS]
    first = imported.items[0].messages
    assert [(m.role, m.content) for m in first] == [("system", "Answer briefly."), ("user", "What is 2+2?")]
    assert [g.text for g in imported.generations] == INSPECT_ANSWERS
    assert imported.items[1].target["target"] == "Paris"
    # Per-sample scores average to the metrics Inspect itself reported.
    reported = {f"tiny_qa/{s.name}": s.metrics["accuracy"].value for s in log.results.scores}
    assert imported.metrics() == pytest.approx(reported)
    assert reported["tiny_qa/includes"] == pytest.approx(2 / 3)


def test_inspect_formats_agree(inspect_logs) -> None:
    a = read_inspect_log(inspect_logs["eval"][0])
    b = read_inspect_log(inspect_logs["json"][0])
    assert a.responses() == b.responses()
    assert [(s.task, s.item_id, s.value) for s in a.scores] == [
        (s.task, s.item_id, s.value) for s in b.scores
    ]


def test_lm_eval_samples_records(lm_eval_output: Path) -> None:
    logs = {log.task: log for log in read_log(f"lm-eval:{lm_eval_output}")}
    assert set(logs) == {"tiny_gen", "tiny_mc"}
    gen, mc = logs["tiny_gen"], logs["tiny_mc"]
    assert [i.prompt for i in gen.items] == [f"Q: {q['question']}\nA:" for q in QUESTIONS]
    assert len(gen.generations) == 3 and not mc.generations  # log-likelihood tasks have no answer text
    [results_file] = lm_eval_output.rglob("results_*.json")
    results = json.loads(results_file.read_text())
    assert gen.model == results["model_name"]
    assert gen.metrics()["tiny_gen/exact_match"] == pytest.approx(
        results["results"]["tiny_gen"]["exact_match,none"]
    )
    assert mc.metrics()["tiny_mc/acc"] == pytest.approx(results["results"]["tiny_mc"]["acc,none"])
    rows = [json.loads(line) for line in next(lm_eval_output.rglob("samples_tiny_gen_*.jsonl")).open()]
    assert [g.text for g in gen.generations] == [r["resps"][0][0] for r in rows]


def test_bad_logs_are_one_line_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.eval"
    junk.write_text("not a zip")
    with pytest.raises(DataError, match="not a zip file"):
        read_inspect_log(junk)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}))
    with pytest.raises(DataError, match="not an Inspect log"):
        read_inspect_log(other)
    rows = tmp_path / "samples_x_2026-01-01T00-00-00.000.jsonl"
    rows.write_text(json.dumps({"doc": {}}) + "\n")
    with pytest.raises(DataError, match="line 1: not an lm-eval sample"):
        read_lm_eval_samples(rows)
    with pytest.raises(ConfigError, match="expected inspect:PATH or lm-eval:PATH"):
        read_log("helm:/x")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no lm-eval logs"):
        read_log(f"lm-eval:{tmp_path / 'empty'}")


def test_metrics_table_of_inspect_and_lm_eval_logs(inspect_logs, lm_eval_output: Path) -> None:
    path, log = inspect_logs["eval"]
    logs = [*read_log(f"inspect:{path}"), *read_log(f"lm-eval:{lm_eval_output}")]
    table = metrics_table(logs).set_index("model")
    [results_file] = lm_eval_output.rglob("results_*.json")
    results = json.loads(results_file.read_text())
    assert set(table.index) == {"mockllm/model", results["model_name"]}
    assert table.loc[results["model_name"], "tiny_mc/acc"] == pytest.approx(
        results["results"]["tiny_mc"]["acc,none"]
    )
    reported = {f"tiny_qa/{s.name}": s.metrics["accuracy"].value for s in log.results.scores}
    assert table.loc["mockllm/model", "tiny_qa/includes"] == pytest.approx(reported["tiny_qa/includes"])
    assert pd.isna(table.loc["mockllm/model", "tiny_mc/acc"])  # a model's missing metric is missing, not 0
    with pytest.raises(DataError, match="two logs give model mockllm/model the metric tiny_qa/match"):
        metrics_table([*logs, logs[0]])
