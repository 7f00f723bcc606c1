"""Any OpenAI-compatible server (vLLM, llama.cpp, SGLang, TGI, OpenAI) over async HTTP/1.1 with keep-alive.

Each base URL is one endpoint. Errors are mapped for the engine: 408/409/425/429/5xx, timeouts, dropped
connections and malformed bodies are transient (429 and 503 and read timeouts flag overload, Retry-After is
parsed), other 4xx are permanent with the server's own message. The API key comes from the environment
variable the spec names and appears in no identity, repr or message.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import re
import time
from typing import Any, NoReturn

import httpx

from alignscope.backends.base import (
    Backend,
    ChatRequest,
    ChatResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
)
from alignscope.backends.chat import move_trailing_space
from alignscope.backends.http_transport import AiohttpTransport
from alignscope.backends.openai_wire import chat_body, chat_result
from alignscope.config import ModelSpec
from alignscope.errors import BackendError, PermanentBackendError, TransientBackendError

DEFAULT_CONCURRENCY = 16
_TRANSIENT_STATUS = {408, 409, 425, 429}
_OVERLOAD_STATUS = {429, 503}


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date), if sent."""
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def server_message(response: httpx.Response, limit: int = 300) -> str:
    """The server's error message from its JSON error body (OpenAI, FastAPI, TGI styles) or text, one line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message: Any = response.text
    if isinstance(body, dict):
        error = body.get("error", body.get("detail", body.get("message", body)))
        message = error.get("message", error) if isinstance(error, dict) else error
    return re.sub(r"\s+", " ", str(message)).strip()[:limit] or response.reason_phrase


def http_error(response: httpx.Response) -> TransientBackendError | PermanentBackendError:
    """The backend error for an HTTP error response."""
    status = response.status_code
    message = f"HTTP {status}: {server_message(response)}"
    if status in _TRANSIENT_STATUS or status >= 500:
        return TransientBackendError(
            message, retry_after=parse_retry_after(response.headers), overload=status in _OVERLOAD_STATUS
        )
    return PermanentBackendError(message)


class OpenAIBackend(Backend):
    """Chat completions (and echo log-likelihoods) on one or several OpenAI-compatible base URLs."""

    kind = "openai"
    max_batch = 1

    def __init__(
        self, spec: ModelSpec, *, where: str | None = None, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(spec.model)
        where = where or spec.name
        if not spec.base_urls:
            raise BackendError(
                "give one or more base URLs (e.g. http://127.0.0.1:8000/v1)", where=f"{where}.base_urls"
            )
        for i, url in enumerate(spec.base_urls):
            if not url.startswith(("http://", "https://")):
                raise BackendError(f"{url!r} is not an http(s) URL", where=f"{where}.base_urls[{i}]")
        self.spec = spec
        self.where = where
        self._endpoints = [url.rstrip("/") for url in spec.base_urls]
        self._headers = {"Authorization": f"Bearer {_api_key(spec, where)}"} if spec.api_key_env else {}
        self._transport = transport
        self._timeout = httpx.Timeout(spec.timeout_s, connect=min(spec.timeout_s, 10.0))
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._loglikelihood_ok = True
        self._loglikelihood_problem = ""
        self._aligned: dict[str, bool] = {}

    def __repr__(self) -> str:
        return f"OpenAIBackend(model={self.model!r}, endpoints={len(self._endpoints)})"

    @property
    def endpoints(self) -> list[str]:
        """The base URLs, one endpoint each."""
        return list(self._endpoints)

    def default_concurrency(self, endpoint: str) -> int:
        """The spec's max_concurrency, else 16 per endpoint."""
        return self.spec.max_concurrency or DEFAULT_CONCURRENCY

    def identity(self) -> dict[str, Any]:
        """Kind, served model name, optional user-given revision, system prompt and extra request fields."""
        return {
            "kind": self.kind,
            "model": self.model,
            "revision": self.spec.options.get("revision"),
            "system_prompt": self.spec.system_prompt,
            "extra_body": self.spec.options.get("extra_body"),
        }

    @property
    def supports_loglikelihood(self) -> bool:
        """True until the server has shown it returns no prompt log-probabilities."""
        return self._loglikelihood_ok

    @property
    def supports_chat_loglikelihood(self) -> bool:
        """False: the completions API scores raw text; this backend has no chat template to apply."""
        return False

    # -- HTTP -----------------------------------------------------------------------------------------
    def _http(self) -> httpx.AsyncClient:
        """One pooled keep-alive client per event loop (the engine may run several loops in turn)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            transport = self._transport or AiohttpTransport(
                self.spec.timeout_s, min(self.spec.timeout_s, 10.0)
            )
            self._client = httpx.AsyncClient(
                transport=transport,
                headers=self._headers,
                timeout=self._timeout,
                limits=httpx.Limits(
                    max_connections=None, max_keepalive_connections=1024, keepalive_expiry=60
                ),
            )
            self._client_loop = loop
        return self._client

    async def _post(self, endpoint: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._http().post(endpoint + path, json=body)
        except httpx.TimeoutException as exc:
            overload = not isinstance(exc, httpx.ConnectTimeout)
            raise TransientBackendError(
                f"{path}: timed out ({type(exc).__name__})", overload=overload
            ) from None
        except httpx.RequestError as exc:
            raise TransientBackendError(f"{path}: connection error ({type(exc).__name__}: {exc})") from None
        if response.status_code >= 400:
            raise http_error(response)
        try:
            data = response.json()
        except ValueError:
            raise TransientBackendError(f"{path}: malformed JSON in the response") from None
        if not isinstance(data, dict):
            raise TransientBackendError(f"{path}: malformed response (not a JSON object)")
        return data

    async def check(self) -> None:
        """Start-up probe of every endpoint: BackendError if unreachable, if it refuses the key (401/403),
        or if its model list does not name this model."""
        for endpoint in self._endpoints:
            try:
                response = await self._http().get(endpoint + "/models")
            except httpx.RequestError as exc:
                raise BackendError(
                    f"cannot reach {endpoint} ({type(exc).__name__})", where=self.where
                ) from None
            if response.status_code in (401, 403):
                status = response.status_code
                raise BackendError(
                    f"{endpoint} refused the API key (HTTP {status}: {server_message(response)})",
                    where=self.where,
                )
            if response.status_code != 200:
                continue  # some servers have no /models; calls will tell
            try:
                served = [m["id"] for m in response.json().get("data", [])]
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            if served and self.model not in served:
                raise BackendError(
                    f"{endpoint} does not serve model {self.model!r} (it serves: {', '.join(served[:10])})",
                    where=f"{self.where}.model",
                )

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- calls ----------------------------------------------------------------------------------------
    async def generate(self, requests: list[ChatRequest], endpoint: str) -> list[ChatResult]:
        """One chat completion per request (concurrently if several)."""
        return list(await asyncio.gather(*(self._chat(r, endpoint) for r in requests)))

    async def _chat(self, request: ChatRequest, endpoint: str) -> ChatResult:
        body = chat_body(self.model, request, self.spec.system_prompt)
        body.update(self.spec.options.get("extra_body") or {})
        path = "/chat/completions"
        return chat_result(await self._post(endpoint, path, body), request, path)

    async def loglikelihood(
        self, requests: list[LoglikelihoodRequest], endpoint: str
    ) -> list[LoglikelihoodResult]:
        """Log-likelihoods from the completions endpoint with ``echo`` and prompt logprobs (vLLM has them)."""
        return list(await asyncio.gather(*(self._loglikelihood(r, endpoint) for r in requests)))

    async def _loglikelihood(self, request: LoglikelihoodRequest, endpoint: str) -> LoglikelihoodResult:
        if not isinstance(request.context, str):
            raise PermanentBackendError(
                "the openai backend scores text contexts only (it has no chat template); "
                "use the hf or vllm backend for chat-message contexts"
            )
        if not self._loglikelihood_ok:
            raise PermanentBackendError(self._loglikelihood_problem)
        if endpoint not in self._aligned:
            self._aligned[endpoint] = await self._prompt_logprobs_aligned(endpoint)
        if not self._aligned[endpoint]:
            self._refuse_loglikelihood(_MISALIGNED)
        context, continuation = move_trailing_space(request.context, request.continuation)
        logprobs = await self._echo(endpoint, context + continuation)
        return continuation_loglikelihood(logprobs, len(context), len(context) + len(continuation))

    async def _echo(self, endpoint: str, prompt: str) -> dict[str, Any]:
        """The echoed prompt's logprobs (tokens, text_offset, token_logprobs, top_logprobs)."""
        body = {
            "model": self.model,
            "prompt": prompt,
            "max_tokens": 1,
            "temperature": 0,
            "echo": True,
            "logprobs": 1,
        }
        logprobs = _completion_logprobs(await self._post(endpoint, "/completions", body))
        if not logprobs.get("text_offset") or not logprobs.get("token_logprobs"):
            self._refuse_loglikelihood(_NO_PROMPT_LOGPROBS)
        return logprobs

    async def _prompt_logprobs_aligned(self, endpoint: str) -> bool:
        """Whether the echoed logprob of a greedy next token equals its logprob when generated.

        llama-cpp-python's server shifts echoed prompt logprobs by one token for models without a BOS token;
        this probe (two requests, once per endpoint) catches that and any server like it.
        """
        body = {"model": self.model, "prompt": _PROBE, "max_tokens": 1, "temperature": 0, "logprobs": 1}
        generated = _completion_logprobs(await self._post(endpoint, "/completions", body))
        try:
            token, expected = generated["tokens"][0], float(generated["token_logprobs"][0])
        except (KeyError, IndexError, TypeError, ValueError):
            self._refuse_loglikelihood(_NO_PROMPT_LOGPROBS)
        echoed = await self._echo(endpoint, _PROBE + token)
        rows = zip(echoed["text_offset"], echoed.get("tokens") or [], echoed["token_logprobs"], strict=False)
        for offset, text, value in rows:
            if offset == len(_PROBE) and text == token and value is not None:
                return abs(float(value) - expected) < 0.05
        return True  # the server split the probe differently: nothing to compare, trust it

    def _refuse_loglikelihood(self, problem: str) -> NoReturn:
        self._loglikelihood_ok = False
        self._loglikelihood_problem = problem
        raise PermanentBackendError(problem)


