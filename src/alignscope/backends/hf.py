"""transformers in-process: batched chat generation and lm-eval-style log-likelihoods on CPU or CUDA.

One loaded model per process is shared by every backend that names the same weights, device and dtype
(system-prompt variants load it once). Weights load on the first model call, not when the backend is made:
a run whose calls are all cached never loads them (the chat template for the backend's identity is read
from the GGUF header or the tokenizer files). Requests of one batch may mix sampling parameters: greedy rows
take the argmax, sampled rows draw from their own seeded generator, so a row's output does not depend on the
batch it ran in; stop strings and max_tokens end each row separately.
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch.nn import functional
from transformers import LogitsProcessor, StoppingCriteria

from alignscope.backends.base import (
    ChatRequest,
    ChatResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    TokenLogprob,
)
from alignscope.backends.chat import chat_prompt, cut_at_stop, encode_pair
from alignscope.backends.gguf_convert import dequantised_directory
from alignscope.backends.local_backend import LocalBackend
from alignscope.backends.local_files import LocalModel
from alignscope.backends.prefix_cache import LayerKV, PrefixCache, Segment, as_cache, common_length
from alignscope.config import ModelSpec
from alignscope.errors import BackendError, PermanentBackendError
from alignscope.records import Message, SamplingParams

_DTYPES = {
    "float32": torch.float32,
    "fp32": torch.float32,
    "float16": torch.float16,
    "fp16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "bf16": torch.bfloat16,
}


@dataclass
class LoadedModel:
    """A model and tokenizer in memory, with a lock: one call at a time runs on it."""

    model: Any
    tokenizer: Any
    device: torch.device
    dtype: torch.dtype
    max_length: int
    eos_ids: list[int]
    lock: threading.Lock


_LOADED: dict[tuple[str, str, str], LoadedModel] = {}
_LOADING = threading.Lock()


def resolve_device(device: str) -> torch.device:
    """``auto`` is CUDA when available, else CPU; anything else must name a torch device."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError:
        raise BackendError(f"unknown device {device!r} (use auto, cpu, cuda or cuda:N)") from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise BackendError(f"device {device!r} asked for but CUDA is not available (use auto or cpu)")
    return resolved


def resolve_dtype(dtype: str, device: torch.device) -> torch.dtype:
    """``auto`` is float32 on CPU and bfloat16 (float16 where unsupported) on CUDA."""
    if dtype == "auto":
        if device.type != "cuda":
            return torch.float32
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if dtype not in _DTYPES:
        raise BackendError(f"unknown dtype {dtype!r} (use auto, float32, float16 or bfloat16)")
    return _DTYPES[dtype]


def load_model(local: LocalModel, device: str = "auto", dtype: str = "auto") -> LoadedModel:
    """The model at ``local`` on ``device`` in ``dtype``, loaded once per process (never downloaded)."""
    key = (str(local.path), device, dtype)
    with _LOADING:
        if key not in _LOADED:
            _LOADED[key] = _load(local, resolve_device(device), dtype)
        return _LOADED[key]


def _load(local: LocalModel, device: torch.device, dtype: str) -> LoadedModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch_dtype = resolve_dtype(dtype, device)
    directory = dequantised_directory(local) if local.gguf_file else local.directory
    try:
        tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(directory, dtype=torch_dtype, local_files_only=True)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackendError(f"cannot load model {local.label!r}: {first}") from None
    model.to(device).eval()
    tokenizer.padding_side = "left"
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    eos = model.generation_config.eos_token_id
    eos_ids = sorted(
        {*(eos if isinstance(eos, list) else [eos] if eos is not None else []), tokenizer.eos_token_id}
    )
    max_length = getattr(model.config, "max_position_embeddings", None) or 2048
    return LoadedModel(model, tokenizer, device, torch_dtype, max_length, eos_ids, threading.Lock())


@functools.lru_cache(maxsize=16)
def gguf_chat_template(path: str, mtime_ns: int, size: int) -> str | None:
    """A GGUF file's ``tokenizer.chat_template``, read once per process and file version (``mtime_ns``,
    ``size``): the reader parses the whole header, vocabulary included (seconds for a 49k-token one)."""
    from gguf import GGUFReader

    field = GGUFReader(path).fields.get("tokenizer.chat_template")
    return None if field is None else bytes(field.parts[field.data[0]]).decode("utf-8")


