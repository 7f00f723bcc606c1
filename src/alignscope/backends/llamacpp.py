"""A GGUF model on llama.cpp's own server engine, in-process (the ``xllamacpp`` wheel): ``batch_size``
parallel slots decode concurrent requests together (continuous batching), each slot keeping its prompt for
the next request that shares its start. llama.cpp's server returns the log-probabilities of generated tokens
only, so continuation log-likelihoods are read by the hf backend on the same file, and are its numbers.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.metadata
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from alignscope.backends.base import ChatRequest, ChatResult, LoglikelihoodRequest, LoglikelihoodResult
from alignscope.backends.hf import HFBackend
from alignscope.backends.local_backend import LocalBackend
from alignscope.backends.local_files import LocalModel
from alignscope.backends.openai_wire import chat_body, chat_result
from alignscope.config import ModelSpec
from alignscope.errors import BackendError, PermanentBackendError, TransientBackendError

#: context tokens per slot unless the spec's ``options.slot_context`` says otherwise
SLOT_CONTEXT = 4096


@dataclass(frozen=True)
class ServerKey:
    """What makes two specs share one llama.cpp server: the file, slots, context per slot, threads and
    chat template (a system prompt travels with each request)."""

    path: str
    slots: int
    slot_context: int
    threads: int
    chat_template: str | None


class LlamaServer:
    """One in-process llama.cpp server and the threads that wait on its calls (one per slot and queue).
    llama.cpp also opens an HTTP listener on 127.0.0.1; it answers only requests that carry ``http_key``,
    a random secret of this process (kept in memory only), so other local users cannot call the model."""

    def __init__(self, key: ServerKey) -> None:
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = key.path
        params.n_parallel = key.slots
        params.n_ctx = key.slots * key.slot_context
        params.cpuparams.n_threads = key.threads
        params.cpuparams_batch.n_threads = key.threads
        params.warmup = False
        params.verbosity = -1
        self.http_key = secrets.token_hex(16)
        params.api_keys = [self.http_key]
        if key.chat_template:
            params.chat_template = key.chat_template
        try:
            self.server = xllamacpp.Server(params)
        except Exception as exc:  # the binding raises RuntimeError or its own types on a bad file
            raise BackendError(f"llama.cpp cannot load {key.path!r}: {exc}") from None
        self.pool = ThreadPoolExecutor(max_workers=2 * key.slots, thread_name_prefix="llamacpp")

    def call(self, body: dict[str, Any]) -> dict[str, Any]:
        """The server's response body to ``body`` (a completions body when it holds a ``prompt``);
        an error body becomes the backend error its code calls for."""
        handle = self.server.handle_completions if "prompt" in body else self.server.handle_chat_completions
        try:
            data = handle(body)
        except Exception as exc:  # the binding's own failures: report them as a failed request
            raise TransientBackendError(f"llama.cpp: {type(exc).__name__}: {exc}") from None
        error = data.get("error") if isinstance(data, dict) else None
        if error is None:
            return data
        code = error.get("code", 500) if isinstance(error, dict) else 500
        message = f"llama.cpp: {error.get('message', error) if isinstance(error, dict) else error}"
        if isinstance(code, int) and 400 <= code < 500:
            raise PermanentBackendError(message)
        raise TransientBackendError(message, overload=code == 503)


_SERVERS: dict[ServerKey, LlamaServer] = {}
_STARTING = threading.Lock()


def llama_server(key: ServerKey) -> LlamaServer:
    """The server for ``key``, started once per process."""
    with _STARTING:
        if key not in _SERVERS:
            _SERVERS[key] = LlamaServer(key)
        return _SERVERS[key]


def engine_version() -> str:
    """The installed xllamacpp's version; BackendError when it is not installed."""
    try:
        return importlib.metadata.version("xllamacpp")
    except importlib.metadata.PackageNotFoundError:
        raise BackendError("the llamacpp backend needs xllamacpp: pip install xllamacpp") from None


def default_threads() -> int:
    """``OMP_NUM_THREADS`` when set (the thread count torch uses too), else every core."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else os.cpu_count() or 1


class LlamaCppBackend(LocalBackend):
    """Generation by llama.cpp's server engine in-process on a GGUF file, ``batch_size`` slots;
    log-likelihoods by the hf backend on the same file (loaded on the first one). Options: ``slot_context``
    (tokens per slot, default 4096), ``threads`` (default :func:`default_threads`), ``chat_template``."""

    kind = "llamacpp"
    batches_by_context = True

    def __init__(self, spec: ModelSpec, local: LocalModel) -> None:
        if not local.gguf_file:
            raise BackendError(
                f"the llamacpp backend runs GGUF files; {local.label!r} is a HF directory: use the hf backend"
            )
        self.engine = f"xllamacpp {engine_version()}"
        super().__init__(spec, local)
        self.max_batch = max(1, spec.batch_size)
        self.scorer = HFBackend(spec, local)
        self.chat_template = self.scorer.chat_template
        options = spec.options
        self.key = ServerKey(
            path=str(local.path),
            slots=self.max_batch,
            slot_context=int(options.get("slot_context", SLOT_CONTEXT)),
            threads=int(options.get("threads", default_threads())),
            chat_template=options.get("chat_template"),
        )

    def __repr__(self) -> str:
        return f"LlamaCppBackend(model={self.model!r}, slots={self.key.slots}, threads={self.key.threads})"

    @functools.cached_property
    def server(self) -> LlamaServer:
        """The llama.cpp server of this file and settings, started on first use."""
        return llama_server(self.key)

    @property
    def tokenizer(self) -> Any:
        """The hf tokenizer of the same file (loads the hf model on first use)."""
        return self.scorer.tokenizer

    @property
    def dtype_name(self) -> str:
        """``gguf``: llama.cpp computes in the file's own quantised types."""
        return "gguf"

    def identity(self) -> dict[str, Any]:
        """The local identity plus llama.cpp's version (its kernels shape the answers)."""
        return super().identity() | {"engine": self.engine}

    def request_identity(self, request: ChatRequest | LoglikelihoodRequest) -> dict[str, Any]:
        """A log-likelihood is the hf backend's number, keyed as the hf backend keys it."""
        if isinstance(request, LoglikelihoodRequest):
            return self.scorer.request_identity(request)
        return super().request_identity(request)

    def default_concurrency(self, endpoint: str) -> int:
        """Two batches: the next batch waits in the server's queue and takes each slot as it frees."""
        return 2

    @property
    def supports_text_prompt(self) -> bool:
        """True: raw-text prompts go to the completions handler as they are."""
        return True

    async def generate(self, requests: list[ChatRequest], endpoint: str) -> list[ChatResult]:
        """Each request on its own slot, all at once."""
        return list(await asyncio.gather(*(self._generate(r) for r in requests)))

    async def _generate(self, request: ChatRequest) -> ChatResult:
        server = self.server
        body = chat_body(self.model, request, self.spec.system_prompt)
        data = await asyncio.get_running_loop().run_in_executor(server.pool, server.call, body)
        return chat_result(data, request, "llama.cpp")

    async def loglikelihood(
        self, requests: list[LoglikelihoodRequest], endpoint: str
    ) -> list[LoglikelihoodResult]:
        """lm-evaluation-harness log-likelihoods by the hf backend on the same file."""
        return await self.scorer.loglikelihood(requests, endpoint)
