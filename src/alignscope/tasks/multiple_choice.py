"""Multiple choice as lm-evaluation-harness scores it, and by generation where a backend has no likelihoods.

Log-likelihood path (lm-eval's ``output_type: multiple_choice``): one request per option, the option's
continuation (e.g. " A") after the same context; ``acc`` is 1 when the option with the highest summed
log-probability is gold, ``acc_norm`` when the highest log-probability divided by the option string's
length in characters is gold (ties go to the first option, as numpy's argmax). MC2 (TruthfulQA) is the
probability mass on the true options after normalising the options' probabilities to sum to one.

Generation path: the question is asked as a chat turn with its options; the chosen option is read from the
answer (a letter, or the option's text). An unreadable answer counts as wrong and is reported as unparsed.
"""

from __future__ import annotations

import random
from abc import abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from alignscope.backends.base import Backend, LoglikelihoodRequest
from alignscope.config import ModelSpec
from alignscope.engine.generation import generate_items
from alignscope.engine.runner import Engine
from alignscope.records import Generation, Item, Message, SamplingParams
from alignscope.tasks.registry import Result, Task, TaskContext, TaskOutcome
from alignscope.tasks.scorers.base import ScorerSetup
from alignscope.tasks.scorers.choices import parse_choice

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LETTER_INSTRUCTION = "Answer with the letter of the correct option."


@dataclass(frozen=True)
class ChoicePrompt:
    """One question as log-likelihood requests: the context, one continuation per option, and the option
    strings whose lengths normalise ``acc_norm`` (lm-eval's ``doc_to_choice``, no target delimiter)."""

    context: str | tuple[Message, ...]
    continuations: tuple[str, ...]
    choices: tuple[str, ...]

    def requests(self) -> list[LoglikelihoodRequest]:
        """One request per option, in option order."""
        return [LoglikelihoodRequest(context=self.context, continuation=c) for c in self.continuations]


@dataclass(frozen=True)
class ChoiceQuestion:
    """One question as a chat turn: the messages, and ``order[k]`` = the option index shown k-th."""

    messages: tuple[Message, ...]
    order: tuple[int, ...]


@dataclass(frozen=True)
class Loglikelihoods:
    """The options' log-likelihoods of one question, or the error that stopped them."""

    lls: tuple[float, ...] | None
    is_greedy: tuple[bool, ...] | None
    error: str | None = None


@dataclass(frozen=True)
class GeneratedChoice:
    """A generated answer and the option read from it (index into the task's options; None if unreadable)."""

    generation: Generation
    choice: int | None


def can_score(backend: Backend, prompt: ChoicePrompt) -> bool:
    """Whether ``backend`` can score ``prompt`` by log-likelihood: it has log-likelihoods and, for a chat
    context, declares ``supports_chat_loglikelihood``."""
    if isinstance(prompt.context, str):
        return backend.supports_loglikelihood
    return backend.supports_chat_loglikelihood


def choice_metrics(lls: Sequence[float], choices: Sequence[str], gold: Sequence[int]) -> dict[str, Any]:
    """lm-eval's ``acc`` and ``acc_norm`` with the predicted options, for one question."""
    values = np.asarray(lls, dtype=np.float64)
    lengths = np.array([float(len(c)) for c in choices])
    pred, pred_norm = int(np.argmax(values)), int(np.argmax(values / lengths))
    return {
        "acc": float(pred in gold),
        "acc_norm": float(pred_norm in gold),
        "pred": pred,
        "pred_norm": pred_norm,
    }


def true_probability_mass(lls: Sequence[float], labels: Sequence[int]) -> float:
    """MC2: the normalised probability of the options labelled 1 (computed stably: shifting by the largest
    log-likelihood leaves the normalised probabilities unchanged)."""
    values = np.asarray(lls, dtype=np.float64)
    probs = np.exp(values - values.max())
    return float(probs[np.asarray(labels) == 1].sum() / probs.sum())


