"""``alignscope dissect`` through the real entry point: ``fit`` on synthetic tables with known weights (signs
recovered, JSON schema, files), ``compare`` on the original's released weights (human vs GPT-4-Turbo),
``fit`` the shipped AlpacaEval judge's style weights, ``annotate`` a pairs file and ``fit`` its human labels,
and ``manipulate`` with the embedded SmolLM2 as actor and judge (logprob verdicts)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alignscope.analysis.dissection.alpaca_style import STYLE_FEATURES
from alignscope.analysis.dissection.manipulate import judge_profile
from alignscope.analysis.dissection.released import GPT4_TURBO, load_released_weights
from alignscope.data.formats.alpaca_eval_results import bundled_annotations
from alignscope.judges.pairwise import pair_table
from alignscope.store import RunStore
from alignscope.testing.fault_server import FaultConfig, FaultServer

TRUE_WEIGHTS = {"harmless": 1.2, "lengthy": -0.9, "well_formatted": 0.6, "admit_limitations": 0.0}
STATS = {"mean", "sd", "lower", "upper", "score", "score_lower", "score_upper"}


def synthetic_table(n: int, seed: int) -> pd.DataFrame:
    """Pairs with features in {-1, 0, 1} and labels from sigmoid(X w) with TRUE_WEIGHTS, in two scenarios and
    two sources (the second source with all weights reversed)."""
    rng = np.random.default_rng(seed)
    w = np.array(list(TRUE_WEIGHTS.values()))
    parts = []
    for scenario in ("Advice", "Code"):
        for source, sign in (("humans", 1), ("contrarian", -1)):
            x = rng.choice([-1, 0, 1], size=(n, len(w)), p=[0.35, 0.3, 0.35])
            y = (rng.random(n) < 1 / (1 + np.exp(-sign * x @ w))).astype(int)
            parts.append(
                pd.DataFrame(x, columns=list(TRUE_WEIGHTS)).assign(label=y, scenario=scenario, source=source)
            )
    return pd.concat(parts, ignore_index=True)


def test_fit_recovers_the_signs_of_known_weights(cli, tmp_path: Path) -> None:
    path = tmp_path / "pairs.parquet"
    synthetic_table(600, seed=4).to_parquet(path)
    out = tmp_path / "out"
    result = cli("dissect", "fit", str(path), "--json", "--out", str(out))
    assert result.code == 0, result.err
    fit = json.loads(result.out)
    assert fit["prior_scale"] == 0.1 and fit["level"] == 0.95 and len(fit["fits"]) == 4
    for group in fit["fits"]:
        assert set(group) == {"scenario", "source", "n_pairs", "converged", "properties"}
        assert group["n_pairs"] == 600 and group["converged"]
        assert list(group["properties"]) == ["harmless", "well_formatted", "admit_limitations", "lengthy"]
        sign = 1 if group["source"] == "humans" else -1
        for name, true in TRUE_WEIGHTS.items():
            stats = group["properties"][name]
            assert set(stats) == STATS and stats["lower"] < stats["mean"] < stats["upper"]
            if true == 0:
                assert stats["lower"] < 0 < stats["upper"]
            else:
                assert stats["lower"] > 0 if sign * true > 0 else stats["upper"] < 0, (group["source"], name)
            assert stats["score"] == pytest.approx(100 / (1 + np.exp(-stats["mean"])))
        props = group["properties"]
        assert abs(props["harmless"]["mean"]) > abs(props["well_formatted"]["mean"])  # |1.2| > |0.6|
    names = sorted(Path(f).name for f in fit["files"])
    assert names == ["fit.json", "fit.parquet", "scores_advice.svg", "scores_code.svg", "similarity.svg"]
    assert len(pd.read_parquet(out / "fit.parquet")) == 4 * 4
    assert (out / "scores_code.svg").read_text().startswith("<svg")
    assert json.loads((out / "fit.json").read_text())["fits"] == fit["fits"]

    # the default Laplace(0, 0.1) prior shrinks the weights; a weak prior gives them back
    weak = json.loads(cli("dissect", "fit", str(path), "--prior-scale", "10", "--json").out)
    for group in weak["fits"]:
        sign = 1 if group["source"] == "humans" else -1
        for name, true in TRUE_WEIGHTS.items():
            assert group["properties"][name]["mean"] == pytest.approx(sign * true, abs=0.25)

    table = cli("dissect", "fit", str(path))
    assert table.code == 0 and "humans / Advice: 600 pairs" in table.out and "harmless" in table.out

    # the fit's results read back as weights: the contrarian's profile is the humans' reversed
    for weights in ("fit.json", "fit.parquet"):
        args = ["--weights", str(out / weights), "--a", "humans", "--b", "contrarian", "--json"]
        compared = cli("dissect", "compare", *args, "--out", str(tmp_path / "compare"))
        assert compared.code == 0, compared.err
        data = json.loads(compared.out)
        assert data["similarity"] < -0.9 and data["scenarios"] == ["Advice", "Code"]
        assert sorted(Path(f).name for f in data["files"]) == ["compare.json", "scores.svg", "similarity.svg"]
        assert (
            json.loads((tmp_path / "compare" / "compare.json").read_text())["similarity"]
            == data["similarity"]
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda df: df.assign(lengthy=df["lengthy"].replace(-1, 2)), "column lengthy, data row"),
        (lambda df: df.rename(columns={"harmless": "harmlessness"}), "unknown column(s) harmlessness"),
        (lambda df: df.drop(columns="label"), "missing column 'label'"),
    ],
)
def test_fit_rejects_bad_tables_in_one_line(cli, tmp_path: Path, change, message: str) -> None:
    path = tmp_path / "bad.csv"
    change(synthetic_table(20, seed=1)).to_csv(path, index=False)
    result = cli("dissect", "fit", str(path))
    assert result.code == 2 and message in result.err and len(result.err.strip().splitlines()) == 1


def test_compare_on_the_released_weights(cli) -> None:
    result = cli("dissect", "compare")
    assert result.code == 0, result.err
    assert "human vs gpt-4-1106-preview: similarity 0.742" in " ".join(result.out.split())
    data = json.loads(cli("dissect", "compare", "--json").out)
    assert data["similarity"] == pytest.approx(0.74, abs=0.01) and len(data["scenarios"]) == 11
    rows = {r["property"]: r for r in data["properties"]}
    assert rows["no_severe_errors"]["difference"] < -10  # GPT-4-Turbo weighs severe errors far more
    assert rows["admit_limitations"]["score_human"] < 50
    assert data["top"][GPT4_TURBO]["most"][0] == "no_severe_errors"
    matrix = json.loads(cli("dissect", "compare", "--matrix", "--json", "--scenario", "Code").out)
    assert matrix["scenarios"] == ["Code"] and len(matrix["similarity_matrix"]) == 33
    assert matrix["similarity_matrix"]["human"]["human"] == pytest.approx(1.0)
    assert {"6-7B", "56-72B"} <= set(matrix["similarity_by_size"]) and len(matrix["base_vs_chat"]) == 10
    bad = cli("dissect", "compare", "--b", "gpt-5")
    assert bad.code == 2 and "gpt-5" in bad.err


def test_fit_the_shipped_alpaca_eval_judge_on_style_features(cli, tmp_path: Path) -> None:
    """The bundled GPT-4-Turbo annotations of two models: one fit of the judge's style weights, with
    intervals and how each feature is measured; its documented length bias shows."""
    models = ["alpaca-7b", "claude-2.1"]
    result = cli(
        "dissect", "fit", "--alpaca-eval", "shipped", "--only", models[0], "--only", models[1], "--json"
    )
    assert result.code == 0, result.err
    fit = json.loads(result.out)
    [group] = fit["fits"]
    assert (group["scenario"], group["source"]) == ("alpaca_eval", "weighted_alpaca_eval_gpt4_turbo")
    preference = bundled_annotations(models)["preference"]
    assert group["n_pairs"] == (preference.notna() & (preference != 1.5)).sum()
    props = group["properties"]
    assert list(props) == list(STYLE_FEATURES) and fit["features"] == "style"
    assert (
        props["lengthy"]["score_lower"] > 70 and props["lengthy"]["method"] == "original rule on word counts"
    )
    assert props["well_formatted_heuristic"]["method"].startswith("heuristic")
    assert all(p["lower"] < p["mean"] < p["upper"] for p in props.values())

    unknown = cli("dissect", "fit", "--alpaca-eval", "shipped", "--only", "gpt-5")
    assert unknown.code == 2 and "gpt-5" in unknown.err
    missing = cli("dissect", "fit", "--alpaca-eval", str(tmp_path / "annotations.json"))
    assert missing.code == 2 and "no such AlpacaEval annotations file" in missing.err
    assert len(missing.err.strip().splitlines()) == 1
    both = cli("dissect", "fit", "--alpaca-eval", "shipped", "--judge-run", "run")
    assert both.code == 2 and "exactly one of a feature table, --judge-run or --alpaca-eval" in both.err


@pytest.fixture
def echo_url():
    server = FaultServer(FaultConfig()).start()
    yield server.url
    server.stop()


def test_annotate_a_pairs_file_then_fit_its_labels(cli, tmp_path: Path, echo_url: str) -> None:
    """The echo server as annotator (it quotes the prompt, so every annotation fails to parse): the failures
    are counted and stored; the pairs' human labels are stored too and can be dissected on style features,
    while annotated features say that no annotation parsed."""
    ws = str(tmp_path / "ws")
    args = ["dissect", "annotate", "--pairs", "sample", "--annotator", f"openai:echo@{echo_url}",
            "--parse-retries", "1", "-w", ws, "--json"]  # fmt: skip
    result = cli(*args)
    assert result.code == 0, result.err
    run = json.loads(result.out)
    assert run["items"] == 2 and run["answers"] == 4 and run["labels"] == 2
    assert run["annotations"] == 2 + 4 * 3 and run["parse_failure_rate"] == 1.0
    assert {s["stage"] for s in run["stages"]} == {"query", "query_free", "query_aware", "errors", "all"}
    assert run["calls"]["calls_made"] == 2 * 14  # every failure retried once with a new seed
    stored = RunStore(tmp_path / "ws").records("judgments", run["run_id"])
    assert (
        sum(j.mode == "annotator" and j.parse_status == "failed" and j.raw.startswith("echo") for j in stored)
        == 14
    )
    assert sum(j.judge == "human" for j in stored) == 2

    style = cli("dissect", "fit", "--judge-run", run["run_id"], "--features", "style", "-w", ws, "--json")
    assert style.code == 0, style.err
    fit = json.loads(style.out)
    assert fit["counts"]["pairs_used"] == 2 and fit["fits"][0]["source"] == "human"
    assert fit["fits"][0]["properties"]["well_formatted_heuristic"]["method"].startswith("heuristic")
    annotated = cli("dissect", "fit", "--judge-run", run["run_id"], "-w", ws)
    assert annotated.code == 2 and "holds no parsed annotations" in annotated.err
    neither = cli("dissect", "annotate", "-w", ws)
    assert neither.code == 2 and "exactly one of --run, --answers or --pairs" in neither.err


def test_manipulate_with_smollm2_as_actor_and_judge(cli, tmp_path: Path, hf_smollm2) -> None:
    """3 Vicuna-bench prompts, answers of 32 tokens: the arms ask for GPT-4-Turbo's 2 most and 2 least
    preferred properties, the judge compares each arm with the original answers in both orders (logprob
    verdicts, never unparsed), and the reported scores are what the stored verdicts give, in JSON and in the
    result files. A rerun is served from the cache. (The CLI's hf backend reuses the weights of the session's
    ``hf_smollm2``.)"""
    ws = tmp_path / "ws"
    args = ["dissect", "manipulate", "--actor", "hf:smollm2-135m", "--judge", "hf:smollm2-135m", "--logprob",
            "--data", "vicuna_bench", "--limit", "3", "--max-tokens", "32", "-k", "2", "--bootstrap", "500",
            "-w", str(ws), "--out", str(tmp_path / "out"), "--json"]  # fmt: skip
    result = cli(*args)
    assert result.code == 0, result.err
    run = json.loads(result.out)
    profile = judge_profile(load_released_weights(), GPT4_TURBO)
    arms = {a["arm"]: a for a in run["arms"]}
    assert arms["top"]["properties"] == list(profile.index[:2])
    assert arms["bottom"]["properties"] == list(profile.index[::-1][:2])
    assert run["judgments"] == 2 * 3 * 2 and run["parse_failures"] == 0

    store = RunStore(ws)
    judgments = store.records("judgments", run["run_id"])
    assert {j.parse_status for j in judgments} == {"logprob"} and len(judgments) == 12
    gens = store.records("generations", run["run_id"])
    prompts = {g.model: g.provenance.system_prompt for g in gens}
    assert prompts["hf:smollm2-135m"] is None
    assert prompts["hf:smollm2-135m+top"] == arms["top"]["system_prompt"]
    assert prompts["hf:smollm2-135m+top"].startswith("Your responses should be free of severe errors")
    table = pair_table(judgments)
    for name, arm in arms.items():
        p = 1 - table.loc[table["model_b"] == f"hf:smollm2-135m+{name}", "p_a"]
        assert arm["judged"] == 3 and arm["score"] == pytest.approx(100 * p.mean())
        assert arm["change"] == pytest.approx(arm["score"] - 50)
        assert arm["change_lower"] <= arm["change"] <= arm["change_upper"]
    contrast = run["contrast"]
    assert contrast["difference"] == pytest.approx(arms["top"]["score"] - arms["bottom"]["score"])
    assert contrast["lower"] <= contrast["difference"] <= contrast["upper"] and contrast["items"] == 3

    assert sorted(Path(f).name for f in run["files"]) == ["manipulation.json", "manipulation_items.parquet"]
    per_item = pd.read_parquet(tmp_path / "out" / "manipulation_items.parquet")
    assert len(per_item) == 2 * 3 and set(per_item["arm"]) == {"top", "bottom"}
    assert json.loads((tmp_path / "out" / "manipulation.json").read_text())["arms"] == run["arms"]

    again = json.loads(cli(*args).out)
    assert again["calls"]["calls_made"] == 0 and again["arms"] == run["arms"]
