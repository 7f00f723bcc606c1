"""A GGUF model's dequantised directory (what the hf backend and the trainers load): the same logits, token
ids and chat prompt as transformers' own GGUF load, converted once into ``$ALIGNSCOPE_CACHE``, and a cache
that cannot be written is one BackendError line."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from alignscope.backends.gguf_convert import cache_root, dequantised_directory
from alignscope.backends.hf import HFBackend
from alignscope.backends.local_files import resolve_local_model
from alignscope.errors import BackendError

CHAT = [{"role": "user", "content": "Name a colour."}, {"role": "assistant", "content": "Blue."}]


def test_the_directory_is_the_gguf_model_as_transformers_reads_it(hf_smollm2: HFBackend) -> None:
    local = resolve_local_model("smollm2-135m")
    directory = dequantised_directory(local)
    assert directory.parent == cache_root() / "gguf-hf" and (directory / "config.json").is_file()
    stamp = (directory / "config.json").stat().st_mtime_ns
    assert dequantised_directory(local) == directory  # converted once: found by the weights' fingerprint
    assert (directory / "config.json").stat().st_mtime_ns == stamp

    direct = AutoModelForCausalLM.from_pretrained(
        local.directory, gguf_file=local.gguf_file, dtype=torch.float32, local_files_only=True
    ).eval()
    gguf_tok = AutoTokenizer.from_pretrained(
        local.directory, gguf_file=local.gguf_file, local_files_only=True
    )
    loaded = hf_smollm2.loaded  # the backend's model, from the directory
    assert not getattr(loaded.model, "is_quantized", False)
    text = gguf_tok.apply_chat_template(CHAT, tokenize=False)
    assert loaded.tokenizer.apply_chat_template(CHAT, tokenize=False) == text
    ids = gguf_tok(text, return_tensors="pt")["input_ids"]
    assert loaded.tokenizer(text, return_tensors="pt")["input_ids"].tolist() == ids.tolist()
    for name, tensor in direct.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[name], tensor), name
    with torch.no_grad():
        torch.testing.assert_close(loaded.model(ids).logits, direct(ids).logits, rtol=0, atol=0)
    eos = direct.generation_config.eos_token_id
    assert loaded.eos_ids == sorted({*(eos if isinstance(eos, list) else [eos]), gguf_tok.eos_token_id})


def test_an_unwritable_cache_is_one_backend_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("ALIGNSCOPE_CACHE", str(blocker))
    with pytest.raises(BackendError, match="cannot write the converted model") as err:
        dequantised_directory(resolve_local_model("smollm2-135m"))
    assert "\n" not in str(err.value)
