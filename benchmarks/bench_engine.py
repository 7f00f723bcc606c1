"""Engine benchmarks: throughput vs the concurrency/latency limit and vs a thread-pool client,
the cache-hit path, and the run store at 200k records.

Run: ``.venv/bin/python benchmarks/bench_engine.py [--requests 2000] [--concurrency 64] [--latency 0.1]``
The server (``alignscope.testing.fault_server``) runs in its own process on 127.0.0.1, so client CPU time is
the client's alone.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alignscope.backends.base import ChatRequest
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.engine import Engine
from alignscope.records import Judgment, Message, Provenance, SamplingParams
from alignscope.store import RunStore
from alignscope.store.export import export_run


def start_server(latency: float) -> tuple[subprocess.Popen[str], str]:
    """The fake OpenAI server in a subprocess; returns it and its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "alignscope.testing.fault_server", "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def requests(n: int, tag: str) -> list[ChatRequest]:
    return [
        ChatRequest(
            messages=(Message(role="user", content=f"{tag} {i}"),), sampling=SamplingParams(max_tokens=16)
        )
        for i in range(n)
    ]


def run_engine(url: str, ws: Path, n: int, concurrency: int, tag: str) -> tuple[float, float, Engine]:
    spec = ModelSpec(
        name="m", backend="openai", model="fault-model", base_urls=[url], max_concurrency=concurrency
    )
    engine = Engine(RunStore(ws), "bench", max_concurrency=concurrency, progress=False)
    backend = make_backend(spec)
    reqs = requests(n, tag)
    cpu0, t0 = time.process_time(), time.perf_counter()
    out = engine.generate(backend, reqs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    assert all(o.error is None for o in out)
    return wall, cpu, engine


def run_threadpool(url: str, n: int, concurrency: int, tag: str) -> tuple[float, float]:
    """The pattern of AlpacaEval / FastChat: ThreadPoolExecutor + a synchronous OpenAI client."""
    import openai

    client = openai.OpenAI(base_url=url, api_key="none", max_retries=5)

    def call(i: int) -> str:
        r = client.chat.completions.create(
            model="fault-model",
            messages=[{"role": "user", "content": f"{tag} {i}"}],
            max_tokens=16,
            temperature=0,
        )
        return r.choices[0].message.content or ""

    cpu0, t0 = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        out = list(pool.map(call, range(n)))
    assert len(out) == n
    return time.perf_counter() - t0, time.process_time() - cpu0


def store_at_scale(ws: Path, n: int) -> dict[str, float]:
    store = RunStore(ws)
    store.start_run("scale", "bench", {})
    prov = Provenance(model="judge", backend="openai", template_hash="abc", sampling=SamplingParams())
    judgments = [
        Judgment(
            judge="judge",
            mode="pairwise",
            item_id=str(i // 10),
            dataset="d",
            model_a=f"m{i % 10}",
            model_b="base",
            verdict="A",
            preference=0.7,
            fields={"k": i},
            raw="[[A>B]] because ...",
            provenance=prov,
            run_id="scale",
        )
        for i in range(n)
    ]  # fmt: skip
    t0 = time.perf_counter()
    store.put_judgments(judgments)
    t_write = time.perf_counter() - t0
    t0 = time.perf_counter()
    back = store.records("judgments", "scale")
    t_read = time.perf_counter() - t0
    assert len(back) == n
    t0 = time.perf_counter()
    export_run(store, "scale", ws / "export")
    t_export = time.perf_counter() - t0
    return {"write_s": t_write, "read_s": t_read, "export_s": t_export}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[64, 256])
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--records", type=int, default=200_000)
    args = ap.parse_args()
    n, lat = args.requests, args.latency
    proc, url = start_server(lat)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            ws = Path(tmp)
            for c in args.concurrency:
                limit = c / lat
                wall, cpu, _ = run_engine(url, ws / f"e{c}", n, c, f"engine{c}")
                tp_wall, tp_cpu = run_threadpool(url, n, c, f"threads{c}")
                hit_wall, _, hit_engine = run_engine(url, ws / f"e{c}", n, c, f"engine{c}")
                thr, tp_thr = n / wall, n / tp_wall
                print(
                    f"workload: {n} requests, concurrency {c}, "
                    f"latency {lat * 1000:.0f} ms, limit {limit:.0f} req/s"
                )
                print(
                    f"  alignscope engine : {thr:7.1f} req/s = {thr / limit:.3f} of limit, "
                    f"client CPU {cpu / n * 1e3:.3f} ms/req"
                )
                print(
                    f"  thread-pool client: {tp_thr:7.1f} req/s = {tp_thr / limit:.3f} of limit, "
                    f"client CPU {tp_cpu / n * 1e3:.3f} ms/req"
                )
                print(
                    f"  engine / thread-pool: throughput {thr / tp_thr:.2f}x, "
                    f"CPU per request {tp_cpu / cpu:.2f}x less"
                )
                print(f"  cache-hit rerun: {hit_wall:.3f} s, model calls made {hit_engine.stats.calls_made}")
            scale = store_at_scale(ws / "scale", args.records)
    finally:
        proc.kill()
    r = args.records
    print(
        f"store {r} judgments: write {r / scale['write_s']:,.0f}/s ({scale['write_s']:.2f} s), "
        f"read {r / scale['read_s']:,.0f}/s ({scale['read_s']:.2f} s), "
        f"parquet export {r / scale['export_s']:,.0f}/s ({scale['export_s']:.2f} s)"
    )


if __name__ == "__main__":
    main()
