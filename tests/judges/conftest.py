"""Judge fixtures: a run store and engine, and an echo judge (the fault-injection server, whose reply quotes
the prompt, so verdicts are set by the answers). The embedded SmolLM2 (``hf_smollm2``, ``llama_server``)
comes from tests/conftest.py, once per session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from alignscope.backends.base import Backend
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.engine.runner import Engine
from alignscope.store import RunStore
from alignscope.testing.fault_server import FaultConfig, FaultServer


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    store = RunStore(tmp_path / "ws")
    store.start_run("judge-test", "judge", {})
    return Engine(store, "judge-test", progress=False, base_delay_s=0.01, max_attempts=3)


@pytest.fixture
def echo_server() -> Iterator[FaultServer]:
    server = FaultServer(FaultConfig()).start()
    yield server
    server.stop()


@pytest.fixture
def echo_model(echo_server: FaultServer) -> ModelSpec:
    return ModelSpec(name="echo", backend="openai", model="echo", base_urls=[echo_server.url])


@pytest.fixture
def echo_backend(echo_model: ModelSpec) -> Backend:
    return make_backend(echo_model)


@pytest.fixture
def template_file(tmp_path: Path) -> Callable[[str, str, str], str]:
    """Write a judge template whose prompt is ``body`` (the echo judge quotes it back)."""

    def write(mode: str, parser: str, body: str) -> str:
        path = tmp_path / f"{mode}-{parser}.j2"
        path.write_text(
            f"{{#\nmode: {mode}\nparser: {parser}\n#}}\n{{% block prompt %}}{body}{{% endblock %}}"
        )
        return str(path)

    return write
