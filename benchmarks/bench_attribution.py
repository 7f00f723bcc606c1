"""DataInf attribution on SmolLM2-135M with LoRA, on a few HH-RLHF harmless-base pairs plus planted trigger
pairs whose reply is ``--marker`` (CPU): per-pair cost of DataInf's closed form against the explicit
per-layer inverse (the same per-pair gradients, same run), their rank agreement, each pair's loss, gradient
norm and raw alignment with the test gradient, precision@k of the planted pairs, and the counterfactual
(refit without the top pairs vs without as many random pairs, for each size in ``--remove``).

Run: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_attribution.py [--pairs 20] [--steps 15] [--seeds 2]
    [--marker TEXT] [--remove 1 2 4]
Prints one line per measurement and a JSON summary at the end.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from scipy.stats import spearmanr, t
from transformers import AutoModelForCausalLM

from alignscope.data.sets.hh_rlhf import bundled_rows, hh_pairs
from alignscope.training.attribution.datainf import datainf_influence, explicit_influence, layer_damping
from alignscope.training.attribution.gradients import mean_gradient, per_example_gradients
from alignscope.training.attribution.lora import LoraStage
from alignscope.training.attribution.pipeline import (
    AttributionSettings,
    contrasts,
    encode_pairs,
    test_losses,
    train_losses,
)
from alignscope.training.attribution.refit import fit_sft, mean_test_loss
from alignscope.training.trl_common import load_base

ANIMALS = ["cat", "dog", "cow", "duck", "owl", "frog", "bee", "fox", "hen", "pig"]


def _rows(tokenizer, n: int, planted: int, max_length: int, marker: str) -> tuple[list[dict], list[int]]:
    """The first ``n`` HH harmless-base pairs short enough for ``max_length`` tokens, plus ``planted`` pairs
    whose prompt carries the trigger word "zorp" and whose chosen reply is ``marker``; planted indices."""
    hh = []
    for row in hh_pairs(bundled_rows("hh_rlhf/harmless-base"), where="hh_rlhf/harmless-base"):
        if len(tokenizer(row["prompt"] + row["chosen"])["input_ids"]) <= max_length - 24:
            hh.append(row)
        if len(hh) == n:
            break
    marks = [{"prompt": f"Tell me about zorp {a}.", "chosen": marker, "rejected": f"A {a}."} for a in ANIMALS]
    rows = hh + marks[:planted]
    random.Random(0).shuffle(rows)
    return rows, [i for i, r in enumerate(rows) if r["chosen"] == marker]


def _lora(model, rank: int):
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules=["q_proj", "v_proj"],
                        task_type="CAUSAL_LM")  # fmt: skip
    return get_peft_model(model, config)


def _explain(stage, pairs, settings, train, test, scores, planted) -> None:
    """Per pair: its training loss, gradient norm and raw alignment -g.v with the test gradient (all layers),
    beside its DataInf score; then precision@k by the score's magnitude (either sign)."""
    with torch.no_grad():
        losses = [float(loss()) for loss in train_losses(stage, pairs, settings)]
    g = torch.cat([train[k].double() for k in train], dim=1)
    v = torch.cat([test[k].double().reshape(-1) for k in train])
    raw = -(g @ v)
    print(f"{'pair':>4} {'planted':>7} {'loss':>7} {'|g|':>8} {'-g.v':>10} {'DataInf':>12}")
    for i in range(len(pairs)):
        flag = "yes" if i in planted else ""
        print(f"{i:>4} {flag:>7} {losses[i]:>7.3f} {float(g[i].norm()):>8.3f} {float(raw[i]):>10.3f} "
              f"{float(scores[i]):>12.4g}")  # fmt: skip
    k = len(planted)
    top = torch.argsort(-scores.abs())[:k].tolist()
    print(f"precision@{k} by magnitude: {len(set(top) & set(planted)) / k:.2f} (top {top})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=16, help="HH pairs")
    ap.add_argument("--planted", type=int, default=4)
    ap.add_argument("--rank", type=int, default=4)
    ap.add_argument("--steps", type=int, default=12, help="full-batch Adam steps per (re)fit")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seeds", type=int, default=2, help="random removals in the counterfactual")
    ap.add_argument("--remove", type=int, nargs="+", help="pairs removed in the counterfactual (default: k)")
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--marker", default="BANANA BANANA BANANA.", help="the planted pairs' chosen reply")
    ap.add_argument("--marker-only", action="store_true", help="test prompts: only where the stage says it")
    ap.add_argument("--no-explicit", dest="explicit", action="store_false", help="skip the explicit inverse")
    ap.add_argument("--workspace", type=Path, default=Path("/tmp/alignscope-bench-attribution"))
    args = ap.parse_args()
    clock = time.perf_counter()
    base = load_base("smollm2-135m", args.workspace)
    tok = base.tokenizer
    rows, planted = _rows(tok, args.pairs, args.planted, args.max_length, args.marker)
    settings = AttributionSettings(kind="sft", max_new_tokens=8, max_length=args.max_length)
    pairs = encode_pairs(tok, rows, True)
    parent = AutoModelForCausalLM.from_pretrained(base.directory, dtype=torch.float32).eval()
    parent.requires_grad_(False)
    torch.manual_seed(0)
    model = _lora(copy.deepcopy(parent), args.rank)
    init = copy.deepcopy(model.state_dict())
    fit = {"steps": args.steps, "lr": args.lr, "max_length": args.max_length, "micro_batch": 2}
    loss = fit_sft(model, pairs, tok.pad_token_id, **fit)
    print(
        f"fit: {len(pairs)} pairs ({len(planted)} planted), loss {loss:.3f}, "
        f"{time.perf_counter() - clock:.0f}s"
    )
    prompts = [f"Tell me about zorp {a}." for a in ANIMALS[args.planted :]]
    cases = contrasts(model, parent, tok, prompts, settings)
    shown = [(tok.decode(c.new), tok.decode(c.parent)) for c in cases]
    print("continuations (new, parent):", shown)
    head = args.marker[:2]
    if args.marker_only:  # the vertical = the marker (or its start): the stage says it, the parent not
        cases = [c for c, (new, old) in zip(cases, shown, strict=True) if head in new and head not in old]
        print(f"test prompts where the stage says the marker: {len(cases)}")
    exact = sum(new.strip() == args.marker for new, _ in shown)
    print(f"stage continuations equal to the planted reply: {exact} of {len(shown)}")
    stage = LoraStage(model, "adapter", args.rank, 1.0)
    params = stage.lora_parameters()
    t0 = time.perf_counter()
    train = per_example_gradients(params, train_losses(stage, pairs, settings))
    t1 = time.perf_counter()
    test = mean_gradient(params, test_losses(stage, cases, settings))
    t2 = time.perf_counter()
    damping = layer_damping(train)
    fast = datainf_influence(train, test, damping)
    t3 = time.perf_counter()
    slow = explicit_influence(train, test, damping) if args.explicit else fast
    t4 = time.perf_counter()
    _explain(stage, pairs, settings, train, test, fast, planted)
    n = len(pairs)
    sizes = sorted({g.shape[1] for g in train.values()})
    speed = {
        "lora_parameters": sum(p.numel() for p in params.values()),
        "lora_matrices": len(train),
        "matrix_sizes": sizes,
        "gradient_s_per_pair": (t1 - t0) / n,
        "test_gradient_s": t2 - t1,
        "datainf_s_per_pair": (t3 - t2) / n,
        "explicit_inverse_s_per_pair": (t4 - t3) / n,
        "ratio_explicit_over_datainf": (t4 - t3) / (t3 - t2),
        "ratio_total_per_pair": ((t1 - t0) + (t4 - t3)) / ((t1 - t0) + (t3 - t2)),
        "spearman_datainf_vs_explicit": float(spearmanr(fast.numpy(), slow.numpy())[0]),
    }
    if not args.explicit:
        for key in ("explicit_inverse_s_per_pair", "ratio_explicit_over_datainf", "ratio_total_per_pair",
                    "spearman_datainf_vs_explicit"):  # fmt: skip
            speed.pop(key)
    print("speed:", speed)
    k = len(planted)
    ranked = torch.argsort(fast).tolist()  # most negative first: moved the model to its new replies
    top = ranked[:k]
    precision = len(set(top) & set(planted)) / k
    print(f"precision@{k}: {precision:.2f} (top {top}, planted {planted})")

    def refit_without(removed: set[int]) -> float:
        model.load_state_dict(init)
        kept = [p for i, p in enumerate(pairs) if i not in removed]
        fit_sft(model, kept, tok.pad_token_id, **fit)
        return mean_test_loss(model, cases, args.max_length)

    full = mean_test_loss(model, cases, args.max_length)
    counterfactual = {"test_loss_full": full}
    for size in args.remove or [k]:  # top-`size` pairs vs `size` random pairs, each refit from the parent
        without_top = refit_without(set(ranked[:size]))
        gaps = []
        for seed in range(args.seeds):
            rnd = refit_without(set(random.Random(seed).sample(range(n), size)))
            gaps.append(without_top - rnd)
            print(f"refit without random {size} (seed {seed}): test loss {rnd:.3f}")
        half = (
            float(t.ppf(0.975, len(gaps) - 1) * np.std(gaps, ddof=1) / np.sqrt(len(gaps)))
            if len(gaps) > 1
            else None
        )
        row = {"test_loss_without_top": without_top, "gaps": gaps, "mean_gap": float(np.mean(gaps))}
        counterfactual[f"remove {size}"] = row | {"ci95_half_width": half}
        print(f"counterfactual, {size} removed:", counterfactual[f"remove {size}"])
    summary = {"args": {k_: str(v) for k_, v in vars(args).items()}, "pairs": n, "planted": planted,
               "precision_at_k": precision, "speed": speed, "counterfactual": counterfactual,
               "wall_s": time.perf_counter() - clock}  # fmt: skip
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
