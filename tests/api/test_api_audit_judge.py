"""``alignscope.audit_judge`` and ``alignscope audit-judge --json`` are one code path."""

from __future__ import annotations

import json

import pytest

import alignscope
from alignscope.errors import ConfigError

MODELS = ["alpaca-7b", "alpaca-7b_concise", "alpaca-7b_verbose", "claude-2.1", "claude-2.1_concise"]


def test_audit_judge_api_equals_cli_json(cli) -> None:
    only = [a for m in MODELS for a in ("--only", m)]
    shown = cli("audit-judge", "--shipped", "alpaca_eval", *only, "--json")
    assert shown.code == 0, shown.err
    audit = alignscope.audit_judge(shipped=["alpaca_eval"], only=MODELS)
    report = audit.to_dict()
    assert report == json.loads(shown.out)
    assert "unavailable" in report["position"]  # AlpacaEval annotations hold one order per pair
    assert audit.audit.length is not None and audit.audit.length.lower > 0
    rates = audit.win_rates.set_index("model")
    assert set(MODELS) <= set(rates.index) and rates["win_rate"].between(0, 100).all()
    assert audit.audit.gaming is not None
    assert set(audit.audit.gaming.families.index) == {"alpaca-7b", "claude-2.1"}


def test_audit_judge_api_takes_families_as_text_or_mapping() -> None:
    text = alignscope.audit_judge(
        shipped=["alpaca_eval"], only=MODELS, family=["claude-2.1=claude-2.1_concise"]
    )
    mapping = alignscope.audit_judge(
        shipped=["alpaca_eval"], only=MODELS, family={"claude-2.1": ["claude-2.1_concise"]}
    )
    assert text.to_dict() == mapping.to_dict()
    with pytest.raises(ConfigError, match="expected BASE=VARIANT"):
        alignscope.audit_judge(shipped=["alpaca_eval"], family=["claude-2.1"])
