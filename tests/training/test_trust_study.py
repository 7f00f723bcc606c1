"""The trust study end to end on a tiny random chat model (offline, CPU): every stage trains on a handful of
shipped HH-RLHF pairs, each checkpoint runs tiny subsets of the rlhf-trust tasks, a study killed by SIGKILL
mid-evaluation resumes without repeating a stored call or a finished stage, and the report shows the
tables and verdicts; ``--checkpoint`` builds the same report from given checkpoints."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from transformers import AutoModelForSequenceClassification

from alignscope.analysis.stage_deltas import Delta, Interval, StageChange, VerticalChange, stage_delta
from alignscope.data.sets.hh_rlhf import bundled_rows
from alignscope.errors import ConfigError, DataError
from alignscope.report.trust_study import verdict, vertical_verdict
from alignscope.store import RunStore
from alignscope.training.checkpoints import list_checkpoints
from alignscope.training.tiny import build_tiny_chat_model
from alignscope.training.trust_config import TrustStudyConfig
from alignscope.training.trust_study import MODELS, TRAIN_STAGES, marker_name, parse_checkpoints

TASKS = ["rlhf-toxicity-toxic", "rlhf-stereotype", "rlhf-ethics-ll", "rlhf-truthfulqa", "rlhf-privacy"]
STEPS = {"max_steps": 2, "batch_size": 4, "logging_steps": 1, "learning_rate": 1e-3, "max_length": 256}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The 8 shortest shipped harmless-base pairs (raw HH format) and a tiny model whose BPE learned them."""
    root = tmp_path_factory.mktemp("trust-study")
    rows = sorted(bundled_rows("hh_rlhf/harmless-base"), key=lambda r: len(r["chosen"]) + len(r["rejected"]))
    hh = root / "hh.jsonl"
    hh.write_text("".join(json.dumps(r) + "\n" for r in rows[:8]))
    corpus = [r["chosen"] + r["rejected"] for r in rows[:8]] * 4
    return {"hh": hh, "model": build_tiny_chat_model(root / "base", corpus, vocab_size=400, hidden_size=32)}


def study_config(files: dict[str, Path], **overrides: Any) -> dict[str, Any]:
    return {
        "model": str(files["model"]),
        "name": "tiny",
        "data": str(files["hh"]),
        "pairs": 6,
        "sft": STEPS,
        "dpo": STEPS,
        "rm": STEPS,
        "rl": {"max_steps": 1, "batch_size": 4, "num_generations": 2, "max_completion_length": 8},
        "tasks": TASKS,
        "limit": 2,
        "samples": 2,
        "max_tokens": 8,
        "n_boot": 200,
        "generation": {"batch_size": 4},
        **overrides,
    }


def _calls(db: Path) -> dict[str, float]:
    with sqlite3.connect(db, timeout=30) as con:
        return dict(con.execute("SELECT key, created FROM calls"))


def _count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db, timeout=30) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        return con.execute(sql).fetchone()[0] if {"calls", "artifacts"} <= tables else 0


def _kill_mid_evaluation(proc: subprocess.Popen, db: Path, log: Path, timeout_s: float = 240) -> None:
    """SIGKILL once the base model is evaluated and the next model's calls have begun."""
    deadline, stored = time.monotonic() + timeout_s, None
    base_done = f"SELECT COUNT(*) FROM artifacts WHERE name = '{marker_name('evaluate/base')}'"
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if stored is None and _count(db, base_done):
                stored = _count(db, "SELECT COUNT(*) FROM calls")
            elif stored is not None and _count(db, "SELECT COUNT(*) FROM calls") > stored:
                return
            time.sleep(0.02)
        tail = log.read_text(errors="replace")[-1500:]
        raise AssertionError(f"the study ended (rc {proc.poll()}) or stalled before evaluating sft: {tail}")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="module")
