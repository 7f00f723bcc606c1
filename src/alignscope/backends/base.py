"""The backend protocol: one interface over transformers, OpenAI-compatible servers and vLLM.

A backend answers *batches* of requests on one *endpoint*. The engine (``alignscope.engine``) owns
concurrency, retries, the call cache and progress; a backend only makes calls. HTTP backends expose one
endpoint per base URL and ``max_batch = 1``; in-process backends expose one endpoint ("local") and batch.

Errors: raise ``TransientBackendError`` for anything worth retrying (429/5xx/timeouts/dropped
connections/malformed bodies), ``PermanentBackendError`` for a request that will fail again, and
``BackendError`` (a UserError) when the backend as a whole cannot work (unreachable server at start-up,
unknown model, missing file).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from alignscope.records import Message, SamplingParams


class TokenLogprob(BaseModel):
    """One generated token with its log-probability and the top alternatives at that position."""

    token: str
    logprob: float
    top: dict[str, float] = Field(default_factory=dict)


class ChatRequest(BaseModel):
    """Generate an assistant reply to ``messages``; or, when ``prompt`` is set, continue that raw text used
    verbatim (no chat template, as lm-evaluation-harness's generation tasks do; backends with
    ``supports_text_prompt`` only). ``prompt`` is left out of the request's dump when unset."""

    model_config = ConfigDict(frozen=True)
    messages: tuple[Message, ...]
    sampling: SamplingParams = SamplingParams()
    prompt: str | None = Field(default=None, exclude_if=lambda v: v is None)


#: identity fields that only shape chat-formatted requests
CHAT_FORMATTING = ("chat_template", "system_prompt")


def is_raw_text(request: ChatRequest | LoglikelihoodRequest) -> bool:
    """True when ``request`` is raw text used verbatim: no chat template or system prompt reaches it."""
    if isinstance(request, ChatRequest):
        return request.prompt is not None
    return isinstance(request.context, str)


class ChatResult(BaseModel):
    """A generated reply. ``logprobs`` is set when the request asked for them and the backend has them."""

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    logprobs: list[TokenLogprob] | None = None


class LoglikelihoodRequest(BaseModel):
    """Log-probability of ``continuation`` right after ``context``.

    ``context`` is raw text (used verbatim, as lm-evaluation-harness does), or chat messages, in which case
    the model's chat template is applied with the generation prompt and the continuation starts the
    assistant turn (backends that cannot: ``supports_chat_loglikelihood`` is False).
    """

    model_config = ConfigDict(frozen=True)
    context: str | tuple[Message, ...]
    continuation: str


class LoglikelihoodResult(BaseModel):
    """The continuation's summed token log-probs, whether greedy decoding gives it, its token count."""

    logprob: float
    is_greedy: bool
    n_tokens: int


class Backend(ABC):
    """A model behind some engine. Subclasses set ``kind`` and implement the calls."""

    kind: str = "base"
    max_batch: int = 1
    #: log-likelihood batches hold up to ``max_batch`` distinct contexts, each with all its requests (the
    #: backend reads a context once for the continuations after it); False: up to ``max_batch`` requests
    batches_by_context: bool = False

    def __init__(self, model: str) -> None:
        self.model = model

    @property
    def endpoints(self) -> list[str]:
        """Where calls can go; the engine keeps one adaptive concurrency limit per endpoint."""
        return ["local"]

    def default_concurrency(self, endpoint: str) -> int:
        """Starting concurrency for ``endpoint`` (the engine adapts it)."""
        return 1

    @abstractmethod
    def identity(self) -> dict[str, Any]:
        """What makes this backend's answers what they are (kind, model id and revision or file hash,
        dtype, chat template). Part of every cache key; never includes secrets or base URLs."""

    def request_identity(self, request: ChatRequest | LoglikelihoodRequest) -> dict[str, Any]:
        """``identity()`` as far as it bears on ``request``: a raw-text request (a ``prompt``, or a text
        log-likelihood context) reaches the model verbatim, so the chat template and system prompt do not
        key it, and system-prompt variants of one model share its answers."""
        identity = self.identity()
        if not is_raw_text(request):
            return identity
        return {k: v for k, v in identity.items() if k not in CHAT_FORMATTING}

    @abstractmethod
    async def generate(self, requests: list[ChatRequest], endpoint: str) -> list[ChatResult]:
        """Answer ``requests`` (at most ``max_batch``) on ``endpoint``, results in the same order."""

    @abstractmethod
    async def loglikelihood(
        self, requests: list[LoglikelihoodRequest], endpoint: str
    ) -> list[LoglikelihoodResult]:
        """Score ``requests`` (at most ``max_batch``) on ``endpoint``, results in the same order."""

    @property
    def supports_loglikelihood(self) -> bool:
        """Whether :meth:`loglikelihood` works here (chat-only servers may not have it)."""
        return True

    @property
    def supports_chat_loglikelihood(self) -> bool:
        """Whether :meth:`loglikelihood` takes chat-message contexts (applying the model's chat template);
        a backend that scores raw text only says False, and multiple choice over chat asks by generation."""
        return self.supports_loglikelihood

    @property
    def supports_text_prompt(self) -> bool:
        """Whether :meth:`generate` continues raw-text ``ChatRequest.prompt``s (chat-only servers cannot)."""
        return False

    @property
    def supports_logprobs(self) -> bool:
        """Whether generation can return top log-probabilities (for logprob verdicts)."""
        return True

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` by this model's tokenizer (whitespace words where it has none)."""
        return len(text.split())

    async def check(self) -> None:  # noqa: B027 - optional hook
        """Start-up probe: raise BackendError if the backend cannot work (server unreachable, key refused)."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections, processes or GPU memory."""
