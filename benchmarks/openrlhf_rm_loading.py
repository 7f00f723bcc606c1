"""Does OpenRLHF load an alignscope reward model as is? Trains a reward model with the trainer behind
`alignscope train rm` (TRL's RewardTrainer) on a tiny random chat model and shipped HH-RLHF pairs, loads the
saved checkpoint with OpenRLHF's own loader (``get_llm_for_sequence_regression(path, "reward")``, what its
``--reward_pretrain`` calls) and with transformers' AutoModelForSequenceClassification, and compares the two
rewards on held-out pairs (OpenRLHF reads the reward at the last non-padding token, as transformers does).

    DS_BUILD_OPS=0 .venv/bin/pip install --no-deps --no-build-isolation --target /tmp/openrlhf \
        openrlhf==0.11.2 deepspeed hjson ninja py-cpuinfo msgpack einops pylatexenc
    PYTHONPATH=/tmp/openrlhf OMP_NUM_THREADS=1 .venv/bin/python benchmarks/openrlhf_rm_loading.py

OpenRLHF imports flash_attn (a CUDA-only package) when its model module loads; where it is missing, this
check puts import-only stand-ins for the two helpers it imports (used for packed samples and ring attention,
which this check does not use) on the path, and says so.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from alignscope.data.sets.hh_rlhf import bundled_rows, hh_pairs
from alignscope.training.config import RewardTrainConfig
from alignscope.training.reward_model import train_rm
from alignscope.training.tiny import build_tiny_chat_model

STAND_IN = """def _unused(*args, **kwargs):
    raise RuntimeError("not used when loading a reward model")
"""


def _flash_attn_stand_in(root: Path) -> bool:
    """Import-only flash_attn modules under ``root`` (put on sys.path) unless flash_attn is installed."""
    if importlib.util.find_spec("flash_attn") is not None:
        return False
    (root / "flash_attn" / "utils").mkdir(parents=True)
    (root / "flash_attn" / "__init__.py").write_text("")
    (root / "flash_attn" / "utils" / "__init__.py").write_text("")
    names = "index_first_axis = pad_input = rearrange = unpad_input = _unused\n"
    (root / "flash_attn" / "bert_padding.py").write_text(STAND_IN + names)
    (root / "flash_attn" / "utils" / "distributed.py").write_text(STAND_IN + "all_gather = _unused\n")
    sys.path.insert(0, str(root))
    return True


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="alignscope-openrlhf-"))
    if _flash_attn_stand_in(root / "stand-ins"):
        print("flash_attn not installed: import-only stand-ins for flash_attn.bert_padding/utils.distributed")
    from openrlhf.models.model import get_llm_for_sequence_regression

    rows = sorted(bundled_rows("hh_rlhf/harmless-base"), key=lambda r: len(r["chosen"]) + len(r["rejected"]))
    pairs = hh_pairs(rows[:80], where="hh_rlhf/harmless-base")
    pairs = [p for p in pairs if p["chosen"].strip() and p["rejected"].strip()][:48]
    corpus = [r["prompt"] + r["chosen"] + r["rejected"] for r in pairs] * 2
    base = build_tiny_chat_model(root / "base", corpus, vocab_size=400, hidden_size=32)
    config = RewardTrainConfig(model=str(base), max_steps=6, batch_size=8, learning_rate=3e-3, max_length=256)
    path = train_rm(base, pairs[:32], config, root / "rm").path
    tokenizer = AutoTokenizer.from_pretrained(path)
    theirs = get_llm_for_sequence_regression(str(path), "reward", attn_implementation="eager").eval()  # bf16
    ours = AutoModelForSequenceClassification.from_pretrained(path, dtype=torch.bfloat16).eval()
    mine, other = ours.state_dict(), theirs.state_dict()
    missing = sorted(set(mine) - set(other))
    unequal = [k for k in mine if k in other and not torch.equal(mine[k], other[k])]
    print(f"{len(mine)} tensors; missing in OpenRLHF's model: {missing}; unequal: {unequal}")
    held_out = pairs[32:]
    texts = [
        tokenizer.apply_chat_template(
            [{"role": "user", "content": r["prompt"]}, {"role": "assistant", "content": r[side]}],
            tokenize=False,
        )
        for r in held_out
        for side in ("chosen", "rejected")
    ]
    batch = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    with torch.no_grad():
        a = theirs(batch["input_ids"], attention_mask=batch["attention_mask"])
        b = ours(**batch).logits[:, 0]
    gap = float((a - b).abs().max())
    same_order = bool(((a[0::2] > a[1::2]) == (b[0::2] > b[1::2])).all())
    print(f"OpenRLHF loader class: {type(theirs).__name__}; value head: {theirs.value_head_prefix}")
    print(f"{len(texts)} held-out texts, padding side {tokenizer.padding_side}")
    print(
        f"bf16, largest |reward(OpenRLHF) - reward(transformers)|: {gap:.2e}; rewards "
        f"{float(b.min()):.3f} to {float(b.max()):.3f}; same chosen-vs-rejected order: {same_order}"
    )
    if missing or unequal or gap > 1e-2 or not same_order:
        raise SystemExit("the two loaders disagree")


if __name__ == "__main__":
    main()
