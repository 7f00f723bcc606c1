"""Services: remote APIs that are not language models (a scoring API such as Perspective) called through the
engine, so that they get the same retries, Retry-After, adaptive concurrency, call cache and progress.

A service answers batches of one request type with one result type, like a backend's ``generate``; it
raises ``TransientBackendError`` for what is worth retrying and ``PermanentBackendError`` for what is not.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from pydantic import BaseModel


class Service(ABC):
    """A non-LLM API behind the engine. ``kind`` names its calls (cache rows, concurrency limits);
    ``model`` is the label stored with its cached answers."""

    kind: ClassVar[str]
    result_type: ClassVar[type[BaseModel]]
    max_batch: ClassVar[int] = 1

    def __init__(self, model: str) -> None:
        self.model = model

    @property
    @abstractmethod
    def endpoints(self) -> list[str]:
        """Where calls can go; the engine keeps one adaptive concurrency limit per endpoint."""

    def default_concurrency(self, endpoint: str) -> int:
        """Starting concurrency for ``endpoint`` (the engine adapts it up to ``max_concurrency``)."""
        return 1

    def max_concurrency(self, endpoint: str) -> int | None:
        """The most concurrent calls ``endpoint`` allows (a quota); None: four times the starting one."""
        return None

    @abstractmethod
    def identity(self) -> dict[str, Any]:
        """What makes this service's answers what they are; part of every cache key, never a secret."""

    @abstractmethod
    async def call(self, requests: list[Any], endpoint: str) -> list[BaseModel]:
        """Answer ``requests`` (at most ``max_batch``) on ``endpoint``, results in the same order."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
