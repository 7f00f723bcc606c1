"""Local generation on CPU: SmolLM2-135M tokens/s, hf one prompt at a time (baseline) vs hf batched vs
alignscope's llamacpp backend (llama.cpp's server engine in-process, one parallel slot per prompt of a batch)
vs llama.cpp in-process through llama-cpp-python vs llama-cpp-python's OpenAI-compatible server answering
several concurrent clients vs llama.cpp's own ``llama-server`` with one parallel slot per client, all greedy
on the same MT-Bench first turns, in one run.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_local_generation.py [--prompts 16] [--max-tokens 64]
        [--batches 8 16] [--clients 1 4] [--llama-server PATH]

Threads: torch follows OMP_NUM_THREADS; llama.cpp gets the same count. Prints one row per engine with
generated tokens, wall and CPU seconds (for the server: the server process's), tokens per wall second and
per CPU second, and the ratio to the baseline in tokens per CPU second (the fair measure on a machine that
other work shares). llama-cpp-python's server answers one request at a time (no parallel slots): concurrent
clients queue.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import torch

from alignscope.backends.base import ChatRequest
from alignscope.backends.embedded import embedded_model_path
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.data.registry import get_dataset
from alignscope.records import SamplingParams


def backend_tokens(
    requests: list[ChatRequest], batch: int, options: dict | None = None, kind: str = "hf"
) -> int:
    """Generated tokens for ``requests`` through alignscope's ``kind`` backend, ``batch`` prompts per call
    (for llamacpp: ``batch`` parallel slots, each prompt of a call on its own)."""
    backend = make_backend(ModelSpec(name="bench", backend=kind, batch_size=batch, options=options or {}))
    total = 0
    for i in range(0, len(requests), batch):
        results = asyncio.run(backend.generate(requests[i : i + batch], "local"))
        total += sum(r.completion_tokens or 0 for r in results)
    return total


def llamacpp_tokens(requests: list[ChatRequest], llm) -> int:
    """Generated tokens for ``requests`` through llama-cpp-python's chat completion, one at a time."""
    total = 0
    for r in requests:
        out = llm.create_chat_completion(
            messages=[m.model_dump() for m in r.messages],
            max_tokens=r.sampling.max_tokens,
            temperature=0.0,
        )
        total += out["usage"]["completion_tokens"]
    return total


def server_tokens(requests: list[ChatRequest], base_url: str, clients: int) -> int:
    """Generated tokens for ``requests`` sent to a chat-completions server by ``clients`` clients at once."""

    def one(r: ChatRequest) -> int:
        body = {
            "model": "smollm2-135m",
            "messages": [m.model_dump() for m in r.messages],
            "max_tokens": r.sampling.max_tokens,
            "temperature": 0.0,
        }
        reply = httpx.post(f"{base_url}/chat/completions", json=body, timeout=600.0)
        reply.raise_for_status()
        return reply.json()["usage"]["completion_tokens"]

    with ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(one, requests))


def _served_rows(name: str, server_cm, match: str, requests: list[ChatRequest], clients: list[int]) -> list:
    """One row per client count against the server ``server_cm`` starts (CPU seconds: the server process's,
    found among this process's children by ``match`` in its command line)."""
    rows = []
    with server_cm as base_url:
        server = next(p for p in psutil.Process().children() if match in " ".join(p.cmdline()))
        server_tokens(requests[:1], base_url, 1)
        for n in clients:
            cpu, start = sum(server.cpu_times()[:2]), time.perf_counter()
            tokens = server_tokens(requests, base_url, n)
            wall = time.perf_counter() - start
            rows.append((f"{name}, {n} clients", tokens, wall, sum(server.cpu_times()[:2]) - cpu))
    return rows


def server_rows(requests: list[ChatRequest], threads: int, clients: list[int], binary: str | None) -> list:
    """Rows for llama-cpp-python's server (one request at a time) and, given its binary, llama.cpp's own
    ``llama-server`` with as many parallel slots as clients."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from servers import llama_cpp_server, native_llama_server

    model = embedded_model_path("smollm2-135m")
    rows = _served_rows(
        "llama-cpp-python server", llama_cpp_server(model, n_threads=threads), "llama_cpp.server", requests,
        clients,
    )  # fmt: skip
    if binary is None:
        print("no llama-server binary (--llama-server PATH): llama-server rows skipped")
        return rows
    for n in clients:
        served = native_llama_server(Path(binary), model, slots=n, n_threads=threads)
        rows += _served_rows(f"llama-server, {n} slots", served, Path(binary).name, requests, [n])
    return rows


def timed(fn, *args) -> tuple[int, float, float]:
    """``fn``'s token count, wall seconds and CPU seconds (all threads of this process)."""
    start, cpu = time.perf_counter(), time.process_time()
    tokens = fn(*args)
    return tokens, time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--batches", type=int, nargs="+", default=[8, 16])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--llama-server", default=shutil.which("llama-server"), help="llama.cpp's binary")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    items = get_dataset("mt_bench").items()[: args.prompts]
    sampling = SamplingParams(max_tokens=args.max_tokens, temperature=0.0)
    requests = [ChatRequest(messages=tuple(item.messages), sampling=sampling) for item in items]
    threads = torch.get_num_threads()
    backend_tokens(requests[:1], 1)  # load the model once and warm up, outside the timings
    rows = [("hf, one prompt at a time", *timed(backend_tokens, requests, 1))]
    for batch in args.batches:
        rows.append((f"hf, batches of {batch}", *timed(backend_tokens, requests, batch)))
        off = {"prefix_cache_mb": 0}
        rows.append((f"hf, batches of {batch}, states off", *timed(backend_tokens, requests, batch, off)))
    for batch in args.batches:
        backend_tokens(requests[:1], batch, None, "llamacpp")  # start this server outside the timing
        rows.append((f"llamacpp, {batch} slots", *timed(backend_tokens, requests, batch, None, "llamacpp")))
    try:
        from llama_cpp import Llama
    except ImportError:
        print("llama-cpp-python not installed: llama.cpp row skipped")
    else:
        llm = Llama(
            model_path=str(embedded_model_path("smollm2-135m")),
            n_ctx=2048,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
        )
        llamacpp_tokens(requests[:1], llm)
        rows.append(("llama.cpp in-process, one at a time", *timed(llamacpp_tokens, requests, llm)))
        rows += server_rows(requests, threads, args.clients, args.llama_server)
    base_rate = rows[0][1] / rows[0][3]
    print(
        f"SmolLM2-135M, CPU, {threads} threads, {len(requests)} MT-Bench prompts, <= {args.max_tokens} tokens"
    )
    header = ("engine", "tokens", "wall s", "cpu s", "tok/s", "tok/cpu-s", "vs baseline")
    print("{:<38}{:>7}{:>8}{:>8}{:>8}{:>11}{:>13}".format(*header))
    for name, tokens, wall, cpu in rows:
        rate = tokens / cpu
        ratio = f"{rate / base_rate:.2f}x"
        print(f"{name:<38}{tokens:>7}{wall:>8.1f}{cpu:>8.1f}{tokens / wall:>8.1f}{rate:>11.1f}{ratio:>13}")


if __name__ == "__main__":
    main()
