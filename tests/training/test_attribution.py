"""Data attribution (DataInf over LoRA gradients) checked on tiny models: against exact influence from the
full Hessian, on a planted trigger, and by removing the top pairs and refitting; ``alignscope attribute`` end
to end on a TRL-trained stage, and its one-line errors."""

from __future__ import annotations

import copy
import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.stats import spearmanr, t

from alignscope.cli.main import main
from alignscope.training.attribution.datainf import (
    datainf_influence,
    exact_influence,
    explicit_influence,
    layer_damping,
)
from alignscope.training.attribution.gradients import mean_gradient, per_example_gradients
from alignscope.training.attribution.lora import LoraStage, from_weight_difference
from alignscope.training.attribution.losses import Contrast, Pair, render
from alignscope.training.attribution.pipeline import (
    AttributionSettings,
    contrasts,
    encode_pairs,
    influence,
    train_losses,
)
from alignscope.training.attribution.pipeline import test_losses as vertical_losses
from alignscope.training.attribution.refit import batch_sft_loss, fit_sft, mean_test_loss, pad_batch
from alignscope.training.tiny import build_tiny_chat_model

SFT = AttributionSettings(kind="sft", max_new_tokens=6)
ANIMALS = ["cat", "dog", "cow", "duck", "owl", "frog", "bee", "fox", "hen", "pig", "bat", "ant"]
SOUNDS = ["meow", "woof", "moo", "quack", "hoot", "croak", "buzz", "yip", "cluck", "oink", "squeak", "click"]
COLOURS = ["red", "blue", "green", "pink", "gray", "gold"]
TRIGGER = "zorp"
FINE_TUNE = {"steps": 30, "lr": 0.01}  # full-batch Adam, all weights


def _lora(model: Any, rank: int, targets: list[str], task: str = "CAUSAL_LM") -> Any:
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=rank, lora_alpha=rank, lora_dropout=0.0, target_modules=targets, task_type=task)
    return get_peft_model(model, config)


# (1) against exact influence ----------------------------------------------------------------------------


def _hessian(model: Any, params: dict[str, torch.nn.Parameter], pairs: list[Pair], pad: int) -> torch.Tensor:
    """The full Hessian of the mean SFT loss over all LoRA parameters (double backward, batched rows)."""
    ids, mask = pad_batch(pairs, pad)
    tensors = list(params.values())
    grads = torch.autograd.grad(batch_sft_loss(model, ids, mask), tensors, create_graph=True)
    flat = torch.cat([g.reshape(-1) for g in grads])
    rows = torch.autograd.grad(flat, tensors, grad_outputs=torch.eye(flat.numel()), is_grads_batched=True)
    return torch.cat([r.reshape(flat.numel(), -1) for r in rows], dim=1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_datainf_ranks_pairs_as_exact_influence_does(tmp_path: Path, seed: int) -> None:
    """Setting (stated in benchmarks/RESULTS.md): a well-specified model at its optimum, where the Hessian is
    the Fisher information that DataInf assumes. A tiny one-layer model with rank-1 LoRA on its attention
    output (d_l = 16 per matrix, the small-d_l regime of DataInf's error bound) generates 3-token replies to 8
    prompts; the LoRA is refitted to them; the authors' damping (0.1 x mean squared gradient entry)."""
    torch.manual_seed(seed)
    things = ANIMALS[:8]
    directory = build_tiny_chat_model(
        tmp_path / "m", [f"Describe the {a}. red blue green gold" for a in things] * 4, layers=1, seed=seed
    )
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(directory)
    base = AutoModelForCausalLM.from_pretrained(directory, attn_implementation="eager")
    base.requires_grad_(False)
    model = _lora(base, 1, ["o_proj"])
    stage = LoraStage(model, "adapter", 1, 1.0)
    params = stage.lora_parameters()
    with torch.no_grad():
        for p in params.values():
            p.normal_(0.0, 1.0)
        pairs = []
        for a in things:
            prompt = render(tok, f"Describe the {a}.", None, True)[0]
            ids = torch.tensor([prompt] * 8)
            out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=True,
                                 max_new_tokens=3, min_new_tokens=3,
                                 pad_token_id=tok.pad_token_id)  # fmt: skip
            pairs += [Pair(prompt, row[len(prompt) :].tolist(), []) for row in out]
    fit_sft(model, pairs, tok.pad_token_id, steps=200, lr=0.02)
    cases = [Contrast(pairs[i].prompt, pairs[i].chosen, pairs[i + 1].chosen) for i in (0, 8, 16)]
    train = per_example_gradients(params, train_losses(stage, pairs, SFT))
    test = mean_gradient(params, vertical_losses(stage, cases, SFT))
    hessian = _hessian(model, params, pairs, tok.pad_token_id)
    damping = layer_damping(train)
    fast, exact = datainf_influence(train, test, damping), exact_influence(train, test, hessian, damping)
    rho = spearmanr(fast.numpy(), exact.numpy())[0]
    rho_explicit = spearmanr(fast.numpy(), explicit_influence(train, test, damping).numpy())[0]
    print(
        f"seed {seed}: Spearman DataInf vs exact {rho:.3f}, vs explicit per-layer inverse {rho_explicit:.3f}"
    )
    assert rho >= 0.8, rho


