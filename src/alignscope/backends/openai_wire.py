"""The OpenAI chat-completions wire format, shared by the HTTP backend and llama.cpp in-process: the request
body of a ChatRequest and the ChatResult of a response body."""

from __future__ import annotations

from typing import Any

from alignscope.backends.base import ChatRequest, ChatResult, TokenLogprob
from alignscope.backends.chat import chat_messages
from alignscope.errors import TransientBackendError


def chat_body(model: str, request: ChatRequest, system_prompt: str | None) -> dict[str, Any]:
    """The ``/chat/completions`` body of ``request`` (``system_prompt`` first unless the messages carry one);
    with ``request.prompt`` set, the ``/completions`` body that continues that raw text instead."""
    s = request.sampling
    body: dict[str, Any] = {"model": model}
    if request.prompt is not None:
        body["prompt"] = request.prompt
    else:
        body["messages"] = chat_messages(request.messages, system_prompt)
    body |= {"temperature": s.temperature, "top_p": s.top_p, "max_tokens": s.max_tokens}
    if s.seed is not None:
        body["seed"] = s.seed
    if s.stop:
        body["stop"] = list(s.stop)
    if s.logprobs or s.top_logprobs:
        body["logprobs"] = True
        if s.top_logprobs:
            body["top_logprobs"] = s.top_logprobs
    return body


def chat_result(data: dict[str, Any], request: ChatRequest, path: str) -> ChatResult:
    """The ChatResult of the response body ``data`` to ``request`` (from ``path``, named in errors);
    a malformed body is a TransientBackendError."""
    s = request.sampling
    try:
        choice = data["choices"][0]
        usage = data.get("usage") or {}
        text = choice["text"] if request.prompt is not None else choice["message"].get("content")
        content = ((choice.get("logprobs") or {}).get("content")) if (s.logprobs or s.top_logprobs) else None
        return ChatResult(
            text=text or "",
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            finish_reason=choice.get("finish_reason"),
            logprobs=[token_logprob(c) for c in content] if content is not None else None,
        )
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
        raise TransientBackendError(f"{path}: malformed response ({type(exc).__name__}: {exc})") from None


def token_logprob(entry: dict[str, Any]) -> TokenLogprob:
    """One ``logprobs.content`` entry as a TokenLogprob."""
    top = {t["token"]: float(t["logprob"]) for t in entry.get("top_logprobs") or []}
    return TokenLogprob(token=entry["token"], logprob=float(entry["logprob"]), top=top)
