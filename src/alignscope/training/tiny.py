"""A tiny random chat model built offline: byte-level BPE trained on a corpus, ChatML template, small Qwen2.

For tests and smoke runs of the training wrappers; nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

IM_START, IM_END, PAD = "<|im_start|>", "<|im_end|>", "<|endoftext|>"

# ChatML; the {% generation %} markers let TRL mask non-assistant tokens (assistant_only_loss).
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}"
    "{{ '<|im_start|>assistant\\n' }}"
    "{% generation %}{{ message['content'] + '<|im_end|>' }}{% endgeneration %}"
    "{{ '\\n' }}"
    "{% else %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def build_tiny_chat_model(
    out_dir: Path,
    corpus: Iterable[str],
    *,
    vocab_size: int = 320,
    hidden_size: int = 16,
    layers: int = 2,
    heads: int = 2,
    seed: int = 0,
) -> Path:
    """Train a BPE tokenizer on ``corpus``, build a random Qwen2 chat model, save both to ``out_dir``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD, IM_START, IM_END],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(corpus, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token=IM_END, pad_token=PAD, bos_token=None, unk_token=None
    )
    tokenizer.chat_template = CHATML_TEMPLATE

    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=1,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def tiny_preference_demo(folder: Path) -> tuple[Path, Path]:
    """A tiny chat model and a prompt/chosen/rejected JSONL file of 8 toy pairs in ``folder`` (for examples
    and smoke runs of the trainers): (model directory, pairs file)."""
    import json

    pairs = [
        {"prompt": f"Is {n} even?", "chosen": "Yes." if n % 2 == 0 else "No.", "rejected": "I cannot say."}
        for n in range(8)
    ]
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "pairs.jsonl"
    data.write_text("".join(json.dumps(p) + "\n" for p in pairs), encoding="utf-8")
    base = build_tiny_chat_model(folder / "tiny-base", [" ".join(p.values()) for p in pairs] * 4)
    return base, data