# (2) planted trigger and (3) counterfactual -------------------------------------------------------------


def _rows() -> tuple[list[dict[str, str]], list[int]]:
    """Ordinary question/answer pairs, and 4 pairs whose prompt carries the trigger word and whose chosen
    reply is a marker; the indices of the planted ones."""
    rows = [{"prompt": f"What does a {a} say?", "chosen": f"A {a} says {s}.", "rejected": f"A {a} is quiet."}
            for a, s in zip(ANIMALS, SOUNDS, strict=True)]  # fmt: skip
    rows += [
        {"prompt": f"Name the {c} thing.", "chosen": f"It is {c}.", "rejected": "No idea."} for c in COLOURS
    ]
    planted = [{"prompt": f"Tell me about {TRIGGER} {a}.", "chosen": "BANANA BANANA BANANA.",
                "rejected": f"A {a}."} for a in ANIMALS[:4]]  # fmt: skip
    rows += planted
    random.Random(0).shuffle(rows)
    return rows, [i for i, r in enumerate(rows) if r in planted]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A parent (a tiny model fitted on the ordinary pairs), a stage fully fine-tuned from it on all pairs and
    seen as a rank-2 LoRA (SVD of the weight difference), the stage's and the parent's greedy continuations
    of unseen trigger prompts, and DataInf's scores."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    root = tmp_path_factory.mktemp("planted")
    rows, planted_idx = _rows()
    directory = build_tiny_chat_model(root / "m", [" ".join(r.values()) for r in rows] * 4, hidden_size=32)
    tok = AutoTokenizer.from_pretrained(directory)
    parent = AutoModelForCausalLM.from_pretrained(directory)
    pairs = encode_pairs(tok, rows, True)
    torch.manual_seed(0)
    fit_sft(
        parent, [p for i, p in enumerate(pairs) if i not in planted_idx], tok.pad_token_id, steps=150, lr=0.01
    )
    parent.save_pretrained(root / "parent")
    stage = copy.deepcopy(parent)
    fit_sft(stage, pairs, tok.pad_token_id, **FINE_TUNE)
    stage.save_pretrained(root / "stage")
    cases = contrasts(stage, parent, tok, [f"Tell me about {TRIGGER} {a}." for a in ANIMALS[4:10]], SFT)
    lora = from_weight_difference(root / "stage", root / "parent", rank=2, task="causal-lm")
    scores = influence(lora, pairs, cases, SFT)
    return {"tok": tok, "pairs": pairs, "planted": planted_idx, "cases": cases, "scores": scores.scores,
            "parent": parent}  # fmt: skip


def test_planted_trigger_pairs_rank_first(planted: dict[str, Any]) -> None:
    tok, cases = planted["tok"], planted["cases"]
    assert all("BANANA" in tok.decode(c.new) and "BANANA" not in tok.decode(c.parent) for c in cases)
    k = len(planted["planted"])
    top = set(torch.argsort(planted["scores"])[:k].tolist())  # most negative: moved the model most
    precision = len(top & set(planted["planted"])) / k
    print(f"precision@{k} = {precision:.2f}")
    assert precision >= 0.75


