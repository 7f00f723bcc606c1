"""What the live report sections read, as Protocols: the settings of a live run and one judge's results.

The report layer sits below the audit that produces these (``AuditConfig`` and ``audit.live.JudgeOutcome``
satisfy them), so it names the attributes it reads instead of importing the audit's types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from alignscope.config import ModelSpec
from alignscope.judges.config import JudgeSpec


@runtime_checkable
class LiveSettings(Protocol):
    """The settings shown in every live section: the models, items per task, judge prompts, seed and the
    interval level."""

    @property
    def models(self) -> Sequence[ModelSpec]: ...

    @property
    def limit(self) -> int | None: ...

    @property
    def judge_items(self) -> int | None: ...

    @property
    def seed(self) -> int: ...

    @property
    def level(self) -> float: ...


@runtime_checkable
class JudgeResults(Protocol):
    """One judge's results on the live models: its spec and label, the pairwise baseline, the leaderboard
    (one row per model: win rate, LC win rate and BT columns, or the mean score of a pointwise judge), the
    style coefficients, the audit summary (verdict counts, position consistency, length bias) and notes."""

    @property
    def spec(self) -> JudgeSpec: ...

    @property
    def label(self) -> str: ...

    @property
    def pointwise(self) -> bool: ...

    @property
    def baseline(self) -> str: ...

    @property
    def leaderboard(self) -> pd.DataFrame: ...

    @property
    def style(self) -> pd.DataFrame: ...

    @property
    def audit(self) -> Mapping[str, Any]: ...

    @property
    def notes(self) -> Sequence[str]: ...

    def provenance(self) -> dict[str, Any]:
        """Model, backend, template, template hash, verdict, sampling and baseline of the judge."""
        ...
