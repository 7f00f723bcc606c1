"""alignscope's MATH answer rules give what lm-evaluation-harness's ``leaderboard_math_hard`` utils give,
on the reference solutions of MATH Level 5 and on many answer strings built from them."""

from __future__ import annotations

import random
from types import ModuleType

import pytest

from alignscope.data import load_items
from alignscope.tasks import math_answers as mine
from alignscope.testing.lm_eval_leaderboard import math_utils


@pytest.fixture(scope="module")
def lm_eval_utils() -> ModuleType:
    utils = math_utils()
    utils.is_equiv("1", "1")  # sympy's LaTeX grammar loads outside a comparison's one-second limit
    return utils


@pytest.fixture(scope="module")
def solutions() -> list[str]:
    return [it.target["solution"] for it in load_items("math-hard")]


def _variants(answer: str, rng: random.Random) -> list[str]:
    """Ways a model might write ``answer``: units, text, dollars, thousands commas, an equation, shorthand."""
    return [
        answer,
        f"x = {answer}",
        f"\\text{{{answer}}}",
        f"{answer} \\text{{ degrees}}",
        f"\\${answer}",
        f"{answer} dollars",
        f"\\boxed{{{answer}}}",
        answer.replace("\\frac{", "\\frac", 1).replace("}{", "", 1),
        answer.replace("\\sqrt{", "\\sqrt", 1),
        f"{rng.randint(1, 99)},{rng.randint(100, 999)}",
        f"{answer}^\\circ",
        f"a {answer}",
        f"{answer} \\mbox{{ inches}}",
    ]


def test_reference_answers_match_lm_eval(lm_eval_utils: ModuleType, solutions: list[str]) -> None:
    assert len(solutions) == 1324
    for solution in solutions:
        boxed = lm_eval_utils.last_boxed_only_string(solution)
        assert mine.last_boxed_only_string(solution) == boxed
        assert mine.remove_boxed(boxed) == lm_eval_utils.remove_boxed(boxed)
        assert mine.reference_answer(solution) == lm_eval_utils.remove_boxed(boxed)


def test_boxed_edge_cases_match_lm_eval(lm_eval_utils: ModuleType) -> None:
    cases = [
        "no box",
        "\\boxed 5$ and more",
        "\\fbox{7}",
        "\\boxed{\\frac{1}{2}",
        "\\boxed{a}{b}",
        "first \\boxed{1} then \\boxed{{2}}",
        "\\boxed {3}",
    ]
    for text in cases:
        boxed = lm_eval_utils.last_boxed_only_string(text)
        assert mine.last_boxed_only_string(text) == boxed, text
        assert mine.remove_boxed(boxed) == lm_eval_utils.remove_boxed(boxed), text


def test_normalisation_matches_lm_eval_on_many_strings(
    lm_eval_utils: ModuleType, solutions: list[str]
) -> None:
    rng = random.Random(0)
    answers = [mine.reference_answer(s) for s in solutions]
    strings = [v for a in answers for v in _variants(a, rng)]
    assert len(strings) > 15000
    changed = 0
    for text in strings:
        expected = lm_eval_utils.normalize_final_answer(text)
        assert mine.normalize_final_answer(text) == expected, text
        changed += expected != text
    assert changed > len(strings) // 2  # the rules do act on these strings


def test_final_answer_extraction_matches_lm_eval(lm_eval_utils: ModuleType, solutions: list[str]) -> None:
    rng = random.Random(1)
    texts = []
    for solution in rng.sample(solutions, 300):
        answer = mine.reference_answer(solution)
        texts += [
            f"{solution}\nFinal Answer: The final answer is ${answer}$. I hope it is correct.",
            f"{solution}\nFinal Answer: The final answer is ${answer}$.",
            f"Final Answer: The final answer is {answer}",
            solution,
            f"The answer is {answer}. I hope it is correct.\n\nProblem:",
        ]
    for text in texts:
        assert mine.get_unnormalized_answer(text) == lm_eval_utils.get_unnormalized_answer(text), text


def test_exact_match_matches_lm_eval_process_result(lm_eval_utils: ModuleType, solutions: list[str]) -> None:
    rng = random.Random(2)
    cases = []
    for solution in rng.sample(solutions, 40):
        answer = mine.reference_answer(solution)
        other = mine.reference_answer(rng.choice(solutions))
        for written in (answer, f"x={answer}", other, f"{answer} units", "0.5", "\\frac12"):
            cases.append(
                (f"So.\nFinal Answer: The final answer is ${written}$. I hope it is correct.", solution)
            )
    cases += [
        ("Final Answer: The final answer is $0.5$. I hope it is correct.", "so $\\boxed{\\frac{1}{2}}$"),
        ("Final Answer: The final answer is $2\\sqrt{2}$. I hope it is correct.", "$\\boxed{\\sqrt{8}}$"),
        ("no final answer here", "$\\boxed{3}$"),
    ]
    outcomes = []
    for response, solution in cases:
        doc = {"answer": lm_eval_utils.remove_boxed(lm_eval_utils.last_boxed_only_string(solution))}
        expected = bool(lm_eval_utils.process_result_v1(doc, response))
        assert mine.exact_match(response, mine.reference_answer(solution)) == expected, (response, solution)
        outcomes.append(expected)
    assert outcomes[-3:] == [True, True, False]  # equal by sympy, not as strings; no final answer
    assert 0 < sum(outcomes) < len(outcomes)


def test_is_equiv_matches_lm_eval(lm_eval_utils: ModuleType) -> None:
    pairs = [
        ("0.5", "\\frac{1}{2}"),
        ("2\\sqrt{2}", "\\sqrt{8}"),
        ("3", "4"),
        ("x+1", "1+x"),
        ("\\frac{2}{3}", "0.667"),
        ("[2,5)", "[2,5)"),
        ("\\text{(A)}", "A"),
        ("", "1"),
        ("\\pi", "3.14159"),
        ("10^{2}", "100"),
    ]
    for a, b in pairs:
        assert mine.is_equiv(a, b) == bool(lm_eval_utils.is_equiv(a, b)), (a, b)
    assert mine.is_equiv("0.5", "\\frac{1}{2}") and not mine.is_equiv("3", "4")
