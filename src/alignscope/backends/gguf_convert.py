"""GGUF models as plain HF directories: dequantised once per weights fingerprint into the user's cache.

transformers reads a GGUF file three times per load (config, tokenizer, then the dequantised weights: about 30
CPU-seconds for the embedded 135M model) and marks the model quantized, so it cannot be trained or saved. The
directory made here holds the same float32 weights, config, generation config and tokenizer (chat template
included) and loads in about a second; TRL trains from it.

The cache is ``$ALIGNSCOPE_CACHE/gguf-hf`` (by default under ``$XDG_CACHE_HOME/alignscope`` or
``~/.cache/alignscope``); each directory is written under a temporary name and renamed into place, so
concurrent processes never see a half-written one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from alignscope.backends.local_files import LocalModel, fingerprint
from alignscope.errors import BackendError


def cache_root() -> Path:
    """Where alignscope caches converted models: ``$ALIGNSCOPE_CACHE``, else the XDG cache directory."""
    explicit = os.environ.get("ALIGNSCOPE_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "alignscope"


def dequantised_directory(local: LocalModel) -> Path:
    """The HF directory holding the dequantised GGUF model ``local``, converted on first use."""
    if not local.gguf_file:
        raise ValueError(f"{local.label} is not a GGUF model")
    root = cache_root() / "gguf-hf"
    target = root / f"{local.path.stem}-{fingerprint(local.path)}"
    if (target / "config.json").exists():
        return target
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".converting-", dir=root))
    except OSError as exc:
        raise BackendError(f"cannot write the converted model to {root}: {exc.strerror}") from None
    try:
        _convert(local, tmp)
        tmp.chmod(0o755)
        os.replace(tmp, target)
    except OSError as exc:
        if not (target / "config.json").exists():  # not another process's finished conversion
            raise BackendError(f"cannot write the converted model to {root}: {exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _convert(local: LocalModel, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kwargs = {"gguf_file": local.gguf_file, "local_files_only": True}
    try:
        loaded = AutoModelForCausalLM.from_pretrained(local.directory, dtype=torch.float32, **kwargs)
        tokenizer = AutoTokenizer.from_pretrained(local.directory, **kwargs)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackendError(f"cannot load model {local.label!r}: {first}") from None
    # transformers marks GGUF-loaded models quantized (unsaveable, untrainable): rebuild a plain one
    config = loaded.config
    del config.quantization_config
    with torch.device("meta"):
        plain = AutoModelForCausalLM.from_config(config)
    plain.load_state_dict(loaded.state_dict(), assign=True)
    plain.tie_weights()
    plain.generation_config = loaded.generation_config
    plain.save_pretrained(out)
    tokenizer.save_pretrained(out)
