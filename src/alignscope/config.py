"""Run configs: YAML files validated by pydantic, with one-line errors naming file and field.

Backend names are looked up in ``BACKENDS``, which the backends layer fills (``register_backend`` in
``alignscope.backends.registry``, imported with the ``alignscope.backends`` package): configs accept exactly
the backends that can be built, and this module imports nothing above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from alignscope.errors import ConfigError
from alignscope.plugins import Registry
from alignscope.records import SamplingParams

#: a model named without a backend: llama.cpp in-process for a GGUF file on the CPU, transformers otherwise
DEFAULT_BACKEND = "auto"


@dataclass(frozen=True)
class BackendInfo:
    """What configs know of a registered backend: whether a model spec must give base URLs."""

    needs_base_url: bool = False


BACKENDS: Registry[BackendInfo] = Registry("backend")


def invalid(error: ConfigError | str) -> PydanticCustomError:
    """A pydantic validation error whose message is exactly ``error``'s line (for field validators that
    look names up in registries; ``validate_config`` then puts the file and field in front)."""
    return PydanticCustomError("invalid", "{message}", {"message": str(error)})


def _known_backend(name: str) -> str:
    if not BACKENDS.names():
        raise invalid("no backend is registered: import alignscope.backends before validating model specs")
    try:
        BACKENDS.get(name)
    except ConfigError as exc:
        raise invalid(exc) from None
    return name


BackendName = Annotated[str, AfterValidator(_known_backend)]


class ModelSpec(BaseModel):
    """A model to evaluate or to judge with: which backend runs it, and how.

    ``name`` labels its records; ``model`` is a HF id or local directory, a GGUF file, a server's model name,
    or ``smollm2-135m`` (the embedded default). ``system_prompt`` turns one model into a distinct variant.
    ``api_key_env`` names the environment variable holding the key (the key itself never goes in a config).
    """

    model_config = ConfigDict(extra="forbid")
    name: str
    backend: BackendName = DEFAULT_BACKEND
    model: str = "smollm2-135m"
    base_urls: list[str] = Field(default_factory=list)
    api_key_env: str | None = None
    system_prompt: str | None = None
    max_concurrency: int | None = None
    timeout_s: float = 120.0
    batch_size: int = 8
    dtype: str = "auto"
    device: str = "auto"
    options: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def parse(cls, text: str, api_key_env: str | None = None) -> ModelSpec:
        """A ModelSpec from ``BACKEND:MODEL[@URL[,URL...]]`` (as ``--model`` takes it); a bare name or path
        means the ``auto`` backend (llama.cpp for a GGUF file on the CPU, else hf). One-line ConfigError
        naming the text otherwise."""
        backend, sep, rest = text.partition(":")
        if not sep or backend not in BACKENDS:
            if sep and "/" not in backend and not backend.startswith((".", "~")):
                raise ConfigError(
                    f"--model {text}: unknown backend '{backend}' (choose {', '.join(BACKENDS.names())})"
                )
            backend, rest = DEFAULT_BACKEND, text
        model, _, urls = rest.partition("@")
        if not model:
            raise ConfigError(f"--model {text}: empty model name")
        if BACKENDS.get(backend).needs_base_url and not urls:
            raise ConfigError(
                f"--model {text}: the {backend} backend needs a base URL ({backend}:MODEL@http://host:port/v1)"
            )
        return cls(
            name=model if backend == DEFAULT_BACKEND else f"{backend}:{model}",
            backend=backend,
            model=model,
            base_urls=[u for u in urls.split(",") if u],
            api_key_env=api_key_env,
        )


class GenerateConfig(BaseModel):
    """``alignscope generate``: models x one data set."""

    model_config = ConfigDict(extra="forbid")
    models: list[ModelSpec]
    data: str
    limit: int | None = None
    seed: int = 0
    sampling: SamplingParams = SamplingParams()


T = TypeVar("T", bound=BaseModel)


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate_config(raw: Any, cls: type[T], where: str) -> T:
    """``cls`` from parsed YAML/JSON; the first validation error becomes one ConfigError line."""
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = _loc(err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        raise ConfigError(f"{loc}: {msg}" if loc else msg, where=where) from None


def load_config(path: Path, cls: type[T]) -> T:
    """Read and validate a YAML config file."""
    if not path.exists():
        raise ConfigError("file not found", where=str(path))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        raise ConfigError(f"{line}invalid YAML ({getattr(exc, 'problem', exc)})", where=str(path)) from None
    if not isinstance(raw, dict):
        raise ConfigError("expected a mapping at the top level", where=str(path))
    return validate_config(raw, cls, str(path))
