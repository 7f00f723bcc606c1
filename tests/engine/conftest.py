"""Fixtures: OpenAI-compatible backends pointed at a (fault-injecting) server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from alignscope.backends.base import Backend
from alignscope.config import ModelSpec


def _openai_backend(url: str, timeout_s: float = 0.5) -> Backend:
    from alignscope.backends.registry import make_backend

    spec = ModelSpec(
        name="fault", backend="openai", model="fault-model", base_urls=[url], timeout_s=timeout_s
    )
    return make_backend(spec)


@pytest.fixture
def openai_backend() -> Callable[..., Backend]:
    """Factory: the real OpenAI-compatible backend pointed at a URL (client timeout 0.5 s by default)."""
    return _openai_backend
