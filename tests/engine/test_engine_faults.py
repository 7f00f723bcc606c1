"""The engine against a fault-injecting server: every item completes, results equal a fault-free run's;
the cache answers repeated runs without calls and misses when sampling changes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from alignscope.backends.base import Backend, ChatRequest
from alignscope.engine import Engine
from alignscope.records import Message, SamplingParams
from alignscope.store import RunStore
from alignscope.testing.fault_server import FaultConfig, FaultServer

N = 80


def _requests(temperature: float = 0.0) -> list[ChatRequest]:
    return [
        ChatRequest(
            messages=(Message(role="user", content=f"question {i}"),),
            sampling=SamplingParams(max_tokens=16, temperature=temperature),
        )
        for i in range(N)
    ]


def _engine(path: Path) -> Engine:
    return Engine(RunStore(path), "run", max_attempts=12, base_delay_s=0.02, max_delay_s=0.2, progress=False)


def test_thirty_percent_faults_complete_every_item_with_fault_free_results(
    tmp_path: Path, openai_backend: Callable[..., Backend]
) -> None:
    faulty = FaultServer(FaultConfig(fault_rate=0.3, hang_s=2.0, retry_after="0", seed=1)).start()
    clean = FaultServer(FaultConfig()).start()
    try:
        eng_faulty = _engine(tmp_path / "faulty")
        out_faulty = eng_faulty.generate(openai_backend(faulty.url), _requests())
        out_clean = _engine(tmp_path / "clean").generate(openai_backend(clean.url), _requests())
    finally:
        faulty.stop()
        clean.stop()
    assert all(o.error is None for o in out_faulty), [o.error for o in out_faulty if o.error][:3]
    assert [o.result.text for o in out_faulty] == [o.result.text for o in out_clean]
    assert sum(faulty.stats.faults.values()) > 10  # faults really happened, of several kinds
    assert len(faulty.stats.faults) >= 4
    assert eng_faulty.stats.retries >= sum(faulty.stats.faults.values()) - 1
    assert eng_faulty.stats.failures == 0
    stored = RunStore(tmp_path / "faulty").get_calls([o.key for o in out_faulty])
    assert len(stored) == N


def test_second_run_makes_zero_calls_and_changed_sampling_misses(
    tmp_path: Path, fault_server: FaultServer, openai_backend: Callable[..., Backend]
) -> None:
    backend = openai_backend(fault_server.url)
    first = _engine(tmp_path)
    first.generate(backend, _requests())
    assert first.stats.calls_made == N
    served = fault_server.stats.requests
    second = _engine(tmp_path)
    out = second.generate(backend, _requests())
    assert second.stats.calls_made == 0 and second.stats.cache_hits == N
    assert all(o.cached for o in out)
    assert fault_server.stats.requests == served
    third = _engine(tmp_path)
    third.generate(backend, _requests(temperature=0.7))
    assert third.stats.calls_made == N and third.stats.cache_hits == 0


def test_exhausted_retries_are_recorded_as_failures_not_dropped(
    tmp_path: Path, openai_backend: Callable[..., Backend]
) -> None:
    server = FaultServer(FaultConfig(fault_rate=1.0, faults=("500",))).start()
    try:
        engine = Engine(RunStore(tmp_path), "run", max_attempts=3, base_delay_s=0.01, progress=False)
        out = engine.generate(openai_backend(server.url), _requests()[:5])
    finally:
        server.stop()
    assert all(o.error and "gave up after 3 attempts" in o.error for o in out)
    assert engine.stats.failures == 5
    assert len(RunStore(tmp_path).failures("run")) == 5
    assert server.stats.requests == 15


def test_retry_after_is_honoured(tmp_path: Path, openai_backend: Callable[..., Backend]) -> None:
    server = FaultServer(FaultConfig(fault_rate=1.0, faults=("429",), retry_after="1")).start()
    try:
        engine = Engine(RunStore(tmp_path), "run", max_attempts=2, base_delay_s=0.0, progress=False)
        engine.generate(openai_backend(server.url), _requests()[:1])
    finally:
        server.stop()
    assert engine.stats.wall_s >= 0.95  # waited the server's Retry-After, not the zero base delay


def test_an_unexpected_error_in_a_backend_is_raised_not_waited_on(
    tmp_path: Path, openai_backend: Callable[..., Backend], monkeypatch
) -> None:
    server = FaultServer(FaultConfig()).start()
    backend = openai_backend(server.url)
    calls = []
    real = type(backend).generate

    async def broken(self, requests, endpoint):  # a bug in a backend: neither transient nor permanent
        calls.append(len(requests))
        if len(calls) > 1:
            raise IndexError("bug in the backend")
        return await real(self, requests, endpoint)

    monkeypatch.setattr(type(backend), "generate", broken)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            _engine(tmp_path).generate(backend, _requests()[:2])
        except IndexError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    try:
        worker.start()
        worker.join(timeout=60)
    finally:
        server.stop()
    assert not worker.is_alive() and outcome and "bug in the backend" in str(outcome[0])
