"""A generate run killed with SIGKILL mid-way, restarted, repeats no finished call and loses nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from alignscope.store import RunStore
from alignscope.testing.fault_server import FaultConfig, FaultServer

N = 150


def _cmd(url: str, data: Path, ws: Path) -> list[str]:
    return [
        sys.executable, "-m", "alignscope.cli.main", "generate",
        "--model", f"openai:fault-model@{url}", "--data", str(data),
        "--workspace", str(ws), "--max-tokens", "8",
    ]  # fmt: skip


def _cached_digests(db: Path) -> set[str]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT response FROM calls").fetchall()
    except sqlite3.OperationalError:  # the run has created the file but not its tables yet
        rows = []
    finally:
        con.close()
    return {json.loads(r[0])["text"].split(":")[0].removeprefix("echo ") for r in rows}


def test_sigkill_then_resume_repeats_no_finished_call(tmp_path: Path) -> None:
    data = tmp_path / "prompts.jsonl"
    data.write_text(
        "".join(json.dumps({"id": f"q{i}", "prompt": f"prompt number {i}"}) + "\n" for i in range(N))
    )
    ws = tmp_path / "ws"
    server = FaultServer(FaultConfig(latency_s=0.25)).start()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        proc = subprocess.Popen(
            _cmd(server.url, data, ws), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        db = ws / "alignscope.sqlite"
        deadline = time.time() + 120
        while time.time() < deadline:
            if db.exists() and len(_cached_digests(db)) >= 20:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        finished_before_kill = _cached_digests(db)
        assert 20 <= len(finished_before_kill) < N, "the run must be killed mid-way"
        done = subprocess.run(
            _cmd(server.url, data, ws), env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-2000:]
    finally:
        server.stop()
    for digest in finished_before_kill:
        fp = next(f for f in server.stats.answered if f.startswith(digest))
        assert server.stats.answered[fp] == 1, "a call finished before the kill was repeated"
    store = RunStore(ws)
    gens = store.records("generations")
    assert len(gens) == N and all(g.error is None and g.text for g in gens)
    assert "model calls made" in done.stdout