def option_loglikelihoods(
    engine: Engine, backend: Backend, prompts: Sequence[ChoicePrompt], desc: str
) -> list[Loglikelihoods]:
    """Every option's log-likelihood for each prompt, in one engine call (cached, resumable). Requests go
    longest first, so that batches hold requests of similar length (little padding), as lm-eval orders."""
    flat = [r for p in prompts for r in p.requests()]
    order = sorted(range(len(flat)), key=lambda i: -context_length(flat[i]))
    answered = engine.loglikelihood(backend, [flat[i] for i in order], desc=desc)
    outcomes = [o for _, o in sorted(zip(order, answered, strict=True), key=lambda pair: pair[0])]
    out, start = [], 0
    for prompt in prompts:
        chunk = outcomes[start : start + len(prompt.continuations)]
        start += len(prompt.continuations)
        error = next((o.error for o in chunk if o.error), None)
        if error is not None:
            out.append(Loglikelihoods(None, None, error))
            continue
        out.append(
            Loglikelihoods(tuple(o.result.logprob for o in chunk), tuple(o.result.is_greedy for o in chunk))
        )
    return out


def context_length(request: LoglikelihoodRequest) -> int:
    """Characters of a request's context and continuation (a proxy for its tokens)."""
    context = request.context
    size = len(context) if isinstance(context, str) else sum(len(m.content) for m in context)
    return size + len(request.continuation)


def lettered_question(question: str, options: Sequence[str], instruction: str = LETTER_INSTRUCTION) -> str:
    """``question``, the options as "A. ...", one per line, and the instruction."""
    lines = [f"{LETTERS[k]}. {option}" for k, option in enumerate(options)]
    return "\n".join([question, *lines, instruction])


def shuffled_order(n: int, key: str) -> tuple[int, ...]:
    """A permutation of ``range(n)`` fixed by ``key`` (same key, same order, on every machine)."""
    order = list(range(n))
    random.Random(key).shuffle(order)
    return tuple(order)


def ask_choices(
    engine: Engine,
    backend: Backend,
    spec: ModelSpec,
    items: Sequence[Item],
    questions: Sequence[ChoiceQuestion],
    parse: Callable[[Item, str, tuple[int, ...]], int | None],
    sampling: SamplingParams,
    desc: str,
) -> list[GeneratedChoice]:
    """Ask each question as a chat turn and read the chosen option with ``parse(item, answer, order)``."""
    asked = [
        it.model_copy(update={"messages": list(q.messages)}) for it, q in zip(items, questions, strict=True)
    ]
    gens = generate_items(engine, backend, spec, asked, sampling, desc=desc)
    return [
        GeneratedChoice(g, None if g.error else parse(item, g.text, q.order))
        for item, q, g in zip(items, questions, gens, strict=True)
    ]


