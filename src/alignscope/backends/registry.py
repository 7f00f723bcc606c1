"""Backends by name: ``@register_backend(name)`` on a factory ``(spec, where) -> Backend`` adds one (configs
then accept the name), and ``make_backend`` turns a ModelSpec into a ready Backend, or one BackendError line.

The built-in factories import their backend module on first use (torch for hf, vLLM for vllm), so naming a
backend in a config loads nothing heavy. Installed plugins register theirs from a module named in the
``alignscope.plugins`` entry point group.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TypeVar

from alignscope.backends.base import Backend
from alignscope.backends.local_files import resolve_local_model
from alignscope.config import BACKENDS, BackendInfo, ModelSpec
from alignscope.plugins import Registry

BackendFactory = Callable[[ModelSpec, str], Backend]
F = TypeVar("F", bound=BackendFactory)
FACTORIES: Registry[BackendFactory] = Registry("backend")


def register_backend(name: str, *, needs_base_url: bool = False) -> Callable[[F], F]:
    """Decorator registering ``factory(spec, where)`` as backend ``name`` (``where`` prefixes its errors);
    ``needs_base_url``: a model spec of this backend must give base URLs (``--model NAME:MODEL@URL``)."""

    def add(factory: F) -> F:
        FACTORIES.register(name, factory)
        BACKENDS.register(name, BackendInfo(needs_base_url=needs_base_url))
        return factory

    return add


def make_backend(spec: ModelSpec, where: str | None = None) -> Backend:
    """The backend ``spec`` names, ready to call; ``where`` prefixes errors ("config.yaml: models[0]")."""
    return FACTORIES.get(spec.backend)(spec, where or spec.name)


def ready_backends(specs: Sequence[ModelSpec]) -> list[Backend]:
    """A checked backend per spec (unreachable servers and refused keys fail here, before any run starts)."""
    backends = [make_backend(spec) for spec in specs]
    for backend in backends:
        asyncio.run(backend.check())
    return backends


@register_backend("auto")
def _auto(spec: ModelSpec, where: str) -> Backend:
    """The local engine for the model's weights: llamacpp for a GGUF file on the CPU (its parallel slots
    generate faster there), hf for a HF directory or on a GPU."""
    local = resolve_local_model(spec.model, where=f"{where}.model")
    if local.gguf_file and not _wants_gpu(spec.device):
        from alignscope.backends.llamacpp import LlamaCppBackend

        return LlamaCppBackend(spec, local)
    from alignscope.backends.hf import HFBackend

    return HFBackend(spec, local)


def _wants_gpu(device: str) -> bool:
    """Whether the spec's ``device`` puts the model on a GPU (``auto``: when CUDA is available)."""
    if device != "auto":
        return device.startswith("cuda")
    import torch

    return torch.cuda.is_available()


@register_backend("hf")
def _hf(spec: ModelSpec, where: str) -> Backend:
    from alignscope.backends.hf import HFBackend

    return HFBackend(spec, resolve_local_model(spec.model, where=f"{where}.model"))


@register_backend("llamacpp")
def _llamacpp(spec: ModelSpec, where: str) -> Backend:
    from alignscope.backends.llamacpp import LlamaCppBackend

    return LlamaCppBackend(spec, resolve_local_model(spec.model, where=f"{where}.model"))


@register_backend("openai", needs_base_url=True)
def _openai(spec: ModelSpec, where: str) -> Backend:
    from alignscope.backends.openai_compat import OpenAIBackend

    return OpenAIBackend(spec, where=where)


@register_backend("vllm")
def _vllm(spec: ModelSpec, where: str) -> Backend:
    local = resolve_local_model(spec.model, where=f"{where}.model")
    from alignscope.backends.vllm_offline import VLLMBackend

    return VLLMBackend(spec, local)
