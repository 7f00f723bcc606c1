"""The Meta-Rewarding loop end to end on a tiny chat model taught the judge formats (offline, CPU, seconds).

The model is a tiny random Qwen2 fine-tuned (SFT) to answer questions with a few words, to answer a rubric
prompt with "Score: k" and a meta-judge prompt with "Winner: Judgement A|B" (k and the winner drawn at
random), so that every stage of the loop has real, varied model output to work on: some judgments fail to
parse, scores vary within and across responses, and the meta-judge's verdicts vary from one comparison to the
next.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from itertools import permutations
from pathlib import Path
from statistics import fmean
from typing import Any

import pytest
import yaml

from alignscope.analysis.judge_audit import position_consistency
from alignscope.analysis.judgment_tables import judgment_tables
from alignscope.engine.runner import Engine
from alignscope.judges.templates import parse_template
from alignscope.store import RunStore
from alignscope.training.checkpoints import list_checkpoints, resolve_checkpoint
from alignscope.training.config import SFTTrainConfig
from alignscope.training.meta_config import MetaRewardingConfig
from alignscope.training.meta_rewarding import STAGES, marker_name, metrics_path, run_meta_rewarding
from alignscope.training.sft import train_sft
from alignscope.training.tiny import build_tiny_chat_model

QUESTIONS = [
    "What colour is the sky on a clear day?",
    "Name a fruit that is yellow.",
    "What sound does a cat make?",
    "How many legs does a spider have?",
    "What do bees make?",
    "Which planet do we live on?",
]
WORDS = [
    *("blue", "banana", "meow", "eight", "honey", "earth", "sky", "fruit"),
    *("cat", "legs", "bees", "planet", "the", "a", "is"),
]
RUBRIC = (
    "{#\nmode: rubric\nparser: score_5\nlabels: {'0': 0, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5}\n#}\n"
    "{% block prompt %}Rate {{ question }} => {{ answer }}{% endblock %}"
)
META = (
    "{#\nmode: meta\nparser: meta_winner\nlabels: {A: A, B: B}\n#}\n"
    "{% block prompt %}Compare {{ answer }} A: {{ judgment_a }} B: {{ judgment_b }}{% endblock %}"
)
PAIRWISE = (
    "{#\nmode: pairwise\nparser: verdict_abc\nlabels: {A: A, B: B}\n#}\n"
    "{% block prompt %}Better answer to {{ question }}? A: {{ answer_a }} B: {{ answer_b }}{% endblock %}"
)
K, N = 3, 4


def _teaching_rows(rng: random.Random) -> list[dict[str, str]]:
    rubric, meta = parse_template(RUBRIC, "rubric", "rubric"), parse_template(META, "meta", "meta")
    rows = []
    for q in QUESTIONS:
        for _ in range(4):
            rows.append({"prompt": q, "completion": " ".join(rng.choices(WORDS, k=rng.randint(1, 6)))})
        for _ in range(4):
            answer = " ".join(rng.choices(WORDS, k=rng.randint(1, 6)))
            prompt = rubric.render(question=q, answer=answer)[-1].content
            rows.append({"prompt": prompt, "completion": f"Score: {rng.randint(1, 5)}"})
    for a, b in permutations(range(1, 6), 2):
        answer = " ".join(rng.choices(WORDS, k=rng.randint(1, 6)))
        prompt = meta.render(answer=answer, judgment_a=f"Score: {a}", judgment_b=f"Score: {b}")[-1].content
        rows.append({"prompt": prompt, "completion": f"Winner: Judgement {rng.choice('AB')}"})
    return rows


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The taught model, the two short judge templates and the prompts file."""
    root = tmp_path_factory.mktemp("meta-rewarding")
    rows = _teaching_rows(random.Random(0))
    base = build_tiny_chat_model(
        root / "base", [r["prompt"] + " " + r["completion"] for r in rows], vocab_size=400, hidden_size=32
    )
    config = SFTTrainConfig(
        model=str(base), learning_rate=2e-2, max_steps=150, batch_size=16, logging_steps=50, max_length=128
    )
    model = train_sft(base, rows, config, root / "taught").path
    (root / "rubric.j2").write_text(RUBRIC)
    (root / "meta.j2").write_text(META)
    (root / "pairwise.j2").write_text(
        PAIRWISE
    )  # the tiny model's context (512 tokens) is too short for AlpacaEval's
    prompts = root / "prompts.jsonl"
    prompts.write_text(
        "".join(json.dumps({"id": f"q{i}", "prompt": q}) + "\n" for i, q in enumerate(QUESTIONS))
    )
    return {
        "model": model,
        "rubric": root / "rubric.j2",
        "meta": root / "meta.j2",
        "pairwise": root / "pairwise.j2",
        "prompts": prompts,
    }


