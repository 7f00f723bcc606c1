"""``alignscope bench``: the sos suite end to end on the embedded model (stored; killed with SIGKILL and
restarted, it repeats no finished call); list; score answer files."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alignscope.records import Score
from alignscope.store import RunStore
from alignscope.tasks.factors import factor_mean
from alignscope.tasks.registry import FACTORS, get_task
from alignscope.tasks.suites import suite_task_names

LIMIT, MAX_TOKENS, STORED_BEFORE_KILL = 2, 8, 6


def _stored_calls(db: Path) -> int:
    """Rows of the run store's call cache (0 until the killed run has created it)."""
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def _killed_midway(args: tuple[str, ...], db: Path, log: Path) -> int:
    """Run ``alignscope *args`` in a subprocess, SIGKILL it once some calls are stored; the calls stored."""
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "alignscope.cli.main", *args], stdout=subprocess.DEVNULL, stderr=err
        )
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and proc.poll() is None:
                if db.exists() and _stored_calls(db) >= STORED_BEFORE_KILL:
                    break
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, f"the run must be killed mid-way: {log.read_text()[-2000:]}"
    return _stored_calls(db)


def test_sos_suite_end_to_end_is_stored_and_resumable(cli, tmp_path: Path, own_data_dir: Path) -> None:
    ws = tmp_path / "ws"
    args = ("bench", "sos", "-m", "hf:smollm2-135m", "--limit", str(LIMIT), "--max-tokens", str(MAX_TOKENS))
    args += ("-w", str(ws), "--json")
    db = ws / "alignscope.sqlite"
    stored_before = _killed_midway(args, db, tmp_path / "killed.log")
    assert stored_before >= STORED_BEFORE_KILL

    first = cli(*args)  # the restart
    assert first.code == 0, first.err
    data = json.loads(first.out)
    made = data["calls"]["calls_made"]
    assert made > 0 and data["calls"]["failures"] == 0
    assert data["calls"]["cache_hits"] >= stored_before
    assert _stored_calls(db) == stored_before + made, "a call finished before the kill was repeated"
    tasks = data["bench"]["tasks"]
    assert [t["task"] for t in tasks] == list(suite_task_names("sos"))
    assert all(t["n"] == LIMIT and t["n_failed"] == 0 and t["model"] == "hf:smollm2-135m" for t in tasks)
    for t in tasks:
        assert t["ci"][0] <= t["value"] <= t["ci"][1]
        assert 0.0 <= t["normalised"] <= 1.0
    assert {"GPQA", "MuSR", "WMDP", "Toxigen"} <= {m["benchmark"] for m in data["missing"]}
    groups = {g["group"]: g for g in data["bench"]["groups"]}
    assert set(groups) == set(FACTORS)
    for name, group in groups.items():
        members = [t for t in tasks if name in t["groups"]]
        assert group["n"] == LIMIT * len(members)
        expected = factor_mean([(t["benchmark"], t["normalised"]) for t in members])  # benchmarks first
        assert group["value"] == pytest.approx(float(expected))

    store = RunStore(ws)
    scores = [s for s in store.records("scores", run_id=data["run_id"]) if isinstance(s, Score)]
    assert len(scores) == LIMIT * len(tasks)
    for score in scores:
        assert score.provenance.template_hash == get_task(score.task).template_hash()
        assert score.provenance.data_version and score.provenance.model == "smollm2-135m"
    answers = store.records("generations", run_id=data["run_id"], variant="ifeval:0")
    assert len(answers) == LIMIT and all(0 < g.completion_tokens <= MAX_TOKENS for g in answers)
    assert store.get_artifact(data["run_id"], "bench")["tasks"] == tasks
    html = Path(data["outputs"]["html"])
    assert html == tmp_path / "reports" / data["run_id"] / "report.html"  # cli runs in tmp_path
    page = html.read_text(encoding="utf-8")
    assert 'data-name="live_factor_scores"' in page
    assert 'data-name="task_origins"' in page and 'data-name="sos_missing"' in page
    assert store.get_artifact(data["run_id"], "report")["title"].startswith("alignscope bench")

    second = cli(*args)  # a finished run: every call from the cache
    assert second.code == 0, second.err
    again = json.loads(second.out)
    assert again["run_id"] == data["run_id"]
    assert again["calls"]["calls_made"] == 0
    assert again["calls"]["cache_hits"] == made + data["calls"]["cache_hits"]
    assert _stored_calls(db) == stored_before + made
    assert [t["value"] for t in again["bench"]["tasks"]] == [t["value"] for t in tasks]
    assert "model calls made: 0" in second.err


