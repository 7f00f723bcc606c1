"""alignscope: is this model better aligned, or only judged better?

The Python API (docs/python-api.md): every command as a function with the command's options, the same run
store (resumable, cached), typed results whose tables are pandas DataFrames, and alignscope's own exceptions
(``alignscope.errors``) instead of exit codes. Names load on first use, so ``import alignscope`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    "generate": "alignscope.api.generate",
    "bench": "alignscope.api.bench",
    "audit": "alignscope.api.audit",
    "judge": "alignscope.api.judge",
    "leaderboard": "alignscope.api.leaderboard",
    "audit_judge": "alignscope.api.audit_judge",
    "correlate": "alignscope.api.correlate",
    "bench_score": "alignscope.api.bench_score",
    "trust_study": "alignscope.api.trust_study",
    "evaluate": "alignscope.api.evaluate",
}

# Namespaces of several functions: alignscope.train.sft(...), alignscope.train.meta_rewarding(...)
_NAMESPACES = {
    "train": "alignscope.api.train",
    "dissect": "alignscope.api.dissect",
}

__all__ = ["__version__", *_API, *_NAMESPACES]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    if name in _NAMESPACES:
        return importlib.import_module(_NAMESPACES[name])
    raise AttributeError(f"module 'alignscope' has no attribute {name!r}")
