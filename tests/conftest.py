"""Suite-wide fixtures: the fault-injection server, and the embedded SmolLM2 (loaded once per session
in-process, and served once per session by a real llama.cpp server)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from servers import llama_cpp_server  # tests/ is on sys.path (rootdir conftest)

from alignscope.testing.fault_server import FaultConfig, FaultServer

if TYPE_CHECKING:
    from alignscope.backends.hf import HFBackend

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
if "ALIGNSCOPE_CACHE" not in os.environ:  # converted models of this session (CLI subprocesses share them)
    os.environ["ALIGNSCOPE_CACHE"] = tempfile.mkdtemp(prefix="alignscope-test-cache-")
    atexit.register(shutil.rmtree, os.environ["ALIGNSCOPE_CACHE"], True)


@pytest.fixture
def own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ``$ALIGNSCOPE_DATA_DIR`` (where the user's own copies of data sets are found) for one test."""
    from alignscope.data.byo import DATA_DIR_ENV

    folder = tmp_path / "own-data"
    folder.mkdir()
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    return folder


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    """A fault-free OpenAI-compatible server on 127.0.0.1; tests change ``server.config`` as they need."""
    server = FaultServer(FaultConfig()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smollm2_gguf() -> Path:
    """The embedded SmolLM2-135M-Instruct GGUF file."""
    from alignscope.backends.embedded import embedded_model_path

    return embedded_model_path("smollm2-135m")


@pytest.fixture(scope="session")
def hf_smollm2() -> HFBackend:
    """SmolLM2 through transformers, batch size 8 (loaded once per test session)."""
    from alignscope.backends.hf import HFBackend
    from alignscope.backends.registry import make_backend
    from alignscope.config import ModelSpec

    backend = make_backend(ModelSpec(name="smollm2", backend="hf", model="smollm2-135m", batch_size=8))
    assert isinstance(backend, HFBackend)
    return backend


@pytest.fixture(scope="session")
def llama_server(smollm2_gguf: Path) -> Iterator[str]:
    """Base URL of a real llama.cpp server serving SmolLM2 as model ``smollm2-135m`` on 127.0.0.1."""
    with llama_cpp_server(smollm2_gguf, alias="smollm2-135m") as base_url:
        yield base_url
