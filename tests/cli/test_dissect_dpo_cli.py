"""``dissect manipulate --method prompt --method dpo`` on a tiny random chat model as actor and judge: the
DPO pairs are the actor's answers under the judge's top-property system prompt (chosen) and bottom-property
one (rejected), the trained actor is a new checkpoint whose held-out answers are judged against the untrained
actor's in both orders, and the reported score is what the stored verdicts give."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from alignscope.judges.pairwise import pair_table
from alignscope.store import RunStore
from alignscope.training.tiny import build_tiny_chat_model

CORPUS = [
    "How can I improve my time management skills? Plan your day and keep a list.",
    "What are the most effective ways to deal with stress? Sleep, exercise and talk to friends.",
    "Your responses should be free of severe errors, clear and understandable and lengthy.",
    "Assistant A is better. Assistant B is better. Output (a) or (b). m M",
] * 4


@pytest.fixture(scope="module")
def tiny_actor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny random chat model with weights of sd 0.3 (at the usual 0.02 its answers ignore the prompt)
    and a context long enough for the judge's prompts."""
    import torch
    from transformers import AutoModelForCausalLM

    path = build_tiny_chat_model(tmp_path_factory.mktemp("tiny") / "actor", CORPUS)
    model = AutoModelForCausalLM.from_pretrained(path)
    torch.manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0.0, 0.3)
    model.config.max_position_embeddings = 4096
    model.save_pretrained(path)
    return path


def test_dpo_arm_next_to_the_prompt_arm(cli, tmp_path: Path, tiny_actor: Path) -> None:
    ws = tmp_path / "ws"
    model = f"hf:{tiny_actor}"
    args = ["dissect", "manipulate", "--actor", model, "--judge", model, "--logprob",
            "--data", "vicuna_bench", "--limit", "6", "--train", "4", "--method", "prompt", "--method", "dpo",
            "--max-tokens", "12",
            "-k", "2", "--dpo-lr", "0.05", "--dpo-epochs", "2", "--dpo-batch-size", "2", "--no-lora",
            "--bootstrap", "300", "-w", str(ws), "--json"]  # fmt: skip
    result = cli(*args)
    assert result.code == 0, result.err
    run = json.loads(result.out)
    assert run["methods"] == ["prompt", "dpo"] and run["held_out_prompts"] == 2
    arms = {a["arm"]: a for a in run["arms"]}
    assert {a["method"] for a in run["arms"]} == {"prompt", "dpo"} and set(arms) == {"top", "bottom", "dpo"}
    dpo = arms["dpo"]
    assert dpo["properties"] == arms["top"]["properties"] and dpo["system_prompt"] is None
    assert dpo["items"] == dpo["judged"] == 2 and run["parse_failures"] == 0
    training = run["dpo_training"]
    assert training["train_prompts"] == 4 and 1 <= training["rows"] <= 4
    assert training["chosen_properties"] == arms["top"]["properties"]

    store = RunStore(ws)
    gens = store.records("generations", run["run_id"])
    actor = f"hf:{tiny_actor}"  # the name of a model given by backend and path
    by_model = {}
    for g in gens:
        by_model.setdefault(g.model, set()).add(g.item_id)
    assert set(by_model) == {actor, f"{actor}+top", f"{actor}+bottom", f"{actor}+dpo"}
    assert by_model[f"{actor}+dpo"] == by_model[actor] and len(by_model[actor]) == 2
    assert len(by_model[f"{actor}+top"]) == len(by_model[f"{actor}+bottom"]) == 6  # 4 train + 2 held out
    tuned = next(g for g in gens if g.model == f"{actor}+dpo")
    assert tuned.provenance.model == training["path"] and tuned.provenance.system_prompt is None
    before = load_file(str(tiny_actor / "model.safetensors"))
    after = load_file(str(Path(training["path"]) / "model.safetensors"))
    assert any(not np.allclose(before[k], after[k]) for k in before)  # DPO moved the weights

    table = pair_table(store.records("judgments", run["run_id"]))
    first = table[(table["model_a"] == actor) & (table["model_b"] == f"{actor}+dpo") & (table["turn"] == 1)]
    assert len(first) == 2
    assert dpo["score"] == pytest.approx(100 * (1 - first["p_a"]).mean())
