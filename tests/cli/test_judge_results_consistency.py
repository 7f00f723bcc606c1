"""One stored run of pairwise Judgments (no model) through every command that shows judged numbers: the
``judge`` summary, ``leaderboard --run``, ``audit-judge --run``, the audit's judge analysis and the
Meta-Rewarding iteration metrics give the same win rates, LC win rates and ratings, and state the same LC
difficulty policy and source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from alignscope.api.judge import judge_summary
from alignscope.auditing.default import default_config, default_judge
from alignscope.auditing.live import analyse_judge
from alignscope.judges.run import store_judgments
from alignscope.judges.templates import load_template
from alignscope.records import Generation, Judgment, Provenance
from alignscope.store import RunStore
from alignscope.training.iteration_eval import judged_metrics

RUN = "judged"
BASE = "base"
STRENGTH = {"strong": 1.0, "weak": -0.5}  # each model's log-odds of beating the baseline at equal length
PROMPTS = [f"q{k:02d}" for k in range(12)]


def _records() -> tuple[list[Generation], list[Judgment]]:
    """Answers of varied length and markdown, and verdicts in both orders whose preference rises with the
    judged answer's length lead (so the LC fits and the style control have something to fit)."""
    rng = np.random.default_rng(7)
    prov = Provenance(model="judge-model", backend="hf", template_hash="h")
    answers, judgments = [], []

    def answer(model: str, item: str, words: int, markdown: bool) -> Generation:
        text = ("# Heading\n- **point**\n" if markdown else "") + "word " * words
        return Generation(item_id=item, dataset="demo", model=model, text=text, provenance=prov, run_id=RUN)

    def verdict(item: str, first: str, second: str, p_first: float, swapped: bool) -> Judgment:
        return Judgment(judge="j", mode="pairwise", item_id=item, dataset="demo", model_a=first,
                        model_b=second, swapped=swapped, verdict="A" if p_first > 0.5 else "B",
                        preference=p_first, parse_status="logprob", fields={"turn": 1}, provenance=prov,
                        run_id=RUN)  # fmt: skip

    for k, item in enumerate(PROMPTS):
        base_words = int(rng.integers(20, 60))
        answers.append(answer(BASE, item, base_words, k % 3 == 0))
        for model, strength in STRENGTH.items():
            words = int(rng.integers(10, 90))
            answers.append(answer(model, item, words, bool(rng.integers(0, 2))))
            lead = (words - base_words) / 30.0
            for swapped in (False, True):
                p = float(1.0 / (1.0 + np.exp(-(strength + lead + rng.normal(0.0, 0.5)))))
                judgments.append(
                    verdict(item, model, BASE, p, True)
                    if swapped
                    else verdict(item, BASE, model, 1 - p, False)
                )
    return answers, judgments


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Generation], list[Judgment]]:
    """The records in a run store (read back from it, as every command reads them)."""
    workspace = tmp_path_factory.mktemp("ws")
    answers, judgments = _records()
    store = RunStore(workspace)
    store.start_run(RUN, "judge", {})
    store.put_generations(answers)
    store_judgments(store, judgments)
    return workspace, store.records("generations", RUN), store.records("judgments", RUN)  # type: ignore[return-value]


def _numbers(rows: list[dict[str, Any]], rated: bool = True) -> dict[str, dict[str, float | None]]:
    keys = ["win_rate", "standard_error", "lc_win_rate", "lc_standard_error"]
    keys += ["rating", "rating_lower", "rating_upper"] if rated else []
    return {r["model"]: {k: r.get(k) for k in keys} for r in rows if r["model"] in STRENGTH}


def _assert_same(got: dict[str, dict[str, float | None]], want: dict[str, dict[str, float | None]]) -> None:
    assert set(got) == set(want)
    for model, numbers in want.items():
        for key, value in numbers.items():
            assert value is not None, (model, key)
            assert got[model][key] == pytest.approx(value, rel=1e-6, abs=1e-6), (model, key)