def resumed(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A study killed mid-evaluation by SIGKILL, then rerun to the end by the same command."""
    root = tmp_path_factory.mktemp("killed")
    config_file = root / "study.yaml"
    config_file.write_text(yaml.safe_dump(study_config(files)))
    ws = root / "ws"
    args = ["trust-study", str(config_file), "--workspace", str(ws), "--json", "--out", str(root / "report")]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    log = root / "killed.log"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "alignscope.cli.main", *args], env=env,
                                stdout=subprocess.DEVNULL, stderr=err)  # fmt: skip
        db = ws / "alignscope.sqlite"
        _kill_mid_evaluation(proc, db, log)
    killed = {"rc": proc.returncode, "calls": _calls(db), "checkpoints": list_checkpoints(ws)}
    done = subprocess.run(
        [sys.executable, "-m", "alignscope.cli.main", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {"ws": ws, "killed": killed, "summary": json.loads(done.stdout), "calls": _calls(db)}


def test_killed_study_resumes_without_repeating_a_call_or_a_stage(resumed: dict[str, Any]) -> None:
    killed, summary, after = resumed["killed"], resumed["summary"], resumed["calls"]
    assert killed["rc"] == -signal.SIGKILL
    assert set(killed["checkpoints"]) == {f"tiny-{s}" for s in TRAIN_STAGES}  # all trained before the kill
    assert all(after[k] == created for k, created in killed["calls"].items())  # no stored call made again
    assert len(after) == len(killed["calls"]) + summary["calls"]["calls_made"]
    assert summary["calls"]["calls_made"] > 0 and summary["calls"]["failures"] == 0
    assert list_checkpoints(resumed["ws"]) == killed["checkpoints"]  # no finished stage trained again
    assert summary["models"] == list(MODELS)


def test_every_stage_trained_registered_and_evaluated(resumed: dict[str, Any]) -> None:
    ws, run_id = resumed["ws"], resumed["summary"]["run_id"]
    store = RunStore(ws)
    entries = list_checkpoints(ws)
    assert {e.kind for e in entries.values()} == {"sft", "dpo", "rm", "rloo"}
    assert entries["tiny-dpo"].base_model == entries["tiny-ppo"].base_model == "tiny-sft"
    rm = AutoModelForSequenceClassification.from_pretrained(ws / entries["tiny-rm"].path)
    assert rm.config.num_labels == 1
    for stage in TRAIN_STAGES:
        marker = store.get_artifact(run_id, marker_name(stage))
        assert marker["checkpoint"] == f"tiny-{stage}" and marker["rows"] == 6 and marker["wall_s"] > 0
    assert "last_reward" in store.get_artifact(run_id, marker_name("ppo"))  # RL logged the RM's reward
    for model in MODELS:
        body = store.get_artifact(run_id, marker_name(f"evaluate/{model}"))
        assert [t["task"] for t in body["tasks"]] == TASKS
        assert all(len(body["items"][t]) == 2 for t in TASKS)  # --limit 2 per task
        scores = store.records("scores", run_id, model=model)
        assert {s.task for s in scores} == set(TASKS)


def test_report_has_tables_verdicts_and_plots(resumed: dict[str, Any]) -> None:
    summary = resumed["summary"]
    html = Path(summary["outputs"]["html"]).read_text(encoding="utf-8")
    for name in ("verticals", "tasks", "stage_deltas", "training_stages"):
        assert f"{name}" in html
    assert 'data-name="verticals"' in html and 'data-name="stage_deltas"' in html
    assert "RLOO from sft against the reward model" in html  # the ppo arm says what it is
    vertical = [v for v in summary["verdicts"] if " score (0 worst, 1 best): " in v]
    assert len(vertical) == 3 * 5  # sft, dpo and ppo against their parents, each of the five verticals
    assert len(summary["verdicts"]) - len(vertical) == 3 * len(TASKS)  # and each task
    assert any(v.startswith("DPO ") and "the privacy score" in v for v in vertical)
    assert 'data-name="vertical_deltas"' in html
    assert all(" at 95% (" in v for v in summary["verdicts"])
    assert any(v.startswith("SFT ") and "(rlhf-stereotype)" in v for v in summary["verdicts"])
    assert all(v.split(":")[1].strip().split()[0] in ("yes", "no") for v in summary["verdicts"])


def _main(args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    from alignscope.cli.main import main

    monkeypatch.setattr(sys, "argv", ["alignscope", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    return exited.value.code or 0


def test_checkpoints_trained_elsewhere_are_evaluated_and_reported(
    resumed: dict[str, Any], files: dict[str, Path], tmp_path: Path, capsys, monkeypatch
) -> None:
    ws = resumed["ws"]
    sft = ws / list_checkpoints(ws)["tiny-sft"].path
    evaluation = {"tasks": TASKS[1:3], "limit": 2, "samples": 2, "max_tokens": 8, "n_boot": 200}
    config_file = tmp_path / "eval.yaml"
    config_file.write_text(yaml.safe_dump(evaluation))
    args = ["trust-study", str(config_file), "--checkpoint", f"base={files['model']}", "--checkpoint"]
    args += [f"sft={sft}", "--workspace", str(tmp_path / "ws"), "--json", "--out", str(tmp_path)]
    assert _main(args, monkeypatch) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["models"] == ["base", "sft"] and len(summary["verdicts"]) == 2 + 2  # 2 verticals, 2 tasks
    assert not list_checkpoints(tmp_path / "ws")  # nothing trained
    assert "stage_deltas" in Path(summary["outputs"]["html"]).read_text(encoding="utf-8")


def test_bad_input_is_one_line(files: dict[str, Path], tmp_path: Path, capsys, monkeypatch) -> None:
    args = ["trust-study", "--checkpoint", "rm=somewhere", "--workspace", str(tmp_path)]
    assert _main(args, monkeypatch) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "MODEL=PATH" in err
    with pytest.raises(ConfigError, match="at least base"):
        parse_checkpoints(["sft=x"])
    with pytest.raises(ValueError, match="set by the study"):
        TrustStudyConfig.model_validate(study_config(files, sft={"model": "other"}))


def test_paired_delta_is_the_mean_difference_and_covers_a_known_shift() -> None:
    exact = stage_delta({"a": 1.0, "b": 0.0, "c": 1.0}, {"a": 0.0, "b": 0.0, "c": 0.5, "d": 9.0})
    assert exact.paired and exact.n == 3 and exact.estimate.value == pytest.approx(0.5)
    same = stage_delta({"a": 0.3, "b": 0.7}, {"a": 0.3, "b": 0.7})
    assert (same.estimate.value, same.estimate.low, same.estimate.high) == (0.0, 0.0, 0.0)
    rng = np.random.default_rng(1)
    base = rng.normal(0, 1, 400)
    child = base + 0.3 + rng.normal(0, 0.2, 400)  # paired: a shift of 0.3 with small per-item noise
    delta = stage_delta({str(i): c for i, c in enumerate(child)}, {str(i): b for i, b in enumerate(base)})
    assert delta.estimate.low < 0.3 < delta.estimate.high and delta.estimate.high - delta.estimate.low < 0.06
    unpaired = stage_delta({"x": 1.0, "y": 2.0}, {"z": 0.0, "w": 1.0})
    assert not unpaired.paired and unpaired.estimate.value == pytest.approx(1.0)
    with pytest.raises(DataError):
        stage_delta({}, {"a": 1.0})


def test_verdicts_say_which_way_and_whether_the_interval_shows_it() -> None:
    def change(value: float, low: float, high: float) -> StageChange:
        return StageChange("sft", "base", "rlhf-stereotype", "stereotype_bias", "agreeability_index", False,
                           Delta(Interval(value, low, high), 40, True))  # fmt: skip

    raised = verdict(change(0.12, 0.03, 0.2), 0.95)
    assert (
        raised.startswith("SFT raised stereotype agreement (rlhf-stereotype): yes at 95%")
        and "worse" in raised
    )
    assert verdict(change(-0.05, -0.1, 0.01), 0.95).startswith("SFT lowered stereotype agreement")
    assert ": no at 95%" in verdict(change(-0.05, -0.1, 0.01), 0.95)
    assert "rough" not in raised  # 40 items
    few = StageChange("dpo", "sft", "rlhf-privacy", "privacy", "leakage_rate", False,
                      Delta(Interval(-0.5, -1.0, -0.1), 2, True))  # fmt: skip
    assert verdict(few, 0.95).endswith("better; only 2 items: a rough interval)")
    raised_score = VerticalChange("sft", "base", "stereotype_bias", Delta(Interval(0.1, 0.02, 0.2), 40, True))
    line = vertical_verdict(raised_score, 0.95)
    assert line.startswith("SFT raised the stereotype bias score (0 worst, 1 best): yes at 95%")
    assert line.endswith("better)")  # a vertical score is higher-is-better, whatever its tasks' metrics
