"""Stored Judgments as analysis tables: both orders folded into one win-rate row per pair, every verdict a
battle (strong verdicts weigh 3, as in Arena-Hard), pointwise scores turned into battles, failures kept; and
the judgment files users already have (AlpacaEval annotations.json, Arena-Hard JSONL), several at once, read
as the shipped copies of the same judgments are."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from alignscope.analysis.judgment_tables import ARENA_BASELINE, SHIPPED, JudgmentTables, judgment_tables
from alignscope.api.judgment_sources import load_tables
from alignscope.data.formats.alpaca_eval_results import bundled_annotations
from alignscope.data.registry import BUNDLED_ROOT
from alignscope.records import Generation, Judgment, Provenance

PROV = Provenance(model="judge", backend="hf", template_hash="abc")


def pj(item: str, a: str, b: str, swapped: bool, verdict: str | None, preference: float | None) -> Judgment:
    status = "failed" if verdict is None else "ok"
    return Judgment(judge="j", mode="pairwise", item_id=item, dataset="d", model_a=a, model_b=b,
                    swapped=swapped, verdict=verdict, preference=preference, parse_status=status,
                    fields={"turn": 1}, provenance=PROV)  # fmt: skip


def gen(item: str, model: str, text: str) -> Generation:
    return Generation(
        item_id=item, dataset="d", model=model, text=text, provenance=Provenance(model=model, backend="x")
    )


def test_pairwise_judgments_become_pairs_and_battles() -> None:
    judgments = [
        pj("1", "base", "cand", False, "B>>A", 0.0),  # cand wins strongly when shown second
        pj("1", "cand", "base", True, "A>B", 1.0),  # and when shown first
        pj("2", "base", "cand", False, "A>B", 1.0),  # base wins when first ...
        pj("2", "cand", "base", True, "A>B", 1.0),  # ... cand wins when first: inconsistent
        pj("3", "base", "cand", False, None, None),  # a parse failure
    ]
    gens = [gen(i, m, "x" * (10 if m == "base" else 25)) for i in "123" for m in ("base", "cand")]
    tables = judgment_tables(judgments, gens, "run-1")
    pairs = tables.pairs.set_index("instruction")
    assert pairs.loc["d/1", "p_win"] == 1.0 and pairs.loc["d/2", "p_win"] == 0.5
    assert math.isnan(pairs.loc["d/3", "p_win"])
    assert (pairs["model"] == "cand").all() and (pairs["baseline"] == "base").all()
    assert (pairs["len_model"] == 25).all() and (pairs["len_baseline"] == 10).all()
    battles = tables.battles
    assert len(battles) == 5 and battles["p_a"].isna().sum() == 1
    assert battles["weight"].tolist() == [3.0, 1.0, 1.0, 1.0, 1.0]
    assert (tables.n_failed, tables.n_verdicts, tables.failure_rate) == (1, 5, 0.2)
    assert tables.judges == [{"judge": "j", "model": "judge", "template_hash": "abc"}]
    assert len(tables.answers) == 6


def test_pointwise_scores_become_battles_averaging_samples() -> None:
    def score(item: str, model: str, value: float | None, sample: int) -> Judgment:
        status = "ok" if value is not None else "failed"
        fields = {"turn": 1, "sample": sample}
        return Judgment(judge="j", mode="rubric", item_id=item, dataset="d", model_a=model, score=value,
                        parse_status=status, fields=fields, provenance=PROV)  # fmt: skip

    judgments = [
        score("1", "a", 4, 0),
        score("1", "a", 2, 1),
        score("1", "b", 2, 0),
        score("1", "b", None, 1),
    ]
    battles = judgment_tables(judgments, [], "run").battles
    assert len(battles) == 1
    row = battles.iloc[0]
    assert (row["model_a"], row["model_b"], row["winner"]) == ("a", "b", "model_a")  # mean 3 vs 2
    assert row["weight"] == pytest.approx(1.0)


ALPACA_MODELS = ["gpt4_1106_preview", "alpaca-7b", "claude-2.1"]  # the baseline judged against itself too
ARENA_MODELS = [ARENA_BASELINE, "claude-2.1", "Llama-2-70b-chat"]
ARENA_BENCH = BUNDLED_ROOT / "arena_hard" / "arena-bench-v1"


def annotation_files(tmp_path: Path) -> list[Path]:
    """The shipped annotations of ``ALPACA_MODELS``, as AlpacaEval writes them:
    results/MODEL/weighted_alpaca_eval_gpt4_turbo/annotations.json."""
    paths = []
    for model in ALPACA_MODELS:
        records = bundled_annotations([model]).drop(columns="model").to_dict(orient="records")
        path = tmp_path / "results" / model / "weighted_alpaca_eval_gpt4_turbo" / "annotations.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(records))
        paths.append(path)
    return paths


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.astype(str).sort_values(list(df.columns)).reset_index(drop=True)


def assert_same_tables(got: JudgmentTables, want: JudgmentTables) -> None:
    for name in ("pairs", "battles", "answers"):
        pd.testing.assert_frame_equal(_sorted(getattr(got, name)), _sorted(getattr(want, name)))
    assert (got.judges, got.n_verdicts, got.n_failed) == (want.judges, want.n_verdicts, want.n_failed)


def test_files_by_path_read_as_the_shipped_judgments(tmp_path: Path) -> None:
    judgments = [ARENA_BENCH / "model_judgment" / f"{m}.jsonl.gz" for m in ARENA_MODELS]
    answers = [ARENA_BENCH / "model_answer" / f"{m}.jsonl.gz" for m in ARENA_MODELS]
    got = load_tables(None, None, annotation_files(tmp_path), judgments, answers, ARENA_BASELINE, None, None)
    want = load_tables(None, None, None, None, None, ARENA_BASELINE, SHIPPED, ALPACA_MODELS + ARENA_MODELS)
    want.answers = want.answers[want.answers["model"].isin({*got.answers["model"]})]  # shipped: all 17 models
    assert set(got.pairs["model"]) == {*ALPACA_MODELS, *ARENA_MODELS[1:]}
    assert set(got.pairs["source"]) == {"alpaca_eval", "arena_hard"}
    assert_same_tables(got, want)


def test_leaderboard_and_audit_read_several_files_at_once(cli, tmp_path: Path) -> None:
    files = [a for path in annotation_files(tmp_path) for a in ("--annotations", str(path))]
    files += [
        a
        for m in ARENA_MODELS
        for a in ("--arena-hard", str(ARENA_BENCH / "model_judgment" / f"{m}.jsonl.gz"))
    ]
    board = cli("leaderboard", *files, "--bootstrap", "10", "--no-style", "--json")
    assert board.code == 0, board.err
    rows = {r["model"]: r for r in json.loads(board.out)["models"]}
    assert {*ALPACA_MODELS, *ARENA_MODELS} <= set(rows)
    assert (
        rows["alpaca-7b"]["baseline"] == "gpt4_1106_preview" and rows["alpaca-7b"]["lc_win_rate"] is not None
    )
    assert rows["Llama-2-70b-chat"]["baseline"] == ARENA_BASELINE
    audit = cli("audit-judge", *files, "--json")
    assert audit.code == 0, audit.err
    assert json.loads(audit.out)["verdicts"] == json.loads(board.out)["verdicts"]
