"""``audit``: judges vs concrete metrics across models, the judges' audits and the published meta-analyses,
as one report (the ``alignscope audit`` command)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from alignscope.api.runs import RunResult
from alignscope.auditing.config import AuditConfig, load_audit_config, with_overrides
from alignscope.auditing.default import default_config
from alignscope.auditing.run import run_audit
from alignscope.report.model import Report
from alignscope.store import RunStore


@dataclass
class AuditResult(RunResult):
    """An audit: ``verdicts`` (part, verdict), ``stage_timings``, the full ``results`` (as results.json) and
    the ``report``; ``to_dict()`` is the command's ``--json`` summary."""

    results: dict[str, Any] = field(default_factory=dict, repr=False)
    report: Report | None = field(default=None, repr=False)

    @property
    def verdicts(self) -> pd.DataFrame:
        """Every plain-language verdict of the live and published parts."""
        return pd.DataFrame(self.summary["verdicts"], columns=["part", "verdict"])

    @property
    def stage_timings(self) -> pd.DataFrame:
        """Wall and CPU seconds per stage."""
        return pd.DataFrame(self.summary["stage_timings"])

    @property
    def outputs(self) -> dict[str, Any]:
        """The report's files (``html``, ...)."""
        return self.summary["outputs"]


def audit(
    config: AuditConfig | Path | str | None = None,
    *,
    limit: int | None = None,
    seed: int | None = None,
    max_tokens: int | None = None,
    published: bool = True,
    out: Path | str | None = None,
    run_id: str | None = None,
    workspace: Path | str | None = None,
    progress: bool = True,
) -> AuditResult:
    """Run the audit of ``config`` (an AuditConfig or a YAML file; default: the embedded demo) with the given
    overrides; resumable and cached; writes the report, JSON and Parquet into ``out``.

    Example (the published analyses only: no models, so no model calls; ``alignscope.audit()`` runs the
    embedded demo)::

        from alignscope.auditing.config import AuditConfig

        result = alignscope.audit(AuditConfig(), out="audit-published")
        print(result.verdicts.head(), result.outputs["html"])
    """
    where = str(config) if isinstance(config, Path | str) else "command line"
    if config is None:
        base = default_config(limit, seed or 0)
    else:
        base = config if isinstance(config, AuditConfig) else load_audit_config(Path(config))
    cfg = with_overrides(
        base, limit=limit, seed=seed, out=str(out) if out else None, max_tokens=max_tokens,
        published=None if published else False, where=where,
    )  # fmt: skip
    command = "alignscope audit" + (f" {config}" if isinstance(config, Path | str) else "")
    store = RunStore(Path(workspace) if workspace else None)
    outcome = run_audit(cfg, store, run_id=run_id, command=command, progress=progress)
    results = outcome.results
    summary = {
        "run_id": outcome.run_id,
        "workspace": str(store.workspace),
        "out": str(outcome.out_dir),
        "outputs": outcome.outputs,
        "stage_timings": results["stage_timings"],
        "total_wall_s": results["total_wall_s"],
        "calls": results["calls"],
        "verdicts": [{"part": part, "verdict": text} for part, text in verdicts(results)],
    }
    return AuditResult(summary, results, outcome.report)


def verdicts(results: dict[str, Any]) -> list[tuple[str, str]]:
    """(part, verdict) of the live meta-analysis and of every published part."""
    rows = []
    live = (results.get("live") or {}).get("meta_analysis")
    if live:
        rows += [("live", v) for v in live["verdicts"]]
    for name, part in (results.get("published") or {}).items():
        rows += [(f"published: {name}", v) for v in part.get("verdicts", [])]
    return rows
