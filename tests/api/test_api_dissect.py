"""``alignscope.dissect.fit`` / ``compare`` and ``alignscope dissect fit`` / ``compare`` are one code path."""

from __future__ import annotations

import json

import pytest

import alignscope
from alignscope.errors import ConfigError


def test_compare_api_equals_cli_json(cli) -> None:
    shown = cli("dissect", "compare", "--matrix", "--scenario", "Code", "--json")
    assert shown.code == 0, shown.err
    result = alignscope.dissect.compare(scenario=["Code"], matrix=True)
    assert result.to_dict() == json.loads(shown.out)
    assert result.similarity == pytest.approx(json.loads(shown.out)["similarity"])
    assert set(result.properties.columns) >= {"property", "difference"}


def test_fit_api_equals_cli_json(cli) -> None:
    shown = cli("dissect", "fit", "--alpaca-eval", "shipped", "--only", "alpaca-7b", "--json")
    assert shown.code == 0, shown.err
    result = alignscope.dissect.fit(alpaca_eval=["shipped"], only=["alpaca-7b"])
    assert json.loads(json.dumps(result.to_dict(), default=str)) == json.loads(shown.out)
    [group] = json.loads(shown.out)["fits"]
    assert len(result.fits) == len(group["properties"]) == 5  # the five style features
    assert list(result.fits["property"]) == list(group["properties"])


def test_fit_api_errors_are_exceptions() -> None:
    with pytest.raises(ConfigError, match="exactly one of"):
        alignscope.dissect.fit()
    with pytest.raises(ConfigError, match="--by"):
        alignscope.dissect.fit(alpaca_eval=["shipped"], by="nope")
