"""Run store: records round-trip, upserts never duplicate, concurrent writers from several processes."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pandas as pd

from alignscope.records import Item, Judgment, Message, Provenance, Score
from alignscope.store import RunStore
from alignscope.store.export import export_run


def _judgment(i: int, run_id: str = "r1") -> Judgment:
    return Judgment(
        judge="j",
        mode="pairwise",
        item_id=str(i),
        dataset="d",
        model_a="a",
        model_b="b",
        verdict="A" if i % 2 else "B",
        preference=float(i % 2),
        fields={"n": i},
        raw=f"<script>{i}</script>",
        provenance=Provenance(model="j", backend="hf", template_hash="t"),
        run_id=run_id,
    )


def test_judgments_round_trip_and_upsert(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.start_run("r1", "judge", {"x": 1})
    store.put_judgments([_judgment(i) for i in range(50)])
    store.put_judgments([_judgment(i) for i in range(50)])  # same keys: replaced, not duplicated
    got = store.records("judgments", "r1")
    assert len(got) == 50
    assert sorted(int(j.item_id) for j in got) == list(range(50))
    assert got[0].provenance.template_hash == "t"


def test_items_of_a_dataset_newest_stored_first(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    ask = [Message(role="user", content="q")]
    v1, v2 = (Item(id="1", dataset="d", messages=ask, data_version=v) for v in ("v1", "v2"))
    store.put_items([v1, Item(id="1", dataset="other", messages=ask)])
    store.put_items([v2])
    assert store.items("d") == [v2, v1]
    assert store.items("none") == []


def test_calls_cache_and_failures(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.put_failure("r1", "k1", "generate", "m", "boom", 3)
    assert store.failures("r1")[0]["error"] == "boom"
    store.put_calls([("k1", "generate", "m", {"text": "hi"})])
    assert store.get_calls(["k1", "k2"]) == {"k1": {"text": "hi"}}
    assert store.failures("r1") == []  # a later success clears the failure


def _writer(path: str, proc: int) -> None:
    store = RunStore(path)
    for i in range(40):
        store.put_calls([(f"p{proc}-{i}", "generate", "m", {"i": i})])
        store.put_scores(
            [
                Score(
                    task="t",
                    item_id=f"{proc}-{i}",
                    model="m",
                    value=1.0,
                    provenance=Provenance(model="m", backend="hf"),
                    run_id="r",
                )
            ]
        )


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    RunStore(tmp_path)
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), p)) for p in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    store = RunStore(tmp_path)
    assert store.count("scores") == 160
    assert len(store.get_calls([f"p{p}-{i}" for p in range(4) for i in range(40)])) == 160


def test_export_parquet_and_jsonl(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "ws")
    store.start_run("r1", "judge", {})
    store.put_judgments([_judgment(i) for i in range(10)])
    paths = export_run(store, "r1", tmp_path / "out", "parquet")
    df = pd.read_parquet(paths[0])
    assert len(df) == 10 and {"verdict", "prov_model", "fields"} <= set(df.columns)
    paths = export_run(store, "r1", tmp_path / "out2", "jsonl")
    assert len(paths[0].read_text().splitlines()) == 10
