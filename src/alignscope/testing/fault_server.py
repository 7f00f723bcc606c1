"""A minimal OpenAI-compatible chat server for fault injection and load tests (127.0.0.1 only).

It answers ``POST /v1/chat/completions`` deterministically (the reply is derived from the request's last
message and seed), after ``latency_s``, and injects faults at ``fault_rate``: 429 with Retry-After, 500,
a hang past the client's timeout, a dropped connection, or a 200 with malformed JSON. It counts every
request and every successful answer per request fingerprint, so tests can check that no finished call is
repeated. Plain asyncio streams, HTTP/1.1 keep-alive; run it in a thread with ``FaultServer.start()``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field

FAULTS = ("429", "500", "hang", "drop", "malformed")


@dataclass
class FaultConfig:
    """What the server does: base latency, fault rate and kinds, hang duration, Retry-After seconds."""

    latency_s: float = 0.0
    fault_rate: float = 0.0
    faults: tuple[str, ...] = FAULTS
    hang_s: float = 5.0
    retry_after: str = "0"
    seed: int = 0


@dataclass
class FaultStats:
    """Counts kept by the server."""

    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    answered: Counter[str] = field(default_factory=Counter)


def reply_for(body: dict) -> str:
    """The deterministic answer to a chat request body."""
    last = body["messages"][-1]["content"]
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:8]
    return f"echo {digest}: {last[:200]}"


def fingerprint(body: dict) -> str:
    """Identity of a request body (what a duplicate call would repeat)."""
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


class FaultServer:
    """The server; ``url`` is its base URL (``http://127.0.0.1:PORT/v1``) once started."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.config = config or FaultConfig()
        self.stats = FaultStats()
        self._rng = random.Random(self.config.seed)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self.port = 0

    @property
    def url(self) -> str:
        """Base URL for an OpenAI client."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FaultServer:
        """Serve in a daemon thread; returns when listening."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        """Stop serving: close the listener, cancel open connections, end the thread."""
        if self._loop and self._server:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(5)
        if self._loop:
            self._loop.close()

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                path, body = request
                if not await self._respond(path, body, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _respond(self, path: str, raw: bytes, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False if the connection must close."""
        self.stats.requests += 1
        if path.endswith("/models"):
            _write(
                writer,
                200,
                json.dumps({"object": "list", "data": [{"id": "fault-model", "object": "model"}]}),
            )
            return True
        cfg = self.config
        if cfg.latency_s:
            await asyncio.sleep(cfg.latency_s)
        if cfg.fault_rate and self._rng.random() < cfg.fault_rate:
            fault = self._rng.choice(cfg.faults)
            self.stats.faults[fault] += 1
            if fault == "429":
                _write(
                    writer, 429, '{"error": {"message": "rate limited"}}', {"Retry-After": cfg.retry_after}
                )
            elif fault == "500":
                _write(writer, 500, '{"error": {"message": "internal error"}}')
            elif fault == "hang":
                await asyncio.sleep(cfg.hang_s)
                return False
            elif fault == "drop":
                return False
            else:
                _write(writer, 200, '{"id": "x", "choices": [{"message": ')
            await writer.drain()
            return True
        body = json.loads(raw)
        text = reply_for(body)
        self.stats.answered[fingerprint(body)] += 1
        resp = {
            "id": "chatcmpl-fault",
            "object": "chat.completion",
            "model": body.get("model", "fault-model"),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ],
            "usage": {
                "prompt_tokens": len(raw) // 4,
                "completion_tokens": len(text.split()),
                "total_tokens": 0,
            },
        }
        _write(writer, 200, json.dumps(resp))
        await writer.drain()
        return True


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, bytes] | None:
    line = await reader.readline()
    if not line:
        return None
    _method, path, _version = line.decode("latin-1").split(" ", 2)
    length = 0
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return path, body


def _write(
    writer: asyncio.StreamWriter, status: int, body: str, headers: dict[str, str] | None = None
) -> None:
    reason = {200: "OK", 429: "Too Many Requests", 500: "Internal Server Error"}.get(status, "OK")
    data = body.encode()
    head = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/json", f"Content-Length: {len(data)}"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)


def main() -> None:
    """Serve until killed.

    ``python -m alignscope.testing.fault_server --port P --latency 0.1 --fault-rate 0.3``
    """
    import argparse
    import time

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--fault-rate", type=float, default=0.0)
    args = ap.parse_args()
    server = FaultServer(FaultConfig(latency_s=args.latency, fault_rate=args.fault_rate))
    server.port = args.port
    server.start()
    print(server.url, flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
