"""User-visible speed of the commands that show judged numbers, at an older revision and in this checkout.

    .venv/bin/python benchmarks/bench_judge_commands.py --old REV [--repeats 3]

Each command runs as a user runs it (a fresh interpreter: imports, data loading, analysis, JSON output) on
the judgments shipped with alignscope, alternately from ``git archive REV src`` and from this checkout's
``src``; the table gives the median wall time of ``--repeats`` runs of each and checks that both give the
same win rates, LC win rates and ratings.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "leaderboard --shipped alpaca_eval (40 models, BT 1,000 rounds, style control)": [
        "leaderboard", "--shipped", "alpaca_eval", "--json",
    ],
    "leaderboard --shipped arena_bench_v1 (15 models, ~31k battles)": [
        "leaderboard", "--shipped", "arena_bench_v1", "--json",
    ],
    "audit-judge --shipped alpaca_eval": ["audit-judge", "--shipped", "alpaca_eval", "--json"],
}  # fmt: skip
NUMBERS = ["win_rate", "standard_error", "lc_win_rate", "lc_standard_error", "rating", "rating_sc"]


def _run(src: Path, args: list[str], cwd: Path) -> tuple[float, dict]:
    env = os.environ | {"PYTHONPATH": str(src), "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    code = (
        "import sys; from alignscope.cli.main import main; sys.argv = ['alignscope', *sys.argv[1:]]; main()"
    )
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - start, json.loads(out.stdout)


def _numbers(result: dict) -> dict[tuple[str, str], float]:
    rows = result.get("models") or []
    if not rows:  # audit-judge: the verbosity-gaming families carry its win rates
        gaming = result["verbosity_gaming"]
        return {("gameability", k): v for k, v in gaming.get("gameability", {}).items()}
    return {(r["model"], k): r[k] for r in rows for k in NUMBERS if r.get(k) is not None}


def _max_difference(old: dict, new: dict) -> float:
    a, b = _numbers(old), _numbers(new)
    if set(a) != set(b):
        raise SystemExit(f"different numbers: {sorted(set(a) ^ set(b))[:5]}")
    return max((abs(a[k] - b[k]) for k in a), default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", required=True, help="git revision to compare with")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old_src = Path(tmp) / "old"
        old_src.mkdir()
        archive = subprocess.run(
            ["git", "archive", args.old, "src"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(old_src)], input=archive.stdout, check=True)
        sides = {"old": old_src / "src", "new": ROOT / "src"}
        print(f"| command | {args.old} | this checkout | new / old | max difference |")
        print("|---|---|---|---|---|")
        for name, cmd in COMMANDS.items():
            times: dict[str, list[float]] = {"old": [], "new": []}
            results: dict[str, dict] = {}
            for _ in range(args.repeats):
                for side, src in sides.items():
                    seconds, results[side] = _run(src, cmd, Path(tmp))
                    times[side].append(seconds)
            old, new = statistics.median(times["old"]), statistics.median(times["new"])
            diff = _max_difference(results["old"], results["new"])
            print(f"| {name} | {old:.2f} s | {new:.2f} s | {new / old:.2f} | {diff:.2g} |", flush=True)


if __name__ == "__main__":
    main()