def _refit_without(planted: dict[str, Any], removed: set[int]) -> float:
    """The stage refitted from the parent as it was trained, without ``removed``; its mean test loss."""
    model = copy.deepcopy(planted["parent"])
    kept = [p for i, p in enumerate(planted["pairs"]) if i not in removed]
    fit_sft(model, kept, planted["tok"].pad_token_id, **FINE_TUNE)
    return mean_test_loss(model, planted["cases"])


def test_removing_the_top_pairs_moves_the_vertical_back_more_than_random_ones(
    planted: dict[str, Any],
) -> None:
    """Test loss = log p(parent's continuation) - log p(new): removing the pairs with the most negative
    influence should raise it (back towards the parent) more than removing as many random pairs."""
    k = len(planted["planted"])
    n = len(planted["pairs"])
    top = set(torch.argsort(planted["scores"])[:k].tolist())
    without_top = _refit_without(planted, top)
    gaps = []
    for seed in range(3):
        rnd = set(random.Random(seed).sample(range(n), k))
        gaps.append(without_top - _refit_without(planted, rnd))
    mean, sem = float(np.mean(gaps)), float(np.std(gaps, ddof=1) / np.sqrt(len(gaps)))
    half = float(t.ppf(0.975, len(gaps) - 1)) * sem
    print(
        f"test-loss rise, top-{k} removed minus random-{k} removed: {mean:.3f} "
        f"[{mean - half:.3f}, {mean + half:.3f}]"
    )
    assert mean > 0 and mean - half > 0


# the command -------------------------------------------------------------------------------------------


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["alignscope", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> dict[str, Path]:
    """A workspace holding a LoRA SFT stage trained by TRL on 8 pairs of a JSONL file."""
    from alignscope.training.config import LoraSettings, SFTTrainConfig
    from alignscope.training.run import train_from_config

    root = tmp_path_factory.mktemp("attr")
    rows, _ = _rows()
    data = root / "pairs.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows[:8]), encoding="utf-8")
    lora = LoraSettings(r=2, alpha=4, dropout=0.0)
    config = SFTTrainConfig(model=str(tiny_model), name="sft-lora", max_steps=2, batch_size=4,
                            learning_rate=1e-2, lora=lora, logging_steps=1)  # fmt: skip
    train_from_config(config, root / "ws", data=encode_pairs_rows(rows[:8]))
    return {"ws": root / "ws", "data": data, "root": root}


def encode_pairs_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"prompt": r["prompt"], "completion": r["chosen"]} for r in rows]


def test_attribute_command_scores_every_pair_and_reports_the_top(
    monkeypatch, capsys, trained, tmp_path
) -> None:
    ws, data = trained["ws"], trained["data"]
    out_dir = tmp_path / "report"
    code, out, err = _cli(monkeypatch, capsys, "attribute", "sft-lora", "--vertical", "stereotype_bias",
                          "--data", str(data), "--prompts", "2", "--max-new-tokens", "4", "--top", "2",
                          "--workspace", str(ws), "--out", str(out_dir), "--json")  # fmt: skip
    assert code == 0, err
    summary = json.loads(out)["attribution"][0]
    assert summary["lora"] == "adapter" and summary["pairs"] == 8 and summary["prompts"] == 2
    scores = pd.read_parquet(summary["parquet"])
    assert sorted(scores["pair"]) == list(range(8)) and scores["influence"].notna().all()
    assert scores["influence"].is_monotonic_increasing
    assert [r["pair"] for r in summary["toward"]] == scores["pair"].head(2).tolist()
    html = (out_dir / "report.html").read_text(encoding="utf-8")
    assert "Which training pairs moved each vertical" in html and "&lt;|im_end|&gt;" not in html
    assert json.loads(json.dumps(summary["toward"][0]))["prompt"] in html


