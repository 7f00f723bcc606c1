"""``audit_judge``: does a judge reward position, length and style rather than substance, or its own family?
From stored judge runs, AlpacaEval annotations or Arena-Hard judgments (the ``alignscope audit-judge``
command); each part the judgments cannot support says why instead of guessing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Unpack

import pandas as pd

from alignscope.analysis.instruction_difficulty import DEFAULT_LC_DIFFICULTY
from alignscope.analysis.judge_checks import JudgeAudit
from alignscope.analysis.judge_checks import audit_judge as audit_judgments
from alignscope.analysis.judgment_tables import JudgmentTables
from alignscope.analysis.leaderboard import Leaderboard, judge_leaderboard
from alignscope.api.judgment_sources import SourceKeywords, lc_policy, load_tables
from alignscope.errors import ConfigError, DataError

ARENA_ELO = "arena-elo"


@dataclass
class JudgeAuditResult:
    """The audit (``audit``: the analysis layer's :class:`JudgeAudit`), the win rates it used (``board``) and
    the judgment ``tables``; ``to_dict()`` is the command's ``--json`` object."""

    audit: JudgeAudit
    board: Leaderboard = field(repr=False)
    tables: JudgmentTables = field(repr=False)
    reference: str | None = None

    @property
    def win_rates(self) -> pd.DataFrame:
        """One row per model: its win rate and LC win rate against its baseline, with standard errors."""
        return pd.DataFrame(self.board.rows())

    @property
    def notes(self) -> list[str]:
        """What the win rates could not compute, and why."""
        return self.board.notes

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every audit part (or why it is unavailable), the judges, LC policy and win rates."""
        report = self.audit.to_dict()
        if self.audit.self_preference is not None:
            report["self_preference"]["reference"] = self.reference
        return report | {
            "judges": self.tables.judges,
            "lc": self.board.lc_summary(),
            "win_rates": self.board.rows(),
            "notes": self.board.notes,
        }


def audit_judge(
    runs: Sequence[str] = (),
    *,
    family: Sequence[str] | Mapping[str, Sequence[str]] = (),
    own_family: str | None = None,
    reference: str | None = None,
    lc_difficulty: str = DEFAULT_LC_DIFFICULTY,
    workspace: Path | str | None = None,
    **sources: Unpack[SourceKeywords],
) -> JudgeAuditResult:
    """Audit the judge of the judgments in stored judge ``runs`` and ``sources`` (``SourceKeywords``:
    AlpacaEval annotations, Arena-Hard judgment files, shipped judgments, only): position consistency,
    length bias, criterion weights, verbosity gaming (``family``: extra length variants, ``BASE=VARIANT``
    texts or base -> variants) and self-preference (``own_family``: a regex naming the judge's family;
    ``reference``: ``arena-elo`` or a CSV of ``model, score``).

    Example::

        audit = alignscope.audit_judge(shipped=["alpaca_eval"], only=["alpaca-7b", "alpaca-7b_verbose"])
        print(audit.to_dict()["length_bias"], audit.win_rates[["model", "win_rate"]])
    """
    policy = lc_policy(lc_difficulty)
    families = family_variants(family)
    tables = load_tables(workspace, runs, **sources)
    board = judge_leaderboard(tables, lc_difficulty=policy, ratings=False)
    rates = board.rates
    scores = None
    if reference and own_family and not rates.empty:
        scores = reference_scores(reference, list(rates.index))
    audit = audit_judgments(tables, rates, families=families, reference=scores, own_family=own_family)
    return JudgeAuditResult(audit, board, tables, reference)


def family_variants(specs: Sequence[str] | Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """``BASE=VARIANT`` texts (or a mapping) as base -> variants (ConfigError on a malformed one)."""
    if isinstance(specs, Mapping):
        return {base: list(variants) for base, variants in specs.items()}
    families: dict[str, list[str]] = {}
    for spec in specs:
        base, sep, variant = spec.partition("=")
        if not sep or not base or not variant:
            raise ConfigError(f"--family {spec}: expected BASE=VARIANT")
        families.setdefault(base, []).append(variant)
    return families


def reference_scores(reference: str, models: list[str]) -> pd.Series:
    """Reference score per model: Chatbot Arena Elo from the shipped AlpacaEval benchmark table
    (``arena-elo``, names matched explicitly), or a CSV with columns ``model`` and ``score``."""
    if reference == ARENA_ELO:
        from alignscope.published.alpaca_benchmarks import read_benchmarks
        from alignscope.published.names import match_names

        table, _ = read_benchmarks()
        elo = table["arena_elo_2024_04 (human)"].dropna()
        match = match_names(elo.index, models)
        return pd.Series({right: float(elo[left]) for left, right in match.pairs})
    path = Path(reference)
    if not path.is_file():
        raise ConfigError(f"--reference {reference}: not '{ARENA_ELO}' and no such CSV file")
    df = pd.read_csv(path)
    if not {"model", "score"} <= set(df.columns):
        raise DataError("reference scores need columns model and score", where=str(path))
    return df.set_index(df["model"].astype(str))["score"].astype(float)
