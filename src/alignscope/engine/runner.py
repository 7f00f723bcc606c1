"""Engine: every backend call goes through here.

``Engine.run`` answers a list of requests: cached answers come from the run store, the rest are sent in
batches of ``backend.max_batch`` (distinct contexts, where the backend ``batches_by_context``) over the
backend's endpoints, each under an adaptive concurrency limit, retried with exponential backoff and jitter
(honouring Retry-After) on transient errors, up to ``max_attempts``; a request that still fails is
recorded as a failure with its error, never dropped. Each finished call is committed to the store as soon
as it returns, so a killed run repeats none of them. ``Engine.call`` does the same for a ``Service`` (a
non-LLM API such as a scoring endpoint).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from alignscope.backends.base import (
    Backend,
    ChatRequest,
    ChatResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
)
from alignscope.engine.limiter import AdaptiveLimiter
from alignscope.engine.progress import make_progress
from alignscope.engine.service import Service
from alignscope.errors import PermanentBackendError, TransientBackendError
from alignscope.hashing import stable_hash
from alignscope.records import Message
from alignscope.store import RunStore

Target = Backend | Service
Answer = Callable[[list[Any], str], Awaitable[Sequence[BaseModel]]]
NOT_SENT = "not sent: an earlier request failed"


def call_key(target: Target, kind: str, request: BaseModel) -> str:
    """Stable cache key of one call: the backend's identity as it bears on the request (or the service's
    identity), call kind and the full request."""
    identity = target.request_identity(request) if isinstance(target, Backend) else target.identity()
    return stable_hash({"backend": identity, "kind": kind, "request": request.model_dump(mode="json")})


def answerer(target: Target, kind: str) -> tuple[Answer, type[BaseModel]]:
    """The coroutine answering ``kind`` requests on ``target``, and the type of its results."""
    if isinstance(target, Service):
        return target.call, target.result_type
    if kind == "generate":
        return target.generate, ChatResult
    return target.loglikelihood, LoglikelihoodResult


def batches(target: Target, kind: str, items: list[tuple[str, Any]]) -> list[list[tuple[str, Any]]]:
    """``items`` (key, request) cut into the batches sent: ``max_batch`` requests each, or, for
    log-likelihoods on a backend that ``batches_by_context``, ``max_batch`` distinct contexts each with all
    its requests, longest contexts first (as lm-evaluation-harness orders them: a padded batch then holds
    contexts of about one length; ties keep their order of first appearance)."""
    size = max(1, target.max_batch)
    if kind != "loglikelihood" or not (isinstance(target, Backend) and target.batches_by_context):
        return [items[i : i + size] for i in range(0, len(items), size)]
    by_context: dict[Any, list[tuple[str, Any]]] = {}
    for key, request in items:
        by_context.setdefault(request.context, []).append((key, request))
    groups = sorted(by_context.values(), key=lambda group: -_context_chars(group[0][1].context))
    return [[pair for group in groups[i : i + size] for pair in group] for i in range(0, len(groups), size)]


def _context_chars(context: str | Sequence[Message]) -> int:
    """Characters of a log-likelihood context (raw text, or the messages' contents)."""
    return len(context) if isinstance(context, str) else sum(len(m.content) for m in context)


@dataclass
class CallOutcome:
    """The answer to one request: ``result`` or ``error``; ``cached`` if it came from the store. A failed
    request also has ``attempts`` (times sent in this run) and ``last_error`` (the last attempt's error)."""

    key: str
    result: Any | None = None
    error: str | None = None
    cached: bool = False
    attempts: int = 0
    last_error: str | None = None


@dataclass
class EngineStats:
    """What an engine did: calls made, answered from cache, failed, retried (summed over runs)."""

    calls_made: int = 0
    cache_hits: int = 0
    failures: int = 0
    retries: int = 0
    wall_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "calls_made": self.calls_made,
            "cache_hits": self.cache_hits,
            "failures": self.failures,
            "retries": self.retries,
            "wall_s": round(self.wall_s, 3),
        }


@dataclass
class _Batch:
    keys: list[str]
    requests: list[BaseModel]
    attempts: int = 0
    errors: list[str] = field(default_factory=list)