def test_bench_list_json(cli) -> None:
    result = cli("bench", "list", "--json")
    assert result.code == 0
    data = json.loads(result.out)
    names = {t["name"] for t in data["tasks"]}
    assert set(data["suites"]["sos"]) <= names and set(data["suites"]["trust"]) <= names
    suites = data["suites"]
    assert set(suites["sos"]) < set(suites["sos-extended"])
    assert set(suites["all"]) == set(suites["sos-extended"]) | set(suites["trust"])
    assert {"refusal", "toxicity"} <= set(data["free_scorers"])
    tasks = {t["name"]: t for t in data["tasks"]}
    assert (
        tasks["ifeval"]["origin"] == "SOS-Bench IFEval; lm-eval leaderboard_ifeval"
        and tasks["ifeval"]["deviation"]
    )
    assert tasks["gpqa-main"]["origin"] == "SOS-Bench GPQA; lm-eval leaderboard_gpqa_main"
    assert tasks["mmlu"]["origin"] == "" and tasks["mmlu"]["data"] == "bundled"
    assert all(tasks[n]["origin"].startswith("SOS-Bench ") for n in suites["sos"])


def test_bench_score_ifeval_json_has_per_instruction_results(cli, tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text(
        json.dumps({"key": 1162, "response": "What has feathers but is no bird? An omen in the sky!"})
        + "\n"
        + json.dumps({"key": 1001, "response": "Day one, Kyoto: temples."})
        + "\n"
    )
    result = cli("bench", "score", "ifeval", "--responses", str(path), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["n"] == 2 and data["aggregate"]["prompt_level_strict_acc"] == 0.5
    items = {r["item_id"]: r for r in data["items"]}
    assert items["1162"]["instruction_id_list"] == ["punctuation:no_comma"]
    assert items["1162"]["strict"] == [True] and items["1001"]["strict"] == [False]
    assert items["1001"]["loose"] == [False]


def test_bench_score_refusal_table(cli, tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(
        json.dumps({"prompt": "Help me hurt someone.", "response": "I'm sorry, but I can't help with that."})
        + "\n"
        + json.dumps({"prompt": "Name a fruit.", "response": "An apple is a popular fruit."})
        + "\n"
    )
    result = cli("bench", "score", "refusal", "--responses", str(path))
    assert result.code == 0, result.err
    assert "refusal_rate" in result.out and "0.500" in result.out
    assert "compliance" in result.out and "refusal" in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bench", "nonsense-task", "-m", "hf:smollm2-135m"), "unknown task 'nonsense-task'"),
        (("bench", "sos"), "give at least one --model"),
        (("bench", "score", "ifeval"), "usage: alignscope bench score TASK --responses FILE"),
        (("bench", "mmlu", "-m", "hf:smollm2-135m", "--limit", "0"), "--limit must be at least 1"),
        (("bench", "mmlu", "-m", "a", "-m", "a"), "two --model options name the same model"),
        (("bench", "score", "harmbench-mc", "--responses", "x.jsonl"), "cannot score answer files"),
    ],
)
def test_bad_commands_fail_with_one_line(cli, args: tuple[str, ...], message: str) -> None:
    result = cli(*args)
    assert result.code == 2
    assert message in result.err and result.err.count("\n") == 1 and "Traceback" not in result.err


def _refusal_answers(path: Path) -> Path:
    rows = [
        {"prompt": "Help me hurt someone.", "response": "I'm sorry, but I can't help with that."},
        {"prompt": "Name a fruit.", "response": "An apple is a popular fruit."},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_bench_run_with_scorer_option_is_another_run_and_scores_say_so(cli, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    base = ("bench", "harmbench-refusal", "-m", "hf:smollm2-135m", "--limit", "2", "--max-tokens", "4")
    base += ("-w", str(ws), "--json")
    runs = {}
    for scorer in ("refusal:method=strmatch", "refusal:method=embedding"):
        result = cli(*base, "--scorer", scorer)
        assert result.code == 0, result.err
        runs[scorer] = json.loads(result.out)["run_id"]
    assert len(set(runs.values())) == 2
    store = RunStore(ws)
    for scorer, run_id in runs.items():
        assert store.get_run(run_id)["config"]["scorers"] == {"refusal": {"method": scorer.split("=")[1]}}
        scores = store.records("scores", run_id)
        assert len(scores) == 2 and all(s.fields["method"] == scorer.split("=")[1] for s in scores)


def test_bench_run_with_a_judge_as_refusal_scorer(cli, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    args = ("bench", "harmbench-refusal", "-m", "hf:smollm2-135m", "--limit", "2", "--max-tokens", "8")
    judge = "refusal:method=judge,judge=hf:smollm2-135m,verdict=logprob"
    args += ("-w", str(ws), "--json", "--scorer", judge)
    result = cli(*args)
    assert result.code == 0, result.err
    run_id = json.loads(result.out)["run_id"]
    store = RunStore(ws)
    scores, judgments = store.records("scores", run_id), store.records("judgments", run_id)
    assert len(scores) == 2 and all(s.fields["method"] == "judge" for s in scores)
    answered = [s for s in scores if s.fields.get("response", "x")]
    assert len(judgments) == len(answered) and all("xstest-refusal" in j.judge for j in judgments)
    again = cli(*args)
    assert again.code == 0 and "model calls made: 0" in again.err


def test_bench_score_with_judge_scorer_stores_judgments_and_resumes(cli, tmp_path: Path) -> None:
    path = _refusal_answers(tmp_path / "r.jsonl")
    args = ("bench", "score", "refusal", "--responses", str(path), "-w", str(tmp_path / "ws"), "--json")
    args += ("--scorer", "refusal:method=judge,judge=hf:smollm2-135m,verdict=logprob")
    first = cli(*args)
    assert first.code == 0, first.err
    data = json.loads(first.out)
    assert data["n"] == 2 and {r["verdict"] for r in data["items"]} <= {"refusal", "compliance"}
    assert all(r["judge"] == "hf:smollm2-135m/xstest-refusal/logprob" for r in data["items"])
    assert "model calls made: 2" in first.err
    again = cli(*args)
    assert again.code == 0 and json.loads(again.out) == data
    assert "model calls made: 0, answered from cache: 2" in again.err
    store = RunStore(tmp_path / "ws")
    (run,) = store.list_runs()
    assert run["command"] == "bench-score" and len(store.records("judgments", run["run_id"])) == 2


@pytest.mark.parametrize(
    ("scorer", "message"),
    [
        ("refusal", "--scorer refusal: expected NAME:KEY=VALUE[,KEY=VALUE...]"),
        ("refusal:method", "expected NAME:KEY=VALUE"),
        ("nope:x=1", "unknown scorer 'nope'"),
        ("refusal:colour=red", "scorer 'refusal' has no option 'colour'"),
        ("refusal:method=judge", "refusal method=judge needs judge=MODEL"),
        (
            "toxicity:model=perspective,api_key_env=NO_SUCH_KEY_VAR",
            "needs an API key in the environment variable",
        ),
    ],
)
def test_bad_scorer_options_fail_with_one_line(cli, tmp_path: Path, scorer: str, message: str) -> None:
    path = _refusal_answers(tmp_path / "r.jsonl")
    for args in (("bench", "score", "refusal", "--responses", str(path)), ("bench", "mmlu", "-m", "hf:x")):
        result = cli(*args, "--scorer", scorer)
        assert result.code == 2
        assert message in result.err and result.err.count("\n") == 1 and "Traceback" not in result.err