@dataclass(frozen=True, kw_only=True)
class MultipleChoiceTask(Task):
    """A task whose items pick one of several options: by log-likelihood where the backend has it, else by
    generation and parsing. ``shows_options``: the Item's own prompt lists its options, so answer texts to it
    can be scored (``bench score``). Subclasses say how to build the log-likelihood prompt."""

    kind: ClassVar[str] = "loglikelihood"
    metric: str = "acc"
    shows_options: bool = True
    answer_tokens: int = 16

    @abstractmethod
    def choice_prompt(self, item: Item) -> ChoicePrompt:
        """The log-likelihood requests of ``item``."""

    def options(self, item: Item) -> list[str]:
        """The option texts of ``item``, in the order the gold indices refer to."""
        return list(item.choices or [])

    def gold(self, item: Item) -> tuple[int, ...]:
        """The indices of the correct options."""
        return tuple(item.gold) if isinstance(item.gold, list) else (int(item.gold or 0),)

    def chance(self, items: Sequence[Item]) -> float:
        """Mean over items of (correct options / options)."""
        return float(np.mean([len(self.gold(it)) / len(self.options(it)) for it in items])) if items else 0.0

    def question(self, item: Item) -> ChoiceQuestion:
        """The chat turn asking ``item`` by generation: by default the Item's own prompt, options in order."""
        return ChoiceQuestion(tuple(item.messages), tuple(range(len(self.options(item)))))

    def parse(self, item: Item, text: str, order: tuple[int, ...]) -> int | None:
        """The option an answer picks (a letter of the shown order, or an option's text)."""
        options = self.options(item)
        shown = parse_choice(text, [options[i] for i in order])
        return None if shown is None else order[shown]

    def score_loglikelihoods(self, item: Item, prompt: ChoicePrompt, lls: Loglikelihoods) -> Result:
        """Result of one item from its options' log-likelihoods: ``value`` is lm-eval's acc."""
        metrics = choice_metrics(lls.lls or (), prompt.choices, self.gold(item))
        return {
            "item_id": item.id,
            "value": metrics["acc"],
            "choice": metrics["pred"],
            "lls": list(lls.lls or ()),
        } | metrics

    def score_choice(self, item: Item, choice: int | None) -> Result:
        """Result of one item from a generated answer's choice (None: unreadable, counted wrong)."""
        return {
            "item_id": item.id,
            "value": float(choice in self.gold(item)),
            "choice": choice,
            "parsed": choice is not None,
        }

    def evaluate(self, ctx: TaskContext, items: Sequence[Item]) -> TaskOutcome:
        """Log-likelihood scoring where the backend can do it, else generation and parsing; items whose
        log-likelihoods failed because the backend turned out to have none are asked by generation."""
        prompts = [self.choice_prompt(item) for item in items]
        if not prompts or not can_score(ctx.backend, prompts[0]):
            return self._by_generation(ctx, items)
        out = self._by_loglikelihood(ctx, items, prompts)
        if out.failures and not ctx.backend.supports_loglikelihood:
            retried = self._by_generation(ctx, [it for it in items if it.id in out.failures])
            out.scores += retried.scores
            out.results += retried.results
            out.generations = retried.generations
            out.failures = retried.failures
        return out

    def _by_loglikelihood(
        self, ctx: TaskContext, items: Sequence[Item], prompts: Sequence[ChoicePrompt]
    ) -> TaskOutcome:
        answers = option_loglikelihoods(ctx.engine, ctx.backend, prompts, desc=f"{self.name} {ctx.spec.name}")
        out = TaskOutcome()
        for item, prompt, lls in zip(items, prompts, answers, strict=True):
            if lls.error is not None:
                out.failures[item.id] = lls.error
                continue
            result = self.score_loglikelihoods(item, prompt, lls)
            out.results.append(result)
            out.scores.append(self.make_score(ctx, item, result))
        return out

    def _by_generation(self, ctx: TaskContext, items: Sequence[Item]) -> TaskOutcome:
        max_tokens = min(self.answer_tokens, ctx.max_tokens or self.answer_tokens)
        sampling = SamplingParams(max_tokens=max_tokens, seed=ctx.seed)
        questions = [self.question(item) for item in items]
        answers = ask_choices(
            ctx.engine,
            ctx.backend,
            ctx.spec,
            items,
            questions,
            self.parse,
            sampling,
            f"{self.name} {ctx.spec.name}",
        )
        out = TaskOutcome(generations={self.name: [a.generation for a in answers]})
        for item, answer in zip(items, answers, strict=True):
            if answer.generation.error is not None:
                out.failures[item.id] = answer.generation.error
                continue
            result = self.score_choice(item, answer.choice) | {"response": answer.generation.text}
            out.results.append(result)
            out.scores.append(self.make_score(ctx, item, result, sampling))
        return out

    @property
    def scores_text(self) -> bool:
        """Answer texts can be scored when the Item's prompt shows the options."""
        return self.shows_options

    def score_texts(
        self, items: Sequence[Item], responses: Sequence[str], setup: ScorerSetup | None = None
    ) -> list[Result]:
        """Read each answer's choice and score it (choice scoring takes no scorer options)."""
        if not self.shows_options:
            return super().score_texts(items, responses, setup)
        return [
            self.score_choice(item, self.parse(item, text, tuple(range(len(self.options(item))))))
            | {"response": text}
            for item, text in zip(items, responses, strict=True)
        ]

    def aggregate(self, results: Sequence[Result]) -> Result:
        """Accuracy (and acc_norm where log-likelihoods gave it), with the count of unreadable answers."""
        summary: Result = {"value": _mean(r["value"] for r in results), "n": len(results)}
        summary[self.metric] = summary["value"]
        if results and all("acc_norm" in r for r in results):
            summary["acc_norm"] = _mean(r["acc_norm"] for r in results)
        summary["n_unparsed"] = sum(1 for r in results if r.get("parsed") is False)
        return summary


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(np.mean(values)) if values else None


@dataclass(frozen=True, kw_only=True)
class ChatChoiceTask(MultipleChoiceTask):
    """Multiple choice over the Item's own chat prompt (which lists the options): each option's text, or its
    letter when ``letters``, is the continuation that starts the assistant's turn."""

    letters: bool = False

    def choice_prompt(self, item: Item) -> ChoicePrompt:
        """The Item's messages as context; option texts (or letters) as continuations."""
        options = self.options(item)
        shown = tuple(LETTERS[: len(options)]) if self.letters else tuple(options)
        return ChoicePrompt(tuple(item.messages), shown, shown)

    def template(self) -> str:
        """The data set's own prompt; continuations are letters or option texts."""
        return f"item prompt|{'letters' if self.letters else 'option texts'}"
