"""The engine: runs many backend calls with adaptive concurrency, retries, a persistent cache and progress."""

from alignscope.engine.runner import CallOutcome, Engine, EngineStats
from alignscope.engine.service import Service

__all__ = ["CallOutcome", "Engine", "EngineStats", "Service"]
