"""Real servers for tests and benchmarks: llama.cpp's OpenAI-compatible servers on 127.0.0.1
(llama-cpp-python's and llama.cpp's own ``llama-server`` binary), started, awaited and stopped."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def llama_cpp_server(
    model_path: Path,
    *,
    alias: str = "smollm2-135m",
    n_ctx: int = 2048,
    n_threads: int = 1,
    ready_timeout_s: float = 180.0,
) -> Iterator[str]:
    """Run ``python -m llama_cpp.server`` on a free port; yield its base URL (``http://127.0.0.1:P/v1``)
    once ``/v1/models`` answers; stop it on exit. RuntimeError with the server's log if it never does."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model_path), "--model_alias", alias,
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(n_ctx), "--n_threads", str(n_threads), "--n_threads_batch", str(n_threads),
        "--verbose", "False",
    ]  # fmt: skip
    with _serving(command, base_url, ready_timeout_s) as url:
        yield url


@contextlib.contextmanager
def native_llama_server(
    binary: Path,
    model_path: Path,
    *,
    alias: str = "smollm2-135m",
    slots: int = 1,
    n_ctx_per_slot: int = 2048,
    n_threads: int = 1,
    ready_timeout_s: float = 180.0,
) -> Iterator[str]:
    """Run llama.cpp's ``llama-server`` with ``slots`` parallel slots (continuous batching) on a free port;
    yield its base URL once ``/v1/models`` answers; stop it on exit."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    command = [
        str(binary), "--model", str(model_path), "--alias", alias,
        "--host", "127.0.0.1", "--port", str(port),
        "--parallel", str(slots), "--ctx-size", str(n_ctx_per_slot * slots),
        "--threads", str(n_threads), "--threads-batch", str(n_threads),
    ]  # fmt: skip
    with _serving(command, base_url, ready_timeout_s) as url:
        yield url


@contextlib.contextmanager
def _serving(command: list[str], base_url: str, ready_timeout_s: float) -> Iterator[str]:
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(process, base_url, ready_timeout_s, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(process: subprocess.Popen, base_url: str, timeout_s: float, log) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{base_url}/models", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    log.seek(0)
    tail = log.read().decode("utf-8", "replace")[-2000:]
    raise RuntimeError(
        f"llama.cpp server at {base_url} did not get ready (exit code {process.poll()}):\n{tail}"
    )
