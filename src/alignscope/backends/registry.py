"""Backends by kind: ``make_backend`` turns a ModelSpec into a ready Backend, or one BackendError line."""

from __future__ import annotations

from alignscope.backends.base import Backend
from alignscope.backends.local_files import resolve_local_model
from alignscope.config import ModelSpec


def make_backend(spec: ModelSpec, where: str | None = None) -> Backend:
    """The backend ``spec`` names, ready to call; ``where`` prefixes errors ("config.yaml: models[0]")."""
    where = where or spec.name
    if spec.backend == "openai":
        from alignscope.backends.openai_compat import OpenAIBackend

        return OpenAIBackend(spec, where=where)
    local = resolve_local_model(spec.model, where=f"{where}.model")
    if spec.backend == "vllm":
        from alignscope.backends.vllm_offline import VLLMBackend

        return VLLMBackend(spec, local)
    from alignscope.backends.hf import HFBackend

    return HFBackend(spec, local)
