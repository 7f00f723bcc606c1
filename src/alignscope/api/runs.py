"""A command's run in the store: open (or resume) it with an Engine, close it with its summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alignscope.config import ModelSpec
from alignscope.engine import Engine
from alignscope.hashing import stable_hash
from alignscope.report.model import Report
from alignscope.store import RunStore


def model_specs(models: Sequence[str | ModelSpec], api_key_env: str | None = None) -> list[ModelSpec]:
    """ModelSpecs from ``BACKEND:MODEL[@URL]`` texts or ModelSpecs (given as they are)."""
    return [m if isinstance(m, ModelSpec) else ModelSpec.parse(m, api_key_env) for m in models]


def open_run(
    store: RunStore, command: str, config: dict[str, Any], run_id: str | None, *, progress: bool = True
) -> tuple[Engine, bool]:
    """The Engine of ``config``'s run and whether it was resumed. The default run id is a hash of the config,
    so the same call resumes the same run and answers finished calls from the cache."""
    rid = run_id or f"{command}-{stable_hash(config, 10)}"
    resumed = store.start_run(rid, command, config)
    return Engine(store, rid, progress=progress), resumed


def close_run(engine: Engine, summary: dict[str, Any]) -> dict[str, Any]:
    """Store the run's summary with the engine's call counts (status failed if any call failed); the full
    summary (run id, workspace, calls, then ``summary``)."""
    full = {
        "run_id": engine.run_id,
        "workspace": str(engine.store.workspace),
        "calls": engine.stats.as_dict(),
    }
    full |= summary
    engine.store.finish_run(engine.run_id, "failed" if engine.stats.failures else "done", full)
    return full


def report_folder(run_id: str, out: Path | None) -> Path:
    """Where a run's report goes: ``out``, else ``reports/RUN`` (absolute, so printed paths work anywhere)."""
    return (out or Path("reports") / run_id).absolute()


def publish_run_report(engine: Engine, report: Report, out: Path | str | None) -> dict[str, Any]:
    """Write the run's report into ``out`` (default ``reports/RUN``) and store it with the run (for
    ``alignscope report RUN``); the paths written."""
    from alignscope.report.outputs import publish_report

    folder = report_folder(engine.run_id, Path(out) if out else None)
    return publish_report(engine.store, engine.run_id, report, folder)


@dataclass
class RunResult:
    """What a model-calling function returns: the stored run's summary (``to_dict()``, the same object the
    command prints with ``--json``) and its workspace."""

    summary: dict[str, Any] = field(repr=False)

    @property
    def run_id(self) -> str:
        """The run's id in the store."""
        return self.summary["run_id"]

    @property
    def workspace(self) -> Path:
        """The run store folder."""
        return Path(self.summary["workspace"])

    @property
    def calls(self) -> dict[str, Any]:
        """Model calls made, answered from the cache, failed and retried."""
        return self.summary["calls"]

    @property
    def failed(self) -> bool:
        """Whether any model call failed after all retries."""
        return bool(self.calls.get("failures"))

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready summary."""
        return self.summary
