"""The records that flow between layers: Item, Generation, Judgment, Score, with provenance (see
docs/ARCHITECTURE.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "user", "assistant"]


class Message(BaseModel):
    """One chat message."""

    model_config = ConfigDict(frozen=True)
    role: Role
    content: str


class Item(BaseModel):
    """One prompt with what its scorer needs.

    ``messages`` holds the conversation up to the turn the model must answer. Multi-turn benchmarks
    (MT-Bench) keep later user turns in ``turns``. ``target`` holds scorer data (reference answer,
    choices and gold index, IFEval instruction specs, ...).
    """

    id: str
    dataset: str
    messages: list[Message]
    category: str | None = None
    turns: list[str] = Field(default_factory=list)
    reference: str | None = None
    choices: list[str] | None = None
    gold: int | list[int] | None = None
    target: dict[str, Any] = Field(default_factory=dict)
    data_version: str = ""

    @property
    def prompt(self) -> str:
        """The last user message: what most scorers match on."""
        return next(m.content for m in reversed(self.messages) if m.role == "user")


class SamplingParams(BaseModel):
    """Sampling parameters of one generation call; part of every cache key. One call returns one sample:
    draw several by varying ``seed``."""

    model_config = ConfigDict(frozen=True)
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    seed: int | None = 0
    logprobs: bool = False
    top_logprobs: int = 0


class Provenance(BaseModel):
    """Where a record came from: enough to tell two verdicts of different judges or versions apart."""

    model: str
    backend: str
    sampling: SamplingParams | None = None
    template_hash: str | None = None
    data_version: str | None = None
    system_prompt: str | None = None
    call_key: str | None = None


class Generation(BaseModel):
    """A model's answer to an Item: ``text`` is the last turn's answer, ``turns`` every turn's for multi-turn
    Items; ``error`` is set (and ``text`` empty) when the call failed after all retries."""

    item_id: str
    dataset: str
    model: str
    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    logprobs: list[dict[str, Any]] | None = None
    turns: list[str] = Field(default_factory=list)
    provenance: Provenance
    error: str | None = None
    run_id: str | None = None


class Judgment(BaseModel):
    """A judge's verdict on one answer (pointwise) or a pair (pairwise / meta).

    For pairs, ``model_a`` was shown first and ``model_b`` second; ``verdict`` is in the judge's frame
    ("A", "B", "tie", or graded "A>>B" ...), ``preference`` maps it to P(A preferred) in [0, 1].
    ``parse_status`` is "ok", "logprob" (taken from next-token probabilities) or "failed" (raw text kept).
    """

    judge: str
    mode: str
    item_id: str
    dataset: str
    model_a: str
    model_b: str | None = None
    swapped: bool = False
    verdict: str | None = None
    score: float | None = None
    preference: float | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    raw: str = ""
    parse_status: Literal["ok", "logprob", "failed"] = "ok"
    provenance: Provenance
    run_id: str | None = None


class Score(BaseModel):
    """A deterministic scorer's result for one Generation (or one multiple-choice Item)."""

    task: str
    item_id: str
    model: str
    value: float
    fields: dict[str, Any] = Field(default_factory=dict)
    provenance: Provenance
    run_id: str | None = None