class Engine:
    """Runs calls for one run of the store. Reuse one Engine per command so that stats add up."""

    def __init__(
        self,
        store: RunStore,
        run_id: str,
        *,
        max_attempts: int = 6,
        base_delay_s: float = 0.5,
        max_delay_s: float = 30.0,
        max_concurrency: int = 512,
        progress: bool = True,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.max_attempts = max_attempts
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.max_concurrency = max_concurrency
        self.progress = progress
        self.stats = EngineStats()
        self._limiters: dict[tuple[str, str], AdaptiveLimiter] = {}

    # -- public API -------------------------------------------------------------------------------------
    def generate(
        self, backend: Backend, requests: Sequence[ChatRequest], desc: str = "generate"
    ) -> list[CallOutcome]:
        """Chat completions for ``requests``, in order (blocking)."""
        return self._blocking(backend, self.arun(backend, "generate", requests, desc))

    def loglikelihood(
        self, backend: Backend, requests: Sequence[LoglikelihoodRequest], desc: str = "loglikelihood"
    ) -> list[CallOutcome]:
        """Log-likelihoods for ``requests``, in order (blocking)."""
        return self._blocking(backend, self.arun(backend, "loglikelihood", requests, desc))

    def call(
        self, service: Service, requests: Sequence[BaseModel], desc: str, *, stop_on_failure: bool = False
    ) -> list[CallOutcome]:
        """``service``'s answers to ``requests``, in order (blocking). With ``stop_on_failure``, once one
        request has failed for good no more are sent: the unsent ones come back with the error NOT_SENT."""
        run = self.arun(service, service.kind, requests, desc, stop_on_failure=stop_on_failure)
        return self._blocking(service, run)

    @staticmethod
    def _blocking(target: Target, run: Coroutine[Any, Any, list[CallOutcome]]) -> list[CallOutcome]:
        """``run`` (an ``arun``) in its own event loop, closing the target's connections before the loop."""

        async def once() -> list[CallOutcome]:
            try:
                return await run
            finally:
                await target.aclose()

        return asyncio.run(once())

    async def arun(
        self,
        target: Target,
        kind: str,
        requests: Sequence[BaseModel],
        desc: str,
        *,
        stop_on_failure: bool = False,
    ) -> list[CallOutcome]:
        """Answer ``requests`` of ``kind`` on ``target``: from cache where possible, else by calling it."""
        start = time.perf_counter()
        keys = [call_key(target, kind, r) for r in requests]
        cached = self.store.get_calls(keys)
        answer, result_type = answerer(target, kind)
        outcomes: dict[str, CallOutcome] = {
            k: CallOutcome(k, result_type.model_validate(v), cached=True) for k, v in cached.items()
        }
        self.stats.cache_hits += sum(1 for k in keys if k in cached)
        pending: dict[str, BaseModel] = {}
        for k, r in zip(keys, requests, strict=True):
            if k not in outcomes and k not in pending:
                pending[k] = r
        if pending:
            await self._call_all(
                target,
                kind,
                answer,
                pending,
                outcomes,
                desc,
                total=len(keys),
                done=len(keys) - len(pending),
                stop_on_failure=stop_on_failure,
            )
        self.stats.wall_s += time.perf_counter() - start
        return [outcomes[k] for k in keys]

    # -- internals --------------------------------------------------------------------------------------
    def _limiter(self, target: Target, endpoint: str) -> AdaptiveLimiter:
        key = (target.kind, endpoint)
        if key not in self._limiters:
            ceiling = target.max_concurrency(endpoint) if isinstance(target, Service) else None
            self._limiters[key] = AdaptiveLimiter(target.default_concurrency(endpoint), ceiling)
        return self._limiters[key]

    async def _call_all(
        self,
        target: Target,
        kind: str,
        answer: Answer,
        pending: dict[str, BaseModel],
        outcomes: dict[str, CallOutcome],
        desc: str,
        total: int,
        done: int,
        stop_on_failure: bool,
    ) -> None:
        items = list(pending.items())
        queue: asyncio.Queue[_Batch | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        for chunk in batches(target, kind, items):
            queue.put_nowait(_Batch([k for k, _ in chunk], [r for _, r in chunk]))
        limiters = [(ep, self._limiter(target, ep)) for ep in target.endpoints]
        slot_freed = asyncio.Condition()
        remaining = [queue.qsize()]
        all_done = asyncio.Event()
        failures = [0]
        stopped = [False]
        with make_progress(self.progress) as bar:
            task = bar.add_task(desc, total=total, completed=done, rate="", fail="")
            t0 = time.perf_counter()

            async def take_slot() -> tuple[str, AdaptiveLimiter]:
                async with slot_freed:
                    while True:
                        ep, lim = max(limiters, key=lambda el: el[1].free)
                        if lim.free > 0:
                            lim.take()
                            return ep, lim
                        await slot_freed.wait()

            async def give_slot(lim: AdaptiveLimiter, ok: bool, overload: bool) -> None:
                async with slot_freed:
                    lim.give_back(ok=ok, overload=overload)
                    slot_freed.notify_all()

            def finish(batch: _Batch, results: Sequence[BaseModel] | None, error: str | None) -> None:
                if results is not None:
                    self.store.put_calls(
                        (k, kind, target.model, r.model_dump(mode="json"))
                        for k, r in zip(batch.keys, results, strict=True)
                    )
                    for k, r in zip(batch.keys, results, strict=True):
                        outcomes[k] = CallOutcome(k, r)
                    self.stats.calls_made += len(batch.keys)
                else:
                    last = batch.errors[-1] if batch.errors else error
                    for k in batch.keys:
                        self.store.put_failure(
                            self.run_id, k, kind, target.model, error or "", batch.attempts
                        )
                        outcomes[k] = CallOutcome(k, error=error, attempts=batch.attempts, last_error=last)
                    self.stats.failures += len(batch.keys)
                    failures[0] += len(batch.keys)
                    stopped[0] = stop_on_failure
                advance(batch)

            def drop(batch: _Batch) -> None:
                """Leave ``batch`` unsent: an earlier request failed and the caller stops at a failure."""
                for k in batch.keys:
                    outcomes[k] = CallOutcome(k, error=NOT_SENT, attempts=batch.attempts)
                advance(batch)

            def advance(batch: _Batch) -> None:
                elapsed = time.perf_counter() - t0
                bar.advance(task, len(batch.keys))
                finished = bar.tasks[0].completed - done
                bar.update(
                    task,
                    rate=f"{finished / elapsed:.1f}/s" if elapsed > 0 else "",
                    fail=f"{failures[0]} failed" if failures[0] else "",
                )
                remaining[0] -= 1
                if remaining[0] == 0:
                    all_done.set()

            async def attempt(batch: _Batch) -> None:
                ep, lim = await take_slot()
                if stopped[0]:
                    await give_slot(lim, ok=False, overload=False)
                    drop(batch)
                    return
                batch.attempts += 1
                try:
                    results = await answer(list(batch.requests), ep)
                    if len(results) != len(batch.requests):
                        raise TransientBackendError(
                            f"backend returned {len(results)} results for {len(batch.requests)} requests"
                        )
                except TransientBackendError as exc:
                    await give_slot(lim, ok=False, overload=exc.overload)
                    batch.errors.append(str(exc))
                    if batch.attempts >= self.max_attempts:
                        finish(batch, None, f"gave up after {batch.attempts} attempts: {exc}")
                        return
                    self.stats.retries += 1
                    loop.call_later(self._delay(batch.attempts, exc.retry_after), queue.put_nowait, batch)
                    return
                except PermanentBackendError as exc:
                    await give_slot(lim, ok=False, overload=False)
                    batch.errors.append(str(exc))
                    if len(batch.keys) > 1:  # isolate the request that fails from the rest of the batch
                        remaining[0] += len(batch.keys) - 1
                        for k, r in zip(batch.keys, batch.requests, strict=True):
                            queue.put_nowait(_Batch([k], [r]))
                        return
                    finish(batch, None, str(exc))
                    return
                await give_slot(lim, ok=True, overload=False)
                finish(batch, results, None)

            crashed: list[BaseException] = []

            async def worker() -> None:
                while (batch := await queue.get()) is not None:
                    try:
                        await attempt(batch)
                    except Exception as exc:  # a bug, not a backend failure: stop and raise it, never hang
                        crashed.append(exc)
                        all_done.set()
                        return

            n_workers = min(self.max_concurrency, sum(lim.ceiling for _, lim in limiters), max(1, len(items)))
            workers = [asyncio.create_task(worker()) for _ in range(n_workers)]
            try:
                await all_done.wait()
                for _ in workers:
                    queue.put_nowait(None)
            finally:
                for w in workers:
                    w.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
            if crashed:
                raise crashed[0]

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(self.max_delay_s, max(0.0, retry_after))
        return min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
