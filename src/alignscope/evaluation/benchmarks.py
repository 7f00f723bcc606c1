"""The judged benchmarks ``alignscope evaluate`` runs, each with its own data, baseline, judge template,
verdict, scale and the judge its published numbers came from (:data:`BENCHMARKS`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BenchmarkName = Literal["alpaca_eval", "arena_hard", "mt_bench", "sos"]
ALL_BENCHMARKS: tuple[BenchmarkName, ...] = ("alpaca_eval", "arena_hard", "mt_bench", "sos")
SOS = "sos"


@dataclass(frozen=True)
class JudgedBenchmark:
    """A judged benchmark: ``dataset`` answered by the model, judged in ``mode`` with ``template``
    (verdict from ``verdict``) against the bundled answers of ``baseline`` (pair modes); ``official_judge``
    judged the published numbers; ``protocol`` says how the score is computed, ``deviations`` where
    alignscope differs."""

    name: BenchmarkName
    title: str
    dataset: str
    mode: Literal["pairwise", "pointwise"]
    template: str
    verdict: Literal["text", "logprob"]
    baseline: str | None
    score: str
    official_judge: str
    protocol: str
    deviations: tuple[str, ...] = ()


ALPACA_EVAL = JudgedBenchmark(
    name="alpaca_eval",
    title="AlpacaEval 2",
    dataset="alpaca_eval",
    mode="pairwise",
    template="alpaca-eval",
    verdict="logprob",
    baseline="gpt4_1106_preview",
    score="LC win rate",
    official_judge="gpt-4-1106-preview (weighted_alpaca_eval_gpt4_turbo)",
    protocol=(
        "pairwise against gpt4_1106_preview's answers with AlpacaEval 2's weighted_alpaca_eval_gpt4_turbo "
        "prompt; the preference is P(m or M) from the judge's next-token probabilities; win rate (ties "
        "half) and length-controlled win rate from the judge-results service"
    ),
    deviations=(
        "each pair is judged in both orders and the two preferences averaged (AlpacaEval judges one "
        "randomly chosen order)",
        "where neither m nor M is among the judge's 5 most probable first tokens, the preference comes from "
        "the log-likelihoods of m and M (AlpacaEval leaves that verdict out)",
    ),
)
ARENA_HARD = JudgedBenchmark(
    name="arena_hard",
    title="Arena-Hard v0.1",
    dataset="arena-hard-v0.1",
    mode="pairwise",
    template="arena-hard",
    verdict="text",
    baseline="gpt-4-0314",
    score="BT win rate vs gpt-4-0314",
    official_judge="gpt-4-1106-preview",
    protocol=(
        "pairwise against gpt-4-0314's answers on Arena-Hard's 5-point scale ([[A>>B]] .. [[B>>A]]) in both "
        "orders, a strong verdict counted three times; Bradley-Terry ratings (gpt-4-0314 at 1000) with "
        "bootstrap CIs over prompts, and the win rate against gpt-4-0314 they predict, with and without "
        "style control"
    ),
)
MT_BENCH = JudgedBenchmark(
    name="mt_bench",
    title="MT-Bench",
    dataset="mt_bench",
    mode="pointwise",
    template="mt-bench-single",
    verdict="text",
    baseline=None,
    score="mean rating 1-10",
    official_judge="gpt-4",
    protocol=(
        "single-answer grading 1-10 of both turns with FastChat's prompts, the GPT-4 reference answer given "
        "for math, reasoning and coding; the mean over every rated turn (unparsed ratings left out, as "
        "FastChat does), with a bootstrap CI over questions"
    ),
)
BENCHMARKS: dict[str, JudgedBenchmark] = {b.name: b for b in (ALPACA_EVAL, ARENA_HARD, MT_BENCH)}


def comparability(benchmark: JudgedBenchmark, judge_model: str) -> str:
    """One line on how far numbers judged by ``judge_model`` compare with the benchmark's published ones."""
    official = benchmark.official_judge.split(" ", 1)[0]
    if judge_model == official:
        return (
            f"{benchmark.title}: judged by {judge_model}, the judge of the published numbers; comparable "
            "with them as far as the judge's version and the deviations listed allow"
        )
    return (
        f"{benchmark.title}: judged by {judge_model}, not {benchmark.official_judge} as the published "
        f"numbers are; the ranking of the models evaluated here is the judge's, but the values are not "
        "comparable with published ones (another judge has its own position, length and self-preference "
        "biases and its own agreement with humans, and the baseline's score is defined by its judge)"
    )