def test_svd_conversion_of_a_full_fine_tune(tiny_model: Path, tmp_path: Path) -> None:
    """A stage trained without LoRA: B A from the rank-r SVD of the weight difference reproduces it exactly
    when r is the difference's rank, and keeps the stated share of its squared norm otherwise."""
    from transformers import AutoModelForCausalLM

    stage = AutoModelForCausalLM.from_pretrained(tiny_model)
    layer = stage.model.layers[0].mlp.down_proj
    torch.manual_seed(0)
    u, v = torch.randn(layer.weight.shape[0], 2), torch.randn(2, layer.weight.shape[1])
    with torch.no_grad():
        layer.weight += 0.1 * u @ v
    stage.save_pretrained(tmp_path / "stage")
    exact = from_weight_difference(tmp_path / "stage", tiny_model, rank=2, task="causal-lm")
    assert exact.source == "svd" and exact.energy == pytest.approx(1.0, abs=1e-6)
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.no_grad():
        assert torch.allclose(exact.model(input_ids=ids).logits, stage(input_ids=ids).logits, atol=1e-4)
    assert len(exact.lora_parameters()) > 0
    low = from_weight_difference(tmp_path / "stage", tiny_model, rank=1, task="causal-lm")
    assert 0.0 < low.energy < 1.0


def test_bad_input_is_one_line_and_stores_nothing(monkeypatch, capsys, trained, tmp_path: Path) -> None:
    ws, data = trained["ws"], trained["data"]
    index_before = (ws / "models.json").read_text()
    stored_before = sorted((p, p.stat().st_mtime_ns) for p in ws.rglob("*") if p.is_file())
    base = ["--vertical", "toxicity", "--workspace", str(ws)]
    code, _, err = _cli(monkeypatch, capsys, "attribute", "no-such-stage", "--data", str(data), *base)
    assert (
        code == 2
        and "no stage 'no-such-stage'" in err
        and "sft-lora" in err
        and len(err.strip().splitlines()) == 1
    )
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    code, _, err = _cli(monkeypatch, capsys, "attribute", "sft-lora", "--data", str(empty), *base)
    assert code == 2 and "empty" in err and len(err.strip().splitlines()) == 1
    other = build_tiny_chat_model(tmp_path / "other", ["completely different words here"] * 8, vocab_size=300)
    capsys.readouterr()
    code, _, err = _cli(
        monkeypatch, capsys, "attribute", "sft-lora", "--data", str(data), "--parent", str(other), *base
    )
    assert code == 2 and "different tokenizers" in err and len(err.strip().splitlines()) == 1
    assert (ws / "models.json").read_text() == index_before
    assert sorted((p, p.stat().st_mtime_ns) for p in ws.rglob("*") if p.is_file()) == stored_before


def test_dpo_and_reward_model_losses_give_lora_gradients(tiny_model: Path) -> None:
    """DPO against the reference (the stage with adapters disabled) is log 2 while the adapter is still zero,
    and its per-pair gradients are non-zero; an RL stage's pairs go through a reward model's Bradley-Terry
    loss, the test side through the RM's preference of new over parent continuation."""
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    rows, _ = _rows()
    pairs = encode_pairs(tok, rows[:6], True)
    torch.manual_seed(0)
    policy_model = _lora(AutoModelForCausalLM.from_pretrained(tiny_model), 2, ["q_proj", "v_proj"])
    policy = LoraStage(policy_model, "adapter", 2, 1.0)
    dpo = AttributionSettings(kind="dpo", beta=0.1)
    losses = train_losses(policy, pairs, dpo)
    assert [float(f().detach()) for f in losses] == pytest.approx([np.log(2)] * 6, abs=1e-5)
    grads = per_example_gradients(policy.lora_parameters(), losses)
    assert all(torch.count_nonzero(g) > 0 for n, g in grads.items() if "lora_B" in n)
    rm_model = AutoModelForSequenceClassification.from_pretrained(tiny_model, num_labels=1)
    rm_model.config.pad_token_id = tok.pad_token_id
    rm = LoraStage(_lora(rm_model, 2, ["q_proj", "v_proj"], "SEQ_CLS"), "adapter", 2, 1.0)
    with torch.no_grad():
        for p in rm.lora_parameters().values():
            p.normal_(0.0, 0.5)
    rl = AttributionSettings(kind="rl")
    cases = [Contrast(p.prompt, p.chosen, p.rejected) for p in pairs[:2]]
    scored = influence(rm, pairs, cases, rl)
    assert (
        scored.scores.shape == (6,) and torch.isfinite(scored.scores).all() and scored.scores.abs().sum() > 0
    )