def loop_config(files: dict[str, Path], **overrides: Any) -> dict[str, Any]:
    """A 2-iteration loop: K=3 responses per prompt, N=4 judgments per response, short outputs."""
    return {
        "name": "tiny-mr",
        "model": str(files["model"]),
        "prompts": str(files["prompts"]),
        "iterations": 2,
        "samples": K,
        "max_tokens": 12,
        "judge_samples": N,
        "judge_max_tokens": 12,
        "rubric_template": str(files["rubric"]),
        "meta_template": str(files["meta"]),
        "dpo": {
            "learning_rate": 2e-3,
            "max_steps": 2,
            "batch_size": 4,
            "logging_steps": 1,
            "max_length": 128,
        },
        "generation": {"batch_size": 4},
        "evaluation": {
            "max_tokens": 12,
            "template": str(files["pairwise"]),
            "tasks": ["truthfulqa-mc1"],
            "task_limit": 3,
        },
        **overrides,
    }


def run_loop(workspace: Path, run_id: str, config: dict[str, Any]) -> tuple[RunStore, Engine, Any]:
    store = RunStore(workspace)
    store.start_run(run_id, "meta-rewarding", config)
    engine = Engine(store, run_id, progress=False)
    return store, engine, run_meta_rewarding(MetaRewardingConfig.model_validate(config), engine, workspace)


