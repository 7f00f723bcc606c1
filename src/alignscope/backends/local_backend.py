"""The part local-weights backends (hf, vllm) share: what identifies their answers, and token counts."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from alignscope.backends.base import Backend
from alignscope.backends.local_files import LocalModel, fingerprint
from alignscope.config import ModelSpec
from alignscope.hashing import text_hash


class LocalBackend(Backend):
    """A backend over local weights ``local``; subclasses set ``chat_template`` and ``tokenizer`` and
    name their ``dtype_name``."""

    chat_template: str | None
    tokenizer: Any

    def __init__(self, spec: ModelSpec, local: LocalModel) -> None:
        super().__init__(spec.model)
        self.spec = spec
        self.local = local
        self._fingerprint = fingerprint(local.path)

    @property
    @abstractmethod
    def dtype_name(self) -> str:
        """The dtype the weights run in, as a plain name (``float32``, ``bfloat16``...)."""

    def identity(self) -> dict[str, Any]:
        """Kind, model label and weights fingerprint, dtype, chat template hash and system prompt."""
        template = self.chat_template
        return {
            "kind": self.kind,
            "model": self.local.label,
            "weights": self._fingerprint,
            "dtype": self.dtype_name,
            "chat_template": text_hash(template) if isinstance(template, str) else None,
            "system_prompt": self.spec.system_prompt,
        }

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` by the model's tokenizer."""
        return len(self.tokenizer.encode(text, add_special_tokens=False))