def _completion_logprobs(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return data["choices"][0].get("logprobs") or {}
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise TransientBackendError(f"/completions: malformed response ({type(exc).__name__})") from None


_PROBE = "The capital of France is"
_MISALIGNED = (
    "this server's echoed prompt log-probabilities are shifted by one token (llama-cpp-python does this for "
    "models without a BOS token), so it cannot score continuations: use vLLM's server or the hf backend"
)
_NO_PROMPT_LOGPROBS = (
    "this server returns no prompt log-probabilities (completions with echo and logprobs), "
    "so it cannot score continuations: use vLLM's server or the hf/vllm backend"
)


def continuation_loglikelihood(
    logprobs: dict[str, Any], context_chars: int, prompt_chars: int
) -> LoglikelihoodResult:
    """Sum the echoed prompt logprobs of the tokens that carry the continuation (characters from
    ``context_chars`` to ``prompt_chars``); a token straddling the boundary counts as continuation."""
    offsets = logprobs["text_offset"]
    values = logprobs["token_logprobs"]
    tops = logprobs.get("top_logprobs") or [None] * len(values)
    n_prompt = sum(1 for o in offsets if o < prompt_chars)
    first = next((i for i in range(n_prompt) if offsets[i] >= context_chars), n_prompt)
    end = offsets[first] if first < n_prompt else prompt_chars
    if first > 0 and end > context_chars:
        first -= 1
    picked = range(first, n_prompt)
    if any(values[i] is None for i in picked):
        raise PermanentBackendError(
            "the server gave no log-probability for the first token: give a non-empty context"
        )
    total = float(sum(values[i] for i in picked))
    greedy = all(not tops[i] or values[i] >= max(tops[i].values()) - 1e-6 for i in picked)
    return LoglikelihoodResult(logprob=total, is_greedy=greedy, n_tokens=len(picked))


def _api_key(spec: ModelSpec, where: str) -> str:
    key = os.environ.get(spec.api_key_env or "")
    if not key:
        raise BackendError(
            f"environment variable {spec.api_key_env} is not set (it should hold the API key)",
            where=f"{where}.api_key_env",
        )
    return key