@pytest.fixture(scope="module")
def finished(
    files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[RunStore, Engine, Any]:
    """One uninterrupted 2-iteration Meta-Rewarding run."""
    return run_loop(tmp_path_factory.mktemp("ws"), "mr", loop_config(files))


def _responses(store: RunStore, run_id: str, t: int) -> list[Any]:
    return [g for g in store.records("generations", run_id) if g.model.startswith(f"iter{t}/response")]


def _mean_scores(store: RunStore, run_id: str, t: int) -> dict[tuple[str, str], float]:
    parsed = defaultdict(list)
    for j in store.records("judgments", run_id, judge=f"iter{t}/judge"):
        if j.parse_status == "ok":
            parsed[(j.item_id, j.model_a)].append(j.score)
    return {k: fmean(v) for k, v in parsed.items()}


def test_every_stage_leaves_its_records_and_marker(finished) -> None:
    store, engine, result = finished
    assert result.checkpoints == ["tiny-mr-iter1", "tiny-mr-iter2"]
    registry = list_checkpoints(store.workspace)
    assert (
        registry["tiny-mr-iter2"].base_model == "tiny-mr-iter1"
    )  # iteration 2 trains the model of iteration 1
    for t in (1, 2):
        assert resolve_checkpoint(f"tiny-mr-iter{t}", store.workspace) is not None
        for stage in STAGES:
            assert store.get_artifact("mr", marker_name(t, stage)) is not None, (t, stage)
        responses = _responses(store, "mr", t)
        assert len(responses) == store.get_artifact("mr", marker_name(t, "actor"))["responses"]
        by_item = defaultdict(list)
        for g in responses:
            by_item[g.item_id].append(g.text.strip())
            assert g.provenance.sampling.temperature == 0.8 and g.provenance.sampling.top_p == 0.95
        assert set(by_item) == {f"q{i}" for i in range(len(QUESTIONS))}
        assert all(len(texts) == len(set(texts)) <= K for texts in by_item.values())  # deduplicated
        rubric = store.records("judgments", "mr", judge=f"iter{t}/judge")
        assert len(rubric) == N * len(responses)
        judged = store.get_artifact("mr", marker_name(t, "judge"))
        assert judged["failed"] == sum(j.parse_status == "failed" for j in rubric)
        assert all(0 <= j.score <= 5 for j in rubric if j.parse_status == "ok")
        train = store.get_artifact("mr", marker_name(t, "train"))
        pairs = store.get_artifact("mr", marker_name(t, "actor_pairs"))["pairs"]
        judge_pairs = store.get_artifact("mr", marker_name(t, "judge_pairs"))["pairs"]
        assert train["rows"] == len(pairs) + len(judge_pairs) > 0
        assert train["first_loss"] == pytest.approx(0.6931, abs=1e-3)  # DPO starts at policy == reference


def test_actor_pairs_are_the_best_and_worst_mean_scores(finished) -> None:
    store, _, _ = finished
    for t in (1, 2):
        means = _mean_scores(store, "mr", t)
        texts = {(g.item_id, g.text): g.model for g in _responses(store, "mr", t)}
        pairs = store.get_artifact("mr", marker_name(t, "actor_pairs"))["pairs"]
        assert pairs
        for p in pairs:
            item_means = [m for (item, _), m in means.items() if item == p["item_id"]]
            chosen = means[(p["item_id"], texts[(p["item_id"], p["chosen"])])]
            rejected = means[(p["item_id"], texts[(p["item_id"], p["rejected"])])]
            assert (chosen, rejected) == (p["chosen_score"], p["rejected_score"])
            assert chosen == max(item_means) > rejected == min(item_means)  # rho = 0
            assert p["prompt"] == [{"role": "user", "content": QUESTIONS[int(p["item_id"][1:])]}]


def test_judge_pairs_rank_judgments_of_one_answer_by_meta_judge_battles(finished) -> None:
    store, _, _ = finished
    all_pairs = []
    for t in (1, 2):
        rubric = store.records("judgments", "mr", judge=f"iter{t}/judge")
        meta = store.records("judgments", "mr", judge=f"iter{t}/meta-judge")
        assert meta and all(j.mode == "meta" for j in meta)
        assert sum(j.swapped for j in meta) * 2 == len(meta)  # every pair in both orders
        answers = {(g.item_id, g.model): g.text for g in _responses(store, "mr", t)}
        for p in store.get_artifact("mr", marker_name(t, "judge_pairs"))["pairs"]:
            mine = [j for j in rubric if (j.item_id, j.model_a) == (p["item_id"], p["answer_id"])]
            raws = {j.raw for j in mine if j.parse_status == "ok"}
            assert {p["chosen"], p["rejected"]} <= raws and p["chosen"] != p["rejected"]
            assert p["chosen_elo"] > p["rejected_elo"]
            answer = answers[(p["item_id"], p["answer_id"])]
            assert p["prompt"][-1]["content"] == f"Rate {QUESTIONS[int(p['item_id'][1:])]} => {answer}"
            all_pairs.append(p)
    assert all_pairs  # the meta-judge found a best and a worst judgment somewhere


def test_per_iteration_metrics(finished) -> None:
    store, engine, result = finished
    assert [m["iteration"] for m in result.metrics] == [0, 1, 2]
    assert json.loads(metrics_path(store.workspace, "mr").read_text()) == result.metrics
    seed, *trained = result.metrics
    assert seed["model"] == "seed" and "win_rate" not in seed
    for m in result.metrics:
        assert m["mean_length_chars"] > 0 and m["eval_prompts"] == len(QUESTIONS)
        assert set(m["concrete"]["groups"]) == {"world_knowledge", "truthfulness"}
    for t, m in enumerate(trained, 1):
        assert m["model"] == f"tiny-mr-iter{t}"
        assert m["n_pairs"] == len(QUESTIONS) and 0 <= m["win_rate"] <= 100
        assert m["lc_win_rate"] is not None and 0 <= m["lc_win_rate"] <= 100
        assert 0 <= m["judge_agreement"]["accuracy"] <= 1 and m["judge_agreement"]["n"] == len(QUESTIONS)
        position = m["judge_position"]  # the model as a judge, over both orders of every pair
        own = judgment_tables(
            store.records("judgments", "mr", judge=f"tiny-mr-iter{t}/as-judge"), [], "own"
        ).battles
        assert position["n_pairs"] == len(QUESTIONS) and len(own) == 2 * len(QUESTIONS)
        assert position["consistency"] == pytest.approx(
            position_consistency(own[["question_id", "model_a", "model_b", "p_a"]]).consistency
        )
        assert m["actor_pairs"] == len(store.get_artifact("mr", marker_name(t, "actor_pairs"))["pairs"])
        meta = [
            j for j in store.records("judgments", "mr", judge=f"iter{t}/meta-judge") if j.parse_status == "ok"
        ]
        assert (m["meta_wins_as_first"], m["meta_wins_as_second"]) == (
            sum(j.verdict == "A" for j in meta),
            sum(j.verdict == "B" for j in meta),
        )
    # the evaluation judge saw both orders of every (seed, iteration) pair
    fixed = store.records("judgments", "mr", judge="eval-judge")
    assert len(fixed) == 2 * 2 * len(QUESTIONS) and {j.parse_status for j in fixed} == {"logprob"}


def test_self_rewarding_is_the_loop_without_the_meta_judge(files, finished) -> None:
    store, engine, _ = finished
    config = loop_config(files, name="tiny-sr", iterations=1, self_rewarding=True, evaluation=None)
    _, sr_engine, result = run_loop(store.workspace, "sr", config)
    assert store.get_artifact("sr", marker_name(1, "judge_pairs")) is None
    assert not [j for j in store.records("judgments", "sr") if j.mode == "meta"]
    pairs = store.get_artifact("sr", marker_name(1, "actor_pairs"))["pairs"]
    assert store.get_artifact("sr", marker_name(1, "train"))["rows"] == len(pairs)
    # the seed model, prompts and seeds of the Meta-Rewarding run: its iteration-1 calls come from the cache
    assert sr_engine.stats.calls_made == 0 and sr_engine.stats.cache_hits > 0
    assert pairs == store.get_artifact("mr", marker_name(1, "actor_pairs"))["pairs"]
    assert result.metrics[1]["judge_pairs"] == 0


def _label_distribution(model_dir: Path, messages: list, prefix: str, labels: list[str]) -> dict[str, float]:
    """P(label) after the chat prompt and ``prefix``, computed directly with transformers."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    prompt = tok.apply_chat_template(
        [m.model_dump() for m in messages], add_generation_prompt=True, tokenize=False
    )
    totals = []
    for label in labels:
        ids = torch.tensor([tok(prompt + prefix + label, add_special_tokens=False)["input_ids"]])
        with torch.no_grad():
            logps = model(ids).logits[0, :-1].log_softmax(-1).gather(1, ids[0, 1:, None])
        totals.append(logps.sum())
    probs = torch.stack(totals).softmax(0).tolist()
    return dict(zip(labels, probs, strict=True))


def test_unparsed_judgments_are_concluded_by_the_judges_next_token(files, finished) -> None:
    store, _, _ = finished
    config = loop_config(
        files,
        name="tiny-cc",
        iterations=1,
        judge_max_tokens=3,  # too few for "Score: k": the judge stops before its score
        judge_unparsed="conclude",
        meta_verdict="logprob",
        evaluation=None,
    )
    _, engine, _ = run_loop(store.workspace, "cc", config)
    marker = store.get_artifact("cc", marker_name(1, "judge"))
    rubric = store.records("judgments", "cc", judge="iter1/judge")
    concluded = [j for j in rubric if j.fields.get("score_source") == "conclusion"]
    assert marker["unparsed"] == len(concluded) > 0 and marker["failed"] == 0
    labels = [str(k) for k in range(6)]
    for j in concluded:
        probs = j.fields["label_probs"]
        assert j.parse_status == "logprob" and sum(probs.values()) == pytest.approx(1.0, abs=1e-4)
        assert j.score == pytest.approx(sum(int(k) * p for k, p in probs.items()), abs=1e-4)
        assert j.fields["concluded_text"] == j.raw + "\nScore: " + max(probs, key=probs.get)
    j = concluded[0]
    question = QUESTIONS[int(j.item_id[1:])]
    answer = next(
        g.text for g in _responses(store, "cc", 1) if (g.item_id, g.model) == (j.item_id, j.model_a)
    )
    messages = parse_template(RUBRIC, "rubric", "rubric").render(question=question, answer=answer)
    direct = _label_distribution(files["model"], list(messages), j.raw + "\nScore: ", labels)
    assert j.fields["label_probs"] == pytest.approx(direct, abs=2e-3)


def _calls(db: Path) -> dict[str, float]:
    with sqlite3.connect(db, timeout=30) as con:
        return dict(con.execute("SELECT key, created FROM calls"))


def _wait_for_iteration_2_responses(proc: subprocess.Popen, db: Path, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            with sqlite3.connect(db, timeout=30) as con:
                tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
                if (
                    "generations" in tables
                    and con.execute(
                        "SELECT COUNT(*) FROM generations WHERE model LIKE 'iter2/response%'"
                    ).fetchone()[0]
                ):
                    return
        time.sleep(0.05)
    raise AssertionError(f"the run ended (rc {proc.poll()}) or stalled before iteration 2 generated")


def test_killed_run_resumes_without_repeating_calls(files, tmp_path, capsys, monkeypatch) -> None:
    from alignscope.cli.main import main

    config_file = tmp_path / "mr.yaml"
    config_file.write_text(
        yaml.safe_dump(
            loop_config(
                files,
                meta_verdict="logprob",
                evaluation={"max_tokens": 12, "template": str(files["pairwise"])},
            )
        )
    )
    ws = tmp_path / "ws"
    args = ["train", "meta-rewarding", str(config_file), "--workspace", str(ws), "--json"]
    args += ["--out", str(tmp_path / "report")]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "alignscope.cli.main", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_for_iteration_2_responses(proc, ws / "alignscope.sqlite")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL  # killed mid-iteration 2, not finished
    db = ws / "alignscope.sqlite"
    before = _calls(db)
    iteration_1 = list_checkpoints(ws)["tiny-mr-iter1"]
    assert "tiny-mr-iter2" not in list_checkpoints(ws)

    monkeypatch.setattr(sys, "argv", ["alignscope", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code in (0, None)
    summary = json.loads(capsys.readouterr().out)

    after = _calls(db)
    assert all(after[k] == created for k, created in before.items())  # no stored call was made again
    assert len(after) == len(before) + summary["calls"]["calls_made"]  # every call made was a new one
    assert summary["calls"]["calls_made"] > 0 and summary["calls"]["failures"] == 0
    assert list_checkpoints(ws)["tiny-mr-iter1"] == iteration_1  # finished training was not redone
    assert summary["checkpoints"] == ["tiny-mr-iter1", "tiny-mr-iter2"]
    assert all(resolve_checkpoint(name, ws) for name in summary["checkpoints"])
    assert [m["iteration"] for m in summary["metrics"]] == [0, 1, 2]
    store = RunStore(ws)
    run_id = summary["run_id"]
    html = Path(summary["outputs"]["html"]).read_text(encoding="utf-8")
    assert Path(summary["outputs"]["html"]).parent == tmp_path / "report"
    assert "Judged vs concrete" in html and 'data-name="judged_win_rates"' in html
    assert store.get_artifact(run_id, "report")["title"].startswith("alignscope Meta-Rewarding")
    for t in (1, 2):
        responses = _responses(store, run_id, t)
        assert len(responses) == store.get_artifact(run_id, marker_name(t, "actor"))["responses"]
        assert len(store.records("judgments", run_id, judge=f"iter{t}/judge")) == N * len(responses)
        meta = store.records("judgments", run_id, judge=f"iter{t}/meta-judge")
        assert meta and {j.parse_status for j in meta} == {"logprob"}  # P(A) vs P(B): never fails to parse


def test_evaluate_block_scores_the_seed_and_every_iteration_on_the_benchmarks(files, finished) -> None:
    from alignscope.report.meta_rewarding import meta_rewarding_report

    store, _, _ = finished
    judge = {"name": "smollm2", "backend": "hf", "model": "smollm2-135m"}
    config = loop_config(
        files, name="tiny-ev", iterations=1, evaluation=None,
        evaluate={"benchmarks": ["alpaca_eval", "mt_bench"], "judge": judge, "limit": 1, "max_tokens": 8,
                  "judge_max_tokens": 8, "n_bootstrap": 50},
    )  # fmt: skip
    _, engine, result = run_loop(store.workspace, "ev", config)
    assert [m["iteration"] for m in result.metrics] == [0, 1]
    for m in result.metrics:
        bench = m["benchmarks"]
        assert bench["models"] == [m["model"]] and bench["judge"]["name"] == "smollm2"
        rows = {r["benchmark"]: r for r in bench["rows"]}
        assert rows["alpaca_eval"]["n"] == 1 and 0 <= rows["alpaca_eval"]["win_rate"] <= 100
        assert rows["mt_bench"]["n"] + rows["mt_bench"]["n_failed"] == 2  # both turns judged
    judged = {j.model_b if not j.swapped else j.model_a
              for j in store.records("judgments", "ev", judge="smollm2/alpaca-eval")}  # fmt: skip
    assert judged == {"seed", "tiny-ev-iter1"}  # the seed and the trained model, each against the baseline
    report = meta_rewarding_report(result.metrics, config, {})
    table = next(t for t in report.tables() if t.name == "benchmarks-per-iteration")
    assert [r[:2] for r in table.rows] == [[0, "seed"], [1, "tiny-ev-iter1"]]
    assert table.columns[2:5] == ["AlpacaEval 2 LC", "AlpacaEval 2 WR", "MT-Bench"]
    win_rates = [next(r for r in m["benchmarks"]["rows"] if r["benchmark"] == "alpaca_eval")["win_rate"]
                 for m in result.metrics]  # fmt: skip
    assert [r[3].split(" ")[0] for r in table.rows] == [f"{w:.1f}" for w in win_rates]
