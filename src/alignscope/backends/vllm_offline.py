"""vLLM's offline engine on GPUs (optional extra ``alignscope[vllm]``); vllm is imported here alone, lazily.

Prompts are built with the model's own chat template and sent as token ids, so prompt token counts and
log-likelihood tokenisation (lm-evaluation-harness's) match the hf backend's.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

from alignscope.backends.base import (
    ChatRequest,
    ChatResult,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    TokenLogprob,
)
from alignscope.backends.chat import chat_prompt, encode_pair
from alignscope.backends.local_backend import LocalBackend
from alignscope.backends.local_files import LocalModel
from alignscope.config import ModelSpec
from alignscope.errors import BackendError
from alignscope.records import Message, SamplingParams

DEFAULT_MAX_BATCH = 256
_ENGINES: dict[tuple[str, str, str], Any] = {}
_LOADING = threading.Lock()


def import_vllm() -> Any:
    """The vllm module, or a one-line BackendError saying how to install it."""
    try:
        import vllm
    except ImportError:
        raise BackendError(
            "the vllm backend needs vLLM: pip install 'alignscope[vllm]' (GPU machines)"
        ) from None
    return vllm


def load_engine(local: LocalModel, dtype: str, engine_args: dict[str, Any]) -> Any:
    """One ``vllm.LLM`` per model and dtype in this process (variants of one model share it)."""
    vllm = import_vllm()
    key = (str(local.path), dtype, repr(sorted(engine_args.items())))
    with _LOADING:
        if key not in _ENGINES:
            try:
                _ENGINES[key] = vllm.LLM(model=str(local.path), dtype=dtype, **engine_args)
            except (OSError, ValueError, RuntimeError) as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise BackendError(f"vLLM cannot load {local.label!r}: {first}") from None
        return _ENGINES[key]


class VLLMBackend(LocalBackend):
    """vLLM offline engine: large batches on one endpoint ``local``.

    ``options.engine_args`` go to ``vllm.LLM`` (tensor_parallel_size, gpu_memory_utilization, tokenizer for
    GGUF files...); ``options.max_batch`` sets requests per call (default 256).
    """

    kind = "vllm"

    def __init__(self, spec: ModelSpec, local: LocalModel) -> None:
        super().__init__(spec, local)
        self.max_batch = int(spec.options.get("max_batch", DEFAULT_MAX_BATCH))
        self.llm = load_engine(local, spec.dtype, dict(spec.options.get("engine_args") or {}))
        self.tokenizer = self.llm.get_tokenizer()
        self.chat_template = spec.options.get("chat_template") or self.tokenizer.chat_template
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"VLLMBackend(model={self.model!r})"

    @property
    def dtype_name(self) -> str:
        """The dtype the model was asked to run in."""
        return self.spec.dtype

    async def generate(self, requests: list[ChatRequest], endpoint: str) -> list[ChatResult]:
        """Chat replies to ``requests`` in one ``LLM.generate`` call (in a worker thread)."""
        return await asyncio.to_thread(self._generate, requests)

    async def loglikelihood(
        self, requests: list[LoglikelihoodRequest], endpoint: str
    ) -> list[LoglikelihoodResult]:
        """lm-evaluation-harness log-likelihoods from vLLM's prompt logprobs (in a worker thread)."""
        return await asyncio.to_thread(self._loglikelihood, requests)

    def _generate(self, requests: list[ChatRequest]) -> list[ChatResult]:
        prompts = [
            {"prompt_token_ids": self.tokenizer.encode(self._prompt_text(r), add_special_tokens=False)}
            for r in requests
        ]
        params = [self._sampling(r.sampling) for r in requests]
        with self._lock:
            outputs = self.llm.generate(prompts, params, use_tqdm=False)
        results = []
        for request, output in zip(requests, outputs, strict=True):
            completion = output.outputs[0]
            s = request.sampling
            logprobs = None
            if completion.logprobs is not None and (s.logprobs or s.top_logprobs):
                logprobs = [
                    _token_logprob(entry, token, s.top_logprobs)
                    for token, entry in zip(completion.token_ids, completion.logprobs, strict=False)
                ]
            results.append(
                ChatResult(
                    text=completion.text,
                    prompt_tokens=len(output.prompt_token_ids),
                    completion_tokens=len(completion.token_ids),
                    finish_reason=completion.finish_reason,
                    logprobs=logprobs,
                )
            )
        return results

    def _sampling(self, s: SamplingParams) -> Any:
        vllm = import_vllm()
        return vllm.SamplingParams(
            n=1,
            temperature=s.temperature,
            top_p=s.top_p,
            max_tokens=s.max_tokens,
            seed=s.seed,
            stop=list(s.stop) or None,
            logprobs=s.top_logprobs if (s.logprobs or s.top_logprobs) else None,
        )

    def _max_length(self) -> int:
        try:
            return int(self.llm.llm_engine.model_config.max_model_len)
        except AttributeError:
            return int(self.tokenizer.model_max_length)

    def _loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[LoglikelihoodResult]:
        vllm = import_vllm()
        pairs = []
        for r in requests:
            context = r.context if isinstance(r.context, str) else self._chat_text(r.context)
            pairs.append(encode_pair(self.tokenizer, context, r.continuation))
        max_len = self._max_length()
        prompts = [{"prompt_token_ids": (ctx + cont)[-max_len:]} for ctx, cont in pairs]
        params = vllm.SamplingParams(temperature=0.0, max_tokens=1, prompt_logprobs=1, detokenize=False)
        with self._lock:
            outputs = self.llm.generate(prompts, params, use_tqdm=False)
        results = []
        for (_, cont), prompt, output in zip(pairs, prompts, outputs, strict=True):
            ids = prompt["prompt_token_ids"]
            positions = range(len(ids) - len(cont), len(ids))
            total, greedy = 0.0, True
            for pos in positions:
                entry = output.prompt_logprobs[pos]
                chosen = entry[ids[pos]].logprob
                total += chosen
                greedy = greedy and chosen >= max(lp.logprob for lp in entry.values())
            results.append(LoglikelihoodResult(logprob=total, is_greedy=greedy, n_tokens=len(cont)))
        return results

    @property
    def supports_text_prompt(self) -> bool:
        """True: raw-text prompts are tokenized as they are."""
        return True

    def _prompt_text(self, request: ChatRequest) -> str:
        """The request's raw-text prompt, or its messages under the chat template."""
        return request.prompt if request.prompt is not None else self._chat_text(request.messages)

    def _chat_text(self, messages: Sequence[Message]) -> str:
        return chat_prompt(
            self.tokenizer, messages, self.spec.system_prompt, self.local.label, self.chat_template
        )


def _token_logprob(entry: dict[int, Any], token: int, top: int) -> TokenLogprob:
    """vLLM's per-position ``{token_id: Logprob}`` as a TokenLogprob with the ``top`` best alternatives."""
    best = sorted(entry.values(), key=lambda lp: lp.rank if lp.rank is not None else 1 << 30)[:top]
    return TokenLogprob(
        token=entry[token].decoded_token or "",
        logprob=float(entry[token].logprob),
        top={lp.decoded_token or "": float(lp.logprob) for lp in best},
    )
