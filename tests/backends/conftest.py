"""The openai backend pointed at the session's llama.cpp server (``llama_server``, ``hf_smollm2`` and
``smollm2_gguf`` are suite-wide fixtures in tests/conftest.py)."""

from __future__ import annotations

import pytest

from alignscope.backends.openai_compat import OpenAIBackend
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec


@pytest.fixture()
def server_backend(llama_server: str) -> OpenAIBackend:
    """The openai backend pointed at the llama.cpp server."""
    backend = make_backend(
        ModelSpec(name="srv", backend="openai", model="smollm2-135m", base_urls=[llama_server])
    )
    assert isinstance(backend, OpenAIBackend)
    return backend