def read_chat_template(local: LocalModel) -> str | None:
    """The chat template the tokenizer of ``local`` will have, without loading the model: the GGUF
    header's ``tokenizer.chat_template``, or the directory's ``chat_template.jinja`` or tokenizer config."""
    try:
        if local.gguf_file:
            stat = local.path.stat()
            return gguf_chat_template(str(local.path), stat.st_mtime_ns, stat.st_size)
        jinja = local.directory / "chat_template.jinja"
        if jinja.is_file():
            return jinja.read_text(encoding="utf-8")
        config = local.directory / "tokenizer_config.json"
        template = (
            json.loads(config.read_text(encoding="utf-8")).get("chat_template") if config.is_file() else None
        )
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise BackendError(f"cannot read the tokenizer of model {local.label!r}: {exc}") from None
    return template if isinstance(template, str) else None


class HFBackend(LocalBackend):
    """transformers in-process, batched (``max_batch`` = the spec's batch_size), one endpoint ``local``;
    the weights load on first use (``loaded``)."""

    kind = "hf"
    batches_by_context = True

    def __init__(self, spec: ModelSpec, local: LocalModel) -> None:
        super().__init__(spec, local)
        self.max_batch = max(1, spec.batch_size)
        self.device = resolve_device(spec.device)
        self.dtype = resolve_dtype(spec.dtype, self.device)
        self.chat_template = spec.options.get("chat_template") or read_chat_template(local)
        self.prefixes = PrefixCache(int(spec.options.get("prefix_cache_mb", 512)) * 2**20)

    @functools.cached_property
    def loaded(self) -> LoadedModel:
        """The model and tokenizer in memory, loaded on first use (once per process and weights)."""
        return load_model(self.local, self.spec.device, self.spec.dtype)

    def __repr__(self) -> str:
        return f"HFBackend(model={self.model!r}, device={self.device}, dtype={self.dtype})"

    @property
    def tokenizer(self) -> Any:
        """The model's tokenizer (loads the model on first use)."""
        return self.loaded.tokenizer

    @property
    def dtype_name(self) -> str:
        """The torch dtype's name."""
        return str(self.dtype).removeprefix("torch.")

    @property
    def supports_text_prompt(self) -> bool:
        """True: raw-text prompts are tokenized as they are."""
        return True

    async def generate(self, requests: list[ChatRequest], endpoint: str) -> list[ChatResult]:
        """Chat replies to ``requests`` as one padded batch (run in a worker thread)."""
        return await asyncio.to_thread(self._locked, self._generate, requests)

    async def loglikelihood(
        self, requests: list[LoglikelihoodRequest], endpoint: str
    ) -> list[LoglikelihoodResult]:
        """lm-evaluation-harness log-likelihoods of ``requests`` as one batch (run in a worker thread)."""
        return await asyncio.to_thread(self._locked, self._loglikelihood, requests)

    def _locked(self, fn: Any, requests: list[Any]) -> list[Any]:
        with self.loaded.lock, torch.inference_mode():
            return fn(requests)

    def chat_text(self, messages: Sequence[Message]) -> str:
        """The prompt text of ``messages`` under the model's chat template, ending with the assistant turn."""
        return chat_prompt(
            self.tokenizer, messages, self.spec.system_prompt, self.local.label, self.chat_template
        )

    # -- generation -----------------------------------------------------------------------------------
    def _generate(self, requests: list[ChatRequest]) -> list[ChatResult]:
        from transformers import GenerationConfig, LogitsProcessorList, StoppingCriteriaList

        lm = self.loaded
        enc = lm.tokenizer(
            [r.prompt if r.prompt is not None else self.chat_text(r.messages) for r in requests],
            return_tensors="pt",
            padding=True,
            add_special_tokens=False,
        )
        params = [r.sampling for r in requests]
        prompt_tokens = enc["attention_mask"].sum(dim=1).tolist()
        for n, p in zip(prompt_tokens, params, strict=True):
            if n + p.max_tokens > lm.max_length:
                raise PermanentBackendError(
                    f"prompt of {n} tokens + max_tokens {p.max_tokens} exceeds the model's context of "
                    f"{lm.max_length} tokens"
                )
        inputs = {
            "input_ids": enc["input_ids"].to(lm.device),
            "attention_mask": enc["attention_mask"].to(lm.device),
        }
        prompt_len = inputs["input_ids"].shape[1]
        ends = _RowEnds(lm.tokenizer, prompt_len, params, lm.eos_ids)
        want_logprobs = any(p.logprobs or p.top_logprobs for p in params)
        config = GenerationConfig(
            max_new_tokens=max(1, max(p.max_tokens for p in params)),
            do_sample=False,
            num_beams=1,
            pad_token_id=lm.tokenizer.pad_token_id,
            eos_token_id=lm.eos_ids,
            return_dict_in_generate=True,
            output_logits=want_logprobs,
        )
        out = lm.model.generate(
            **inputs,
            cache=self._prompt_states(inputs["input_ids"], inputs["attention_mask"]),
            generation_config=config,
            logits_processor=LogitsProcessorList([_RowSampler(params, lm.device)]),
            stopping_criteria=StoppingCriteriaList([ends]),
        )
        ends.close(out.sequences.shape[1] - prompt_len)
        self._keep_states(inputs, out, prompt_len, ends.length)
        results = []
        for row, p in enumerate(params):
            ids = out.sequences[row, prompt_len : prompt_len + ends.length[row]].tolist()
            text, stopped = cut_at_stop(lm.tokenizer.decode(ids, skip_special_tokens=True), p.stop)
            logprobs = None
            if p.logprobs or p.top_logprobs:
                kept = self._tokens_within(ids, len(text)) if stopped else len(ids)
                logprobs = [
                    _token_logprob(lm.tokenizer, out.logits[t][row], ids[t], p.top_logprobs)
                    for t in range(kept)
                ]
            results.append(
                ChatResult(
                    text=text,
                    prompt_tokens=int(prompt_tokens[row]),
                    completion_tokens=len(ids),
                    finish_reason="stop" if stopped else ends.reason[row],
                    logprobs=logprobs,
                )
            )
        return results

    def _prompt_states(self, ids: torch.Tensor, mask: torch.Tensor) -> Any:
        """A cache holding every row's prompt but its last token, left-padded like ``ids``, each distinct
        prompt read once (from ``prefixes`` as far as they hold it, then kept there); None when states are
        not kept or a prompt is a single token."""
        lengths = mask.sum(dim=1).tolist()
        if self.prefixes.max_bytes <= 0 or min(lengths) < 2:
            return None
        width = ids.shape[1]
        read: dict[tuple[int, ...], list[LayerKV] | None] = {}
        rows = []
        for row, n in enumerate(lengths):
            prompt = tuple(ids[row, width - n : -1].tolist())
            if prompt not in read:
                read[prompt] = self._read_prompt(prompt)
            if read[prompt] is None:
                return None
            rows.append(read[prompt])
        return as_cache(_stacked(rows, [width - n for n in lengths]))

    def _read_prompt(self, tokens: tuple[int, ...]) -> list[LayerKV] | None:
        """The keys and values of ``tokens`` read on from their longest kept prefix (at least half), kept;
        None where the model's cache does not hold every token (sliding-window layers)."""
        read = self._read_on(tokens, len(tokens))
        return None if read is None else read[0]

    def _read_on(
        self, tokens: tuple[int, ...], limit: int, logits_to_keep: int = 1
    ) -> tuple[list[LayerKV], torch.Tensor | None] | None:
        """The keys and values of ``tokens`` read on from their longest kept prefix of at most ``limit``
        tokens (at least half of them), kept, with the logits of the last ``logits_to_keep`` positions read
        (None when every token was kept already); None where the model's cache does not hold every token
        (sliding-window layers)."""
        lm = self.loaded
        prefix = self.prefixes.longest(tokens, limit, minimum=(len(tokens) + 1) // 2)
        start = prefix.length if prefix is not None else 0
        if start == len(tokens):
            return prefix.layers, None
        step = lm.model(
            input_ids=torch.tensor([tokens[start:]], device=lm.device),
            cache=as_cache(prefix.layers) if prefix is not None else None,
            position_ids=torch.arange(start, len(tokens), device=lm.device)[None],
            use_cache=True,
            logits_to_keep=logits_to_keep,
        )
        layers = [(layer.keys, layer.values) for layer in step.cache.layers]
        if any(k is None or k.shape[-2] != len(tokens) for k, _ in layers):
            return None
        self.prefixes.put(tokens, [layers])
        return layers, step.logits[0]

    def _keep_states(
        self, inputs: dict[str, torch.Tensor], out: Any, prompt_len: int, lengths: list[int]
    ) -> None:
        """Keep each row's prompt and generated tokens with their keys and values in ``prefixes`` (rows with
        the same prompt share its tensors), for a later request that starts with them."""
        cache = out.cache
        if self.prefixes.max_bytes <= 0 or cache is None or not hasattr(cache, "layers"):
            return
        done = cache.get_seq_length()
        if any(layer.keys is None or layer.keys.shape[-2] != done for layer in cache.layers):
            return  # sliding-window or shared layers do not hold every token
        prompts: dict[tuple[int, ...], Segment] = {}
        for row, length in enumerate(lengths):
            n = int(inputs["attention_mask"][row].sum())
            prompt = tuple(inputs["input_ids"][row, prompt_len - n :].tolist())
            if prompt not in prompts:
                prompts[prompt] = _columns(cache, row, prompt_len - n, prompt_len)
            m = max(0, min(length, done - prompt_len))
            generated = tuple(out.sequences[row, prompt_len : prompt_len + m].tolist())
            tail = [_columns(cache, row, prompt_len, prompt_len + m)] if m else []
            self.prefixes.put(prompt + generated, [prompts[prompt], *tail])

    def _tokens_within(self, ids: list[int], n_chars: int) -> int:
        """How many of ``ids`` start before character ``n_chars`` of their decoded text."""
        for k in range(len(ids)):
            if len(self.tokenizer.decode(ids[:k], skip_special_tokens=True)) >= n_chars:
                return k
        return len(ids)

    # -- log-likelihood -------------------------------------------------------------------------------
    def encode_pair(self, request: LoglikelihoodRequest) -> tuple[list[int], list[int]]:
        """Context and continuation token ids exactly as lm-evaluation-harness's HFLM makes them."""
        context = request.context if isinstance(request.context, str) else self.chat_text(request.context)
        return encode_pair(self.tokenizer, context, request.continuation)

    def _loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[LoglikelihoodResult]:
        lm = self.loaded
        pairs = [self.encode_pair(r) for r in requests]
        inputs = [(ctx + cont)[-(lm.max_length + 1) :][:-1] for ctx, cont in pairs]
        # requests with the same input (one-token options after one context) share one forward row; the
        # first position whose logits a row needs bounds how much of it may come from ``prefixes``
        first: dict[tuple[int, ...], int] = {}
        for (_, cont), inp in zip(pairs, inputs, strict=True):
            first[tuple(inp)] = min(first.get(tuple(inp), len(inp)), len(inp) - len(cont))
        logits = self._read(first)
        results = []
        for (_, cont), inp in zip(pairs, inputs, strict=True):
            if not cont:
                results.append(LoglikelihoodResult(logprob=0.0, is_greedy=True, n_tokens=0))
                continue
            row, offset = logits[tuple(inp)]
            start = len(inp) - len(cont) - offset
            span = torch.log_softmax(row[start : start + len(cont)].float(), dim=-1)
            target = torch.tensor(cont, device=lm.device)
            logprob = span.gather(1, target[:, None]).sum().item()
            greedy = bool((span.argmax(dim=-1) == target).all())
            results.append(LoglikelihoodResult(logprob=logprob, is_greedy=greedy, n_tokens=len(cont)))
        return results

    def _read(self, first: dict[tuple[int, ...], int]) -> dict[tuple[int, ...], tuple[torch.Tensor, int]]:
        """Per input, its logits from position ``offset`` on, and ``offset``: inputs of which ``prefixes``
        holds at least half (up to the first position whose logits are needed) continue from the stored
        keys and values one by one; inputs sharing at least half of themselves with another (the options
        after one long context) read the shared part once and go on from it; the others are read whole in
        padded batches of at most ``max_batch`` rows (offset: that first position)."""
        lm = self.loaded
        out: dict[tuple[int, ...], tuple[torch.Tensor, int]] = {}
        for inp, need in first.items():
            prefix = self.prefixes.longest(inp, need, minimum=(len(inp) + 1) // 2)
            if prefix is not None:
                positions = torch.arange(prefix.length, len(inp), device=lm.device)
                step = lm.model(
                    input_ids=torch.tensor([inp[prefix.length :]], device=lm.device),
                    cache=as_cache(prefix.layers),
                    position_ids=positions[None],
                    use_cache=True,
                )
                out[inp] = (step.logits[0], prefix.length)
        for shared, members in _shared_groups([inp for inp in first if inp not in out]):
            out |= self._read_group(shared, members, min(first[m] for m in members))
        rest = [inp for inp in first if inp not in out]
        pad = lm.tokenizer.pad_token_id
        for start in range(0, len(rest), self.max_batch):
            rows = rest[start : start + self.max_batch]
            width = max(len(x) for x in rows)
            batch = torch.tensor([[*x, *[pad] * (width - len(x))] for x in rows], device=lm.device)
            for inp, row in zip(rows, lm.model(batch).logits, strict=True):
                out[inp] = (row[first[inp] :].clone(), first[inp])  # only the positions scored
        return out

    def _read_group(
        self, shared: tuple[int, ...], members: list[tuple[int, ...]], need: int
    ) -> dict[tuple[int, ...], tuple[torch.Tensor, int]]:
        """Logits of ``members`` (inputs starting with ``shared``) from ``need`` on: ``shared`` read once
        (on from a kept prefix up to ``need`` where there is one) and kept, then each member's rest after
        it; nothing where the model's cache does not hold every token (they are then read whole)."""
        lm = self.loaded
        offset = min(need, len(shared))
        scored = len(shared) - offset  # positions of ``shared`` whose logits a member needs
        # at least the last shared token is read, so that the model gives its logits
        read = self._read_on(shared, min(need, len(shared) - 1), max(1, scored))
        if read is None:
            return {}
        layers, logits = read  # logits is never None here: at least one token was read
        kept = logits[logits.shape[0] - scored :]  # type: ignore[union-attr]
        out = {}
        for inp in members:
            row = kept
            if len(inp) > len(shared):
                tail = lm.model(
                    input_ids=torch.tensor([inp[len(shared) :]], device=lm.device),
                    cache=as_cache(layers),
                    position_ids=torch.arange(len(shared), len(inp), device=lm.device)[None],
                    use_cache=True,
                )
                row = torch.cat([kept, tail.logits[0]])
            out[inp] = (row, offset)
        return out


def _shared_groups(inputs: list[tuple[int, ...]]) -> list[tuple[tuple[int, ...], list[tuple[int, ...]]]]:
    """Runs of ``inputs`` (in sorted order) each adjacent two of which share at least half of the shorter
    one and 2 tokens, with the prefix the whole run shares (inputs in no run are left out)."""
    ordered = sorted(inputs)
    groups: list[tuple[tuple[int, ...], list[tuple[int, ...]]]] = []
    run: list[tuple[int, ...]] = ordered[:1]
    shared = len(ordered[0]) if ordered else 0
    for prev, inp in zip(ordered, ordered[1:], strict=False):
        n = common_length(prev, inp)
        if n >= max(2, (min(len(prev), len(inp)) + 1) // 2):
            run.append(inp)
            shared = min(shared, n)
            continue
        if len(run) > 1:
            groups.append((run[0][:shared], run))
        run, shared = [inp], len(inp)
    if len(run) > 1:
        groups.append((run[0][:shared], run))
    return groups


def _stacked(rows: list[list[LayerKV]], pads: list[int]) -> list[LayerKV]:
    """Per layer, the rows' keys and values stacked into one batch, row i left-padded by ``pads[i]`` zeros."""
    return [
        (
            torch.cat([functional.pad(r[layer][0], (0, 0, p, 0)) for r, p in zip(rows, pads, strict=True)]),
            torch.cat([functional.pad(r[layer][1], (0, 0, p, 0)) for r, p in zip(rows, pads, strict=True)]),
        )
        for layer in range(len(rows[0]))
    ]


def _columns(cache: Any, row: int, start: int, end: int) -> Segment:
    """Copies of ``row``'s keys and values at positions ``start:end`` in every layer of ``cache``."""
    return [
        (layer.keys[row : row + 1, :, start:end].clone(), layer.values[row : row + 1, :, start:end].clone())
        for layer in cache.layers
    ]


def _token_logprob(tokenizer: Any, logits: torch.Tensor, token: int, top: int) -> TokenLogprob:
    """The log-probability of ``token`` under ``logits`` and the ``top`` most likely alternatives."""
    lp = torch.log_softmax(logits.float(), dim=-1)
    alternatives: dict[str, float] = {}
    if top:
        values, indices = lp.topk(top)
        for value, index in zip(values.tolist(), indices.tolist(), strict=True):
            alternatives.setdefault(tokenizer.decode([index]), value)
    return TokenLogprob(token=tokenizer.decode([token]), logprob=lp[token].item(), top=alternatives)


class _RowSampler(LogitsProcessor):
    """A logits processor that samples the rows with temperature > 0 from per-row seeded generators.

    Greedy rows pass through (generate takes their argmax); a sampled row's scores become -inf except at
    the drawn token, so generate's argmax picks it.
    """

    def __init__(self, params: Sequence[SamplingParams], device: torch.device) -> None:
        self.params = params
        self.generators: dict[int, torch.Generator] = {}
        for row, p in enumerate(params):
            if p.temperature > 0:
                seed = p.seed if p.seed is not None else random.SystemRandom().randrange(2**63)
                self.generators[row] = torch.Generator(device=device).manual_seed(seed)

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        for row, generator in self.generators.items():
            p = self.params[row]
            probs = torch.softmax(scores[row] / p.temperature, dim=-1)
            if p.top_p < 1.0:
                sorted_probs, order = probs.sort(descending=True)
                outside = sorted_probs.cumsum(0) - sorted_probs > p.top_p
                probs = probs.scatter(0, order, sorted_probs.masked_fill(outside, 0.0))
            token = torch.multinomial(probs, 1, generator=generator)
            scores[row] = torch.full_like(scores[row], float("-inf")).scatter(0, token, 0.0)
        return scores


class _RowEnds(StoppingCriteria):
    """A stopping criterion that ends each row at EOS, at its own stop strings, or at its own max_tokens,
    and records where (``length``: generated tokens kept, EOS excluded) and why (``reason``)."""

    def __init__(self, tokenizer: Any, prompt_len: int, params: Sequence[SamplingParams], eos_ids: list[int]):
        self.tokenizer = tokenizer
        self.prompt_len = prompt_len
        self.params = params
        self.eos_ids = set(eos_ids)
        self.length = [0] * len(params)
        self.reason: list[str | None] = [None] * len(params)
        self.window = [max((len(s) for s in p.stop), default=0) + 8 for p in params]

    def __call__(self, input_ids: torch.Tensor, scores: Any, **kwargs: Any) -> torch.Tensor:
        n = input_ids.shape[1] - self.prompt_len
        done = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
        last = input_ids[:, -1].tolist()
        for row, p in enumerate(self.params):
            if self.reason[row] is not None:
                done[row] = True
                continue
            if last[row] in self.eos_ids:
                self.length[row], self.reason[row] = n - 1, "stop"
            elif p.stop and self._hits_stop(input_ids[row, -min(n, self.window[row]) :], p.stop):
                self.length[row], self.reason[row] = n, "stop"
            elif n >= p.max_tokens:
                self.length[row], self.reason[row] = n, "length"
            done[row] = self.reason[row] is not None
        return done

    def close(self, generated: int) -> None:
        """Rows still open when generation ended ran to the length limit."""
        for row, reason in enumerate(self.reason):
            if reason is None:
                self.length[row], self.reason[row] = generated, "length"

    def _hits_stop(self, tail: torch.Tensor, stops: Sequence[str]) -> bool:
        text = self.tokenizer.decode(tail.tolist(), skip_special_tokens=True)
        return any(s and s in text for s in stops)
