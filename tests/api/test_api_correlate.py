"""``alignscope.correlate`` and ``alignscope correlate --json`` are one code path; per-model scores come
from a CSV table, from Inspect AI logs of several (mock) models, or both."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from eval_logs import inspect_run, qa_samples
from scipy.stats import spearmanr

import alignscope
from alignscope.errors import ConfigError, DataError

# Five mock models' answers to the three tiny questions (targets 4, Paris, blue): Inspect's match and
# includes scorers give each a different pair of accuracies.
ANSWERS = {
    "mockllm/m1": ["4", "Paris", "blue"],
    "mockllm/m2": ["4", "Paris", "It is blue today"],
    "mockllm/m3": ["I think 4 or so", "Paris", "green"],
    "mockllm/m4": ["3", "Rome", "green"],
    "mockllm/m5": ["4", "Rome", "a blue one, I guess"],
}


@pytest.fixture(scope="module")
def five_models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, float]]]:
    """A folder of five Inspect logs and, per model, the accuracy Inspect itself reported per scorer."""
    folder = tmp_path_factory.mktemp("inspect5")
    logs = inspect_run(folder, qa_samples(), ANSWERS)
    reported = {
        model: {f"tiny_qa/{s.name}": s.metrics["accuracy"].value for s in log.results.scores}
        for model, log in logs.items()
    }
    return folder, reported


def _table(tmp_path: Path) -> Path:
    path = tmp_path / "scores.csv"
    pd.DataFrame(
        {
            "model": list("abcdef"),
            "judge:win_rate": [10, 20, 30, 40, 50, 60],
            "mmlu": [0.3, 0.35, 0.33, 0.5, 0.55, 0.6],
            "gsm8k": [0.1, 0.4, 0.2, 0.3, 0.6, 0.5],
        }
    ).to_csv(path, index=False)
    return path


def test_correlate_api_equals_cli_json(cli, tmp_path: Path) -> None:
    table, out = _table(tmp_path), tmp_path / "report"
    shown = cli("correlate", str(table), "--n-boot", "200", "-o", str(out), "--json")
    assert shown.code == 0, shown.err
    result = alignscope.correlate(table, n_boot=200, out=out)
    assert result.to_dict() == json.loads(shown.out)
    assert (out / "report.html").is_file()
    mmlu = result.meta.get("judge:win_rate", "mmlu", "spearman")
    assert mmlu["estimate"] == pytest.approx(
        spearmanr([10, 20, 30, 40, 50, 60], [0.3, 0.35, 0.33, 0.5, 0.55, 0.6])[0]
    )
    assert set(result.correlations["concrete"]) == {"mmlu", "gsm8k"} and len(result.verdicts) == 2
    assert list(result.scores.index) == list("abcdef")
    # without a folder the API writes nothing
    assert alignscope.correlate(table, n_boot=200).outputs == {}


def test_correlate_from_inspect_logs(cli, tmp_path: Path, five_models) -> None:
    folder, reported = five_models
    judge, concrete = "tiny_qa/includes", "tiny_qa/match"
    args = ["--from", f"inspect:{folder}", "--judge", judge, "--concrete", concrete, "--n-boot", "200"]
    shown = cli("correlate", *args, "-o", str(tmp_path / "out"), "--json")
    assert shown.code == 0, shown.err
    result = alignscope.correlate(
        from_logs=[f"inspect:{folder}"], judge=[judge], concrete=[concrete], n_boot=200, out=tmp_path / "out"
    )
    assert result.to_dict() == json.loads(shown.out)
    # the per-model scores are the accuracies Inspect reported; the correlation is theirs
    scores = result.scores
    assert sorted(scores.index) == sorted(ANSWERS)
    for model, metrics in reported.items():
        assert scores.loc[model, judge] == pytest.approx(metrics[judge])
        assert scores.loc[model, concrete] == pytest.approx(metrics[concrete])
    models = sorted(reported)
    want = spearmanr([reported[m][judge] for m in models], [reported[m][concrete] for m in models])[0]
    assert result.meta.get(judge, concrete, "spearman")["estimate"] == pytest.approx(want)


def test_correlate_joins_a_table_with_log_metrics(tmp_path: Path, five_models) -> None:
    folder, reported = five_models
    win_rates = {"mockllm/m1": 80, "mockllm/m2": 70, "mockllm/m3": 40, "mockllm/m4": 10, "mockllm/m5": 55}
    table = tmp_path / "judge.csv"
    pd.DataFrame({"model": list(win_rates), "judge:win_rate": list(win_rates.values())}).to_csv(
        table, index=False
    )
    result = alignscope.correlate(table, from_logs=[f"inspect:{folder}"], n_boot=200)
    assert result.meta.judges == ["judge:win_rate"]
    assert sorted(result.meta.concrete) == ["tiny_qa/includes", "tiny_qa/match"]
    models = sorted(win_rates)
    want = spearmanr([win_rates[m] for m in models], [reported[m]["tiny_qa/match"] for m in models])[0]
    assert result.meta.get("judge:win_rate", "tiny_qa/match", "spearman")["estimate"] == pytest.approx(want)


def test_correlate_api_raises_instead_of_exiting(tmp_path: Path, five_models) -> None:
    with pytest.raises(ConfigError, match="give a TABLE.csv"):
        alignscope.correlate()
    folder, _ = five_models
    clash = tmp_path / "clash.csv"
    pd.DataFrame({"model": ["mockllm/m1"], "tiny_qa/match": [1.0]}).to_csv(clash, index=False)
    with pytest.raises(DataError, match="tiny_qa/match both in the table and in the logs"):
        alignscope.correlate(clash, from_logs=[f"inspect:{folder}"])