def _cli_json(cli, *args: str) -> dict[str, Any]:
    out = cli(*args)
    assert out.code == 0, out.err
    return json.loads(out.out)


def _audit_rows(outcome) -> list[dict[str, Any]]:
    board = outcome.leaderboard.rename(columns={"lower": "rating_lower", "upper": "rating_upper"})
    return [{"model": m, **row} for m, row in board.to_dict(orient="index").items()]


@pytest.mark.parametrize(("policy", "source"), [("auto", "joint"), ("joint", "joint"), ("none", "none")])
def test_every_command_gives_the_same_judged_numbers_and_names_the_policy(cli, stored, policy, source):
    workspace, answers, judgments = stored
    ws = ["-w", str(workspace), "--lc-difficulty", policy, "--json"]

    rows, board = judge_summary(judgments, answers, "j", BASE, policy, seed=0)
    want = _numbers(rows)
    assert board is not None
    stated = board.lc_summary()
    assert stated["policy"] == policy and stated["difficulty"][0]["source"] == source

    leaderboard = _cli_json(cli, "leaderboard", "--run", RUN, *ws)
    _assert_same(_numbers(leaderboard["models"]), want)
    assert leaderboard["lc"] == stated
    sc = {r["model"]: r["rating_sc"] for r in leaderboard["models"] if r["model"] in STRENGTH}
    assert all(value is not None for value in sc.values())

    audit_judge = _cli_json(cli, "audit-judge", "--run", RUN, *ws)
    _assert_same(_numbers(audit_judge["win_rates"], rated=False), _numbers(rows, rated=False))
    assert audit_judge["lc"] == stated

    spec = default_judge()
    cfg = default_config(limit=len(PROMPTS)).model_copy(update={"lc_difficulty": policy})
    outcome = analyse_judge(spec, load_template(spec.template_ref), judgments, answers, BASE, cfg)
    _assert_same(_numbers(_audit_rows(outcome)), want)
    assert outcome.leaderboard.loc[list(STRENGTH), "rating_sc"].to_dict() == pytest.approx(sc)
    assert outcome.lc is not None and {"baseline": BASE, **outcome.lc.to_dict()} == stated["difficulty"][0]
    assert any(outcome.lc.describe() in note for note in outcome.notes)

    if source == "none":  # without a shared instruction term each model's LC fit stands alone
        for model in STRENGTH:
            _assert_meta_rewarding_matches(judgments, answers, model, policy, want[model])


def test_meta_rewarding_metrics_match_the_leaderboard_of_the_same_model(cli, stored):
    """One model against the seed: the default policy has no second model to fit difficulty with."""
    workspace, answers, judgments = stored
    for model in STRENGTH:
        board = _cli_json(cli, "leaderboard", "--run", RUN, "--only", model, "-w", str(workspace), "--json")
        assert board["lc"]["policy"] == "auto" and board["lc"]["difficulty"][0]["source"] == "none"
        row = next(r for r in board["models"] if r["model"] == model)
        metrics = _assert_meta_rewarding_matches(judgments, answers, model, "auto", _numbers([row])[model])
        assert metrics["lc"] == board["lc"]


def _assert_meta_rewarding_matches(judgments, answers, model, policy, want) -> dict[str, Any]:
    """The iteration metrics of ``model`` (the seed being the baseline) equal ``want``."""
    mine = [j for j in judgments if model in (j.model_a, j.model_b)]
    notes: list[str] = []
    metrics = judged_metrics(mine, answers, model, BASE, policy, notes)
    got = {
        "win_rate": metrics["win_rate"],
        "standard_error": metrics["win_rate_se"],
        "lc_win_rate": metrics["lc_win_rate"],
        "lc_standard_error": metrics["lc_win_rate_se"],
        "rating": metrics["rating"],
        "rating_lower": metrics["rating_lower"],
        "rating_upper": metrics["rating_upper"],
    }
    _assert_same({model: got}, {model: want})
    assert metrics["lc"]["policy"] == policy and any(
        n.startswith(f"LC difficulty (policy {policy})") for n in notes
    )
    return metrics
