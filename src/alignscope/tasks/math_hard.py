"""MATH Level 5 as lm-evaluation-harness's ``leaderboard_math_hard`` (Open LLM Leaderboard v2) runs it.

Raw-text prompt (no chat template), 4 fixed Minerva shots (lm-eval's ``list_fewshot_samples``):
  each shot = "Problem:\\n{problem}\\n\\nSolution:" + " " + "{worked solution}" + "\\n\\n"
  question  = "Problem:\\n{problem}\\n\\nSolution:"
greedy decoding until "Problem:" (or end of text), at most 1,024 new tokens; ``exact_match`` by the Minerva
answer rules of :mod:`alignscope.tasks.math_answers`. The backend must continue raw text (hf, vllm).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from alignscope.engine.generation import generate_items
from alignscope.records import Item, SamplingParams
from alignscope.tasks.math_answers import (
    INVALID_ANSWER,
    exact_match,
    get_unnormalized_answer,
    reference_answer,
)
from alignscope.tasks.registry import Result, Task, TaskContext, TaskOutcome, leaderboard_task, register_task
from alignscope.tasks.scorers.base import ScorerSetup

QUESTION = "Problem:\n{problem}\n\nSolution:"
TARGET_DELIMITER = " "
FEWSHOT_DELIMITER = "\n\n"
STOP = ("Problem:",)
MAX_NEW_TOKENS = 1024

# lm-eval's tasks/leaderboard/math/utils.py ``list_fewshot_samples`` (problem, solution), verbatim.
FEWSHOT: tuple[tuple[str, str], ...] = (
    (
        "Find the domain of the expression  $\\frac{\\sqrt{x-2}}{\\sqrt{5-x}}$.}",
        "The expressions inside each square root must be non-negative. Therefore, $x-2 \\ge 0$, so $x\\ge2$, "
        "and $5 - x \\ge 0$, so $x \\le 5$. Also, the denominator cannot be equal to zero, so $5-x>0$, which "
        "gives $x<5$. Therefore, the domain of the expression is $\\boxed{[2,5)}$.\nFinal Answer: The final "
        "answer is $[2,5)$. I hope it is correct.",
    ),
    (
        "If $\\det \\mathbf{A} = 2$ and $\\det \\mathbf{B} = 12,$ then find "
        "$\\det (\\mathbf{A} \\mathbf{B}).$",
        "We have that $\\det (\\mathbf{A} \\mathbf{B}) = (\\det \\mathbf{A})(\\det \\mathbf{B}) = (2)(12) = "
        "\\boxed{24}.$\nFinal Answer: The final answer is $24$. I hope it is correct.",
    ),
    (
        "Terrell usually lifts two 20-pound weights 12 times. If he uses two 15-pound weights instead, how "
        "many times must Terrell lift them in order to lift the same total weight?",
        "If Terrell lifts two 20-pound weights 12 times, he lifts a total of $2\\cdot 12\\cdot20=480$ pounds "
        "of weight.  If he lifts two 15-pound weights instead for $n$ times, he will lift a total of "
        "$2\\cdot15\\cdot n=30n$ pounds of weight.  Equating this to 480 pounds, we can solve for $n$:\n"
        "\\begin{align*}\n30n&=480\\\n\\Rightarrow\\qquad n&=480/30=\\boxed{16}\n\\end{align*}\n"
        "Final Answer: The final answer is $16$. I hope it is correct.",
    ),
    (
        "If the system of equations\n\n\\begin{align*}\n6x-4y&=a,\\\n6y-9x &=b.\n\\end{align*}has a solution "
        "$(x, y)$ where $x$ and $y$ are both nonzero,\nfind $\\frac{a}{b},$ assuming $b$ is nonzero.",
        "If we multiply the first equation by $-\\frac{3}{2}$, we obtain\n\n$$6y-9x=-\\frac{3}{2}a.$$Since "
        "we also know that $6y-9x=b$, we have\n\n$$-\\frac{3}{2}a=b\\Rightarrow"
        "\\frac{a}{b}=\\boxed{-\\frac{2}{3}}.$$\nFinal Answer: The final answer is $-\\frac{2}{3}$. "
        "I hope it is correct.",
    ),
)


def math_context(problem: str) -> str:
    """The 4-shot raw-text prompt of ``problem``."""
    shots = "".join(QUESTION.format(problem=p) + TARGET_DELIMITER + s + FEWSHOT_DELIMITER for p, s in FEWSHOT)
    return shots + QUESTION.format(problem=problem)


@dataclass(frozen=True, kw_only=True)
class MathHardTask(Task):
    """MATH Level 5: a worked solution generated after lm-eval's 4-shot prompt, scored by exact match of its
    final answer with the reference's (``value``: 1 or 0)."""

    kind: ClassVar[str] = "generation"
    metric: str = "exact_match"

    def sampling(self, ctx: TaskContext) -> SamplingParams:
        """Greedy, stopping at "Problem:"; at most 1,024 new tokens (fewer when the run caps them)."""
        return SamplingParams(
            max_tokens=min(MAX_NEW_TOKENS, ctx.max_tokens or MAX_NEW_TOKENS), stop=STOP, seed=ctx.seed
        )

    def template(self) -> str:
        """Question format, delimiters, shots and decoding."""
        shots = "|".join(f"{p}|{s}" for p, s in FEWSHOT)
        return f"{QUESTION}|{TARGET_DELIMITER!r}|{FEWSHOT_DELIMITER!r}|{STOP}|{MAX_NEW_TOKENS}|{shots}"

    def evaluate(self, ctx: TaskContext, items: Sequence[Item]) -> TaskOutcome:
        """Generate each item's solution from the raw-text prompt and score it; a backend that cannot continue
        raw text fails every item with the reason."""
        if not ctx.backend.supports_text_prompt:
            reason = (
                f"{self.name} continues a raw-text few-shot prompt (lm-eval's protocol); backend "
                f"'{ctx.spec.backend}' only answers chat messages: use an hf or vllm model"
            )
            return TaskOutcome(failures={item.id: reason for item in items})
        sampling = self.sampling(ctx)
        prompts = [math_context(item.target["problem"]) for item in items]
        gens = generate_items(
            ctx.engine, ctx.backend, ctx.spec, items, sampling, f"{self.name} {ctx.spec.name}", prompts
        )
        out = TaskOutcome(generations={self.name: gens})
        ok = [(item, g) for item, g in zip(items, gens, strict=True) if g.error is None]
        out.failures = {g.item_id: g.error for g in gens if g.error is not None}
        out.results = self.score_texts([item for item, _ in ok], [g.text for _, g in ok])
        out.scores = [
            self.make_score(ctx, item, result, sampling)
            for (item, _), result in zip(ok, out.results, strict=True)
        ]
        return out

    @property
    def scores_text(self) -> bool:
        """Existing solutions can be scored."""
        return True

    def score_texts(
        self, items: Sequence[Item], responses: Sequence[str], setup: ScorerSetup | None = None
    ) -> list[Result]:
        """Exact match of each response's final answer (no scorer options)."""
        results = []
        for item, response in zip(items, responses, strict=True):
            match = exact_match(response, reference_answer(item.target["solution"]))
            results.append(
                {
                    "item_id": item.id,
                    "value": float(match),
                    "exact_match": float(match),
                    "answer": get_unnormalized_answer(response),
                    "subject": item.category,
                    "response": response,
                }
            )
        return results

    def aggregate(self, results: Sequence[Result]) -> Result:
        """Exact match overall and per subject (lm-eval's 7 ``leaderboard_math_*_hard`` tasks), and how many
        answers had no final-answer sentence."""
        by_subject: dict[str, list[float]] = defaultdict(list)
        for r in results:
            by_subject[r["subject"]].append(r["value"])
        value = float(np.mean([r["value"] for r in results])) if results else None
        return {
            "value": value,
            "n": len(results),
            "exact_match": value,
            "n_no_final_answer": sum(1 for r in results if r["answer"] == INVALID_ANSWER),
            "by_subject": {k: {"exact_match": float(np.mean(v)), "n": len(v)} for k, v in by_subject.items()},
        }


MATH_HARD = register_task(
    leaderboard_task(
        MathHardTask,
        "math-hard",
        "MATH Level 5, 4-shot Minerva prompt, greedy generation (lm-eval `leaderboard_math_hard`): exact "
        "match of the final answer",
    )
)
