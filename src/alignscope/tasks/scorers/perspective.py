"""The Perspective API's TOXICITY score as an engine ``Service``: its calls get the engine's retries (with
backoff, honouring Retry-After), adaptive concurrency, call cache and progress.

One request per text to ``url`` (default Google's ``comments:analyze``), in English, with doNotStore set. The
key comes from the environment variable ``api_key_env`` (default ``PERSPECTIVE_API_KEY``) when the model is
made, and is sent as the ``key`` query parameter only: it is in no cache key, stored row, message or log
line (httpx's request log lines are masked). 429 and server errors are transient; other refusals and answers
without a score in [0, 1] are permanent. Perspective's default quota is one query per second, so calls go
one at a time unless ``max_concurrency`` says the project's quota allows more.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
import numpy as np
from pydantic import BaseModel, ConfigDict

from alignscope.engine import CallOutcome, Engine, Service
from alignscope.errors import BackendError, ConfigError, PermanentBackendError, TransientBackendError
from alignscope.store import RunStore

PERSPECTIVE_URL = "https://commentanalyzer.googleapis.com/v1alpha1/comments:analyze"
PERSPECTIVE_KEY_ENV = "PERSPECTIVE_API_KEY"
ATTRIBUTE = "TOXICITY"
LANGUAGES = ("en",)
MAX_RETRIES = 5  # of the engine a scorer makes for itself outside a run (a run's engine has its own)
RETRY_STATUS = (429, 500, 502, 503, 504)
OVERLOAD_STATUS = (429, 503)
_KEY_IN_URL = re.compile(r"([?&]key=)[^&\s\"']+")


class _HideKeys(logging.Filter):
    """Masks ``key=`` query values in httpx's request log lines (they print the URL, query included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "key=" in message:
            record.msg, record.args = _KEY_IN_URL.sub(r"\1***", message), ()
        return True


if not any(isinstance(f, _HideKeys) for f in logging.getLogger("httpx").filters):
    logging.getLogger("httpx").addFilter(_HideKeys())


class PerspectiveRequest(BaseModel):
    """Score one text."""

    model_config = ConfigDict(frozen=True)
    text: str


class PerspectiveScore(BaseModel):
    """The text's TOXICITY summary score, in [0, 1]."""

    toxicity: float


class PerspectiveAPI(Service):
    """``comments:analyze`` at ``url``: one text per call."""

    kind = "perspective"
    result_type = PerspectiveScore

    def __init__(
        self,
        url: str = PERSPECTIVE_URL,
        api_key_env: str = PERSPECTIVE_KEY_ENV,
        timeout_s: float = 30.0,
        max_concurrency: int = 1,
    ) -> None:
        super().__init__("perspective")
        self._key = os.environ.get(api_key_env, "").strip()
        if not self._key:
            raise ConfigError(
                f"toxicity model=perspective needs an API key in the environment variable {api_key_env}"
            )
        if not isinstance(max_concurrency, int) or max_concurrency < 1:
            raise ConfigError(f"toxicity max_concurrency must be a positive integer, got {max_concurrency}")
        self.url = url
        self.timeout_s = timeout_s
        self.concurrency = max_concurrency
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"PerspectiveAPI(url={self.url!r})"

    @property
    def endpoints(self) -> list[str]:
        """The one URL."""
        return [self.url]

    def max_concurrency(self, endpoint: str) -> int:
        """The quota's concurrency (default 1); the engine starts at 1 and adapts up to it."""
        return self.concurrency

    def identity(self) -> dict[str, Any]:
        """Endpoint, attribute and languages: what the score depends on besides the text (never the key)."""
        return {"kind": self.kind, "url": self.url, "attribute": ATTRIBUTE, "languages": list(LANGUAGES)}

    def _http(self) -> httpx.AsyncClient:
        """One client per event loop (the engine runs a loop per call)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            self._client = httpx.AsyncClient(timeout=self.timeout_s)
            self._client_loop = loop
        return self._client

    async def call(self, requests: list[PerspectiveRequest], endpoint: str) -> list[PerspectiveScore]:
        """The TOXICITY score of the request's text; errors say what the server said, key masked."""
        (request,) = requests
        body = {
            "comment": {"text": request.text},
            "requestedAttributes": {ATTRIBUTE: {}},
            "languages": list(LANGUAGES),
            "doNotStore": True,
        }
        try:
            response = await self._http().post(endpoint, params={"key": self._key}, json=body)
        except httpx.TransportError as exc:
            overload = isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout)
            raise TransientBackendError(f"no answer ({type(exc).__name__})", overload=overload) from None
        if response.status_code == 200:
            return [PerspectiveScore(toxicity=self._toxicity(response))]
        problem = f"HTTP {response.status_code}{self._message(response)}"
        if response.status_code in RETRY_STATUS:
            from alignscope.backends.openai_compat import parse_retry_after  # aiohttp: only when retrying

            raise TransientBackendError(
                problem,
                retry_after=parse_retry_after(response.headers),
                overload=response.status_code in OVERLOAD_STATUS,
            )
        raise PermanentBackendError(f"refused the request: {problem}")

    def _toxicity(self, response: httpx.Response) -> float:
        try:
            value = response.json()["attributeScores"][ATTRIBUTE]["summaryScore"]["value"]
        except (ValueError, KeyError, TypeError):
            value = None
        if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise PermanentBackendError(
                "answer has no attributeScores.TOXICITY.summaryScore.value in [0, 1]"
                f" (body starts {self._hide(response.text[:80])!r})"
            )
        return float(value)

    def _message(self, response: httpx.Response) -> str:
        """The server's error message (key masked), if it sent one."""
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            return ""
        return f" ({self._hide(str(message)[:200])})"

    def _hide(self, text: str) -> str:
        return text.replace(self._key, "***")

    async def aclose(self) -> None:
        """Close the client's connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None


class PerspectiveToxicity:
    """A toxicity model (``predict``) asking the Perspective API through ``engine``: a run's, whose store
    keeps every score as it arrives (a rerun or a killed run sends no text twice), else a throwaway one."""

    name = "perspective"

    def __init__(self, engine: Engine | None = None, **options: Any) -> None:
        self.api = PerspectiveAPI(**options)
        self.engine = engine

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """One score per text, in order; BackendError (one line) at the first text that cannot be scored,
        after which no further text is sent."""
        with self._engine() as engine:
            outcomes = engine.call(
                self.api,
                [PerspectiveRequest(text=text) for text in texts],
                desc="perspective toxicity",
                stop_on_failure=True,
            )
        failed = [o for o in outcomes if o.last_error]  # the unsent ones have none
        if failed:
            raise failure(failed[0])
        return np.array([o.result.toxicity for o in outcomes], dtype=float)

    @contextmanager
    def _engine(self) -> Iterator[Engine]:
        """The run's engine, else one of its own on a store deleted afterwards."""
        if self.engine is not None:
            yield self.engine
            return
        with tempfile.TemporaryDirectory(prefix="alignscope-perspective-") as workspace:
            store = RunStore(workspace)
            try:
                yield Engine(store, "perspective", max_attempts=MAX_RETRIES + 1)
            finally:
                store.close()


def failure(outcome: CallOutcome) -> BackendError:
    """The one-line error of a request the engine could not get answered."""
    if outcome.attempts > 1:
        return BackendError(
            f"Perspective API still failing after {outcome.attempts} attempts: {outcome.last_error}"
        )
    return BackendError(f"Perspective API {outcome.last_error}")
