"""``trust_study``: base -> SFT -> DPO and -> RM + RL on preference pairs, the trust tasks on every
checkpoint, and what each stage changed (the ``alignscope trust-study`` command)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from alignscope.analysis.stage_deltas import TrustStudyResult
from alignscope.api.runs import RunResult, close_run, open_run, publish_run_report
from alignscope.config import load_config
from alignscope.store import RunStore
from alignscope.training.trust_config import TrustStudyConfig


@dataclass
class TrustStudyRunResult(RunResult):
    """A trust study: ``tasks`` (per checkpoint and task: value with CI), ``verticals``, ``changes`` and
    ``vertical_changes`` (each stage against its parent, per task and per vertical, with CI), ``verdicts`` and
    the report's files; ``study`` holds the records."""

    study: TrustStudyResult | None = field(default=None, repr=False)

    def _frame(self, rows: Sequence[Any]) -> pd.DataFrame:
        return pd.json_normalize([dataclasses.asdict(r) for r in rows])

    @property
    def tasks(self) -> pd.DataFrame:
        """One row per checkpoint and task."""
        return self._frame(self.study.tasks if self.study else [])

    @property
    def verticals(self) -> pd.DataFrame:
        """One row per checkpoint and trust vertical."""
        return self._frame(self.study.verticals if self.study else [])

    @property
    def changes(self) -> pd.DataFrame:
        """One row per training stage and task: the change against the parent checkpoint, with its CI."""
        return self._frame(self.study.changes if self.study else [])

    @property
    def vertical_changes(self) -> pd.DataFrame:
        """One row per training stage and vertical: its score's change against the parent, with its CI."""
        return self._frame(self.study.vertical_changes if self.study else [])

    @property
    def verdicts(self) -> list[str]:
        """One plain verdict per stage change: per vertical, then per task."""
        return self.summary["verdicts"]


def trust_study(
    config: TrustStudyConfig | Path | str | None = None,
    *,
    checkpoints: Mapping[str, str] | Sequence[str] | None = None,
    workspace: Path | str | None = None,
    run_id: str | None = None,
    out: Path | str | None = None,
    progress: bool = True,
) -> TrustStudyRunResult:
    """Run (or resume) the study of ``config`` (default settings without one); with ``checkpoints`` (model ->
    path for base, sft, dpo, ppo, or ``MODEL=PATH`` texts) trained elsewhere, evaluate and report only.

    Example (checkpoints trained elsewhere; here the embedded model's GGUF file stands in for two of them)::

        from alignscope.backends.embedded import embedded_model_path
        from alignscope.training.trust_config import TrustStudyConfig

        gguf = str(embedded_model_path("smollm2-135m"))
        config = TrustStudyConfig(tasks=["rlhf-stereotype"], limit=2, samples=1, max_tokens=8, n_boot=200)
        result = alignscope.trust_study(config, checkpoints={"base": gguf, "sft": gguf})
        print(result.verticals, result.verdicts)
    """
    from alignscope.report.trust_study import trust_study_report, verdicts
    from alignscope.training.trust_study import parse_checkpoints, run_trust_study

    if isinstance(config, TrustStudyConfig):
        cfg = config
    else:
        cfg = load_config(Path(config), TrustStudyConfig) if config is not None else TrustStudyConfig()
    given = None
    if checkpoints:
        texts = (
            [f"{k}={v}" for k, v in checkpoints.items()] if isinstance(checkpoints, Mapping) else checkpoints
        )
        given = parse_checkpoints(list(texts))
    store = RunStore(Path(workspace) if workspace else None)
    run_config = cfg.model_dump(mode="json") | ({"checkpoints": given} if given else {})
    engine, _ = open_run(store, "trust-study", run_config, run_id, progress=progress)
    study = run_trust_study(cfg, engine, store.workspace, given)
    source = str(config) if isinstance(config, Path | str) else "defaults" if config is None else "config"
    facts = {"run": engine.run_id, "config": source, "models": ", ".join(study.checkpoints)}
    report = trust_study_report(study, facts)
    outputs = publish_run_report(engine, report, out)
    lines = verdicts(study)
    summary = close_run(engine, {"models": study.checkpoints, "verdicts": lines, "outputs": outputs})
    return TrustStudyRunResult(summary, study)
