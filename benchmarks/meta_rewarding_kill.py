"""Kill a 1-iteration Meta-Rewarding run on SmolLM2 (4 prompts) in its judge stage, rerun, count calls.

    .venv/bin/python benchmarks/meta_rewarding_kill.py

Starts `alignscope train meta-rewarding` as a subprocess, SIGKILLs it once 40 judge-stage calls are stored,
reruns the same command and prints the calls stored before, the rerun's calls (cache hits, new calls) and
whether any stored call was made again (its row rewritten).
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

work = Path(tempfile.mkdtemp(prefix="mrkill-"))
ws, cfg = work / "ws", work / "mr.yaml"
config = {
    "name": "smollm2-mrkill",
    "model": "smollm2-135m",
    "prompts": "vicuna_bench",
    "prompt_limit": 4,
    "iterations": 1,
    "samples": 3,
    "max_tokens": 48,
    "judge_samples": 2,
    "judge_max_tokens": 24,
    "judge_unparsed": "conclude",
    "meta_verdict": "logprob",
    "dpo": {"learning_rate": 5e-6, "epochs": 1, "batch_size": 4, "max_length": 1024, "logging_steps": 1},
    "generation": {"batch_size": 8},
    "evaluation": None,
}
cfg.write_text(yaml.safe_dump(config))
db = ws / "alignscope.sqlite"
args = [
    sys.executable,
    "-m",
    "alignscope.cli.main",
    "train",
    "meta-rewarding",
    str(cfg),
    "--workspace",
    str(ws),
    "--json",
]
env = {**os.environ, "OMP_NUM_THREADS": "2", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def q(sql):
    with sqlite3.connect(db, timeout=30) as con:
        try:
            return con.execute(sql).fetchall()
        except sqlite3.OperationalError:
            return None


t0 = time.time()
proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
actor_calls = None
while proc.poll() is None:
    time.sleep(0.5)
    if not db.exists():
        continue
    gens = q("SELECT COUNT(*) FROM generations WHERE model LIKE 'iter1/response%'")
    if actor_calls is None and gens and gens[0][0]:
        actor_calls = q("SELECT COUNT(*) FROM calls")[0][0]
        print(
            f"actor stage done at {time.time() - t0:.0f}s: {gens[0][0]} responses, "
            f"{actor_calls} calls stored",
            flush=True,
        )
    if actor_calls is not None:
        n = q("SELECT COUNT(*) FROM calls")[0][0]
        if n >= actor_calls + 40:  # judge stage well under way
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            break
killed_at = time.time() - t0
print(f"killed with SIGKILL at {killed_at:.0f}s, rc {proc.returncode}", flush=True)
before = dict(q("SELECT key, created FROM calls"))
kinds = q("SELECT kind, COUNT(*) FROM calls GROUP BY kind")
judged = q("SELECT COUNT(*) FROM judgments")
print(f"stored before rerun: {len(before)} calls by kind {kinds}; judgments rows {judged}", flush=True)

t1 = time.time()
out = subprocess.run(args, env=env, capture_output=True, text=True)
rerun_s = time.time() - t1
assert out.returncode == 0, out.stderr[-3000:]
summary = json.loads(out.stdout)
after = dict(q("SELECT key, created FROM calls"))
repeated = [k for k, c in before.items() if after.get(k) != c]
print(f"rerun: {rerun_s:.0f}s, calls {summary['calls']}")
print(
    f"stored calls after: {len(after)} = {len(before)} + {len(after) - len(before)}; "
    f"stored calls re-made: {len(repeated)}"
)
print("checkpoints:", summary["checkpoints"])
print(json.dumps({k: v for k, v in summary["metrics"][-1].items() if k != "concrete"}, default=str))
