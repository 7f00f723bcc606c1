"""MATH answer extraction, normalisation and equivalence exactly as the Open LLM Leaderboard v2 scores
``leaderboard_math_hard``: the Minerva rules (Lewkowycz et al. 2022, appendix D).

Reproduced from lm-evaluation-harness (EleutherAI, MIT licence), ``lm_eval/tasks/leaderboard/math/utils.py``
(``last_boxed_only_string``, ``remove_boxed``, ``get_unnormalized_answer``, ``normalize_final_answer``,
``is_equiv``, ``process_result_v1``), itself taken from wellecks/lm-evaluation-harness's ``minerva_math.py``.
The logic and the lists are kept as they are there, quirks included, so that a score here is the score
lm-eval gives; ``tests/tasks/test_math_answers.py`` checks these functions against lm-eval's own on many
strings. This is the metric the leaderboard and SOS-Bench report as ``exact_match`` (lm-eval >= 0.4.8 names
it ``exact_match_original`` and reports a ``math_verify`` match as ``exact_match``).

``is_equiv`` needs sympy's LaTeX parser, which needs ``antlr4-python3-runtime`` 4.11; it loads that parser
once before the first comparison, so that loading it does not count against the one-second limit lm-eval
gives each comparison.
"""

from __future__ import annotations

import functools
import logging
import re
import signal
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

INVALID_ANSWER = "[invalidanswer]"
logger = logging.getLogger(__name__)


def last_boxed_only_string(string: str) -> str:
    """The last ``\\boxed{...}`` (or ``\\fbox{...}``, or ``\\boxed X`` up to a ``$``) of ``string``, braces
    balanced; ``[invalidanswer]`` when there is none."""
    idx = string.rfind("\\boxed")
    if "\\boxed " in string:
        return "\\boxed " + string.split("\\boxed ")[-1].split("$")[0]
    if idx < 0:
        idx = string.rfind("\\fbox")
        if idx < 0:
            return INVALID_ANSWER
    i = idx
    right_brace_idx = None
    num_left_braces_open = 0
    while i < len(string):
        if string[i] == "{":
            num_left_braces_open += 1
        if string[i] == "}":
            num_left_braces_open -= 1
            if num_left_braces_open == 0:
                right_brace_idx = i
                break
        i += 1
    if right_brace_idx is None:
        return INVALID_ANSWER
    return string[idx : right_brace_idx + 1]


def remove_boxed(s: str) -> str:
    """The content of ``\\boxed{...}`` / ``\\boxed ...``; ``[invalidanswer]`` for anything else."""
    if "\\boxed " in s:
        left = "\\boxed "
        return s[len(left) :] if s[: len(left)] == left else INVALID_ANSWER
    left = "\\boxed{"
    if s[: len(left)] != left or s[-1] != "}":
        return INVALID_ANSWER
    return s[len(left) : -1]


def reference_answer(solution: str) -> str:
    """A MATH solution's final answer: the content of its last box (lm-eval's ``process_docs``)."""
    return remove_boxed(last_boxed_only_string(solution))


def get_unnormalized_answer(text: str) -> str:
    """What follows "Final Answer: The final answer is" up to ". I hope it is correct." in a generated
    solution (the sentence the 4 shots end with); ``[invalidanswer]`` when absent."""
    text += "I hope it is correct."
    match = re.search(r"Final Answer: The final answer is(.*?). I hope it is correct.", text)
    return match.group(1).strip() if match else INVALID_ANSWER


SUBSTITUTIONS = [
    ("an ", ""),
    ("a ", ""),
    (".$", "$"),
    ("\\$", ""),
    (r"\ ", ""),
    (" ", ""),
    ("mbox", "text"),
    (",\\text{and}", ","),
    ("\\text{and}", ","),
    ("\\text{m}", "\\text{}"),
]
REMOVED_EXPRESSIONS = [
    "square",
    "ways",
    "integers",
    "dollars",
    "mph",
    "inches",
    "ft",
    "hours",
    "km",
    "units",
    "\\ldots",
    "sue",
    "points",
    "feet",
    "minutes",
    "digits",
    "cents",
    "degrees",
    "cm",
    "gm",
    "pounds",
    "meters",
    "meals",
    "edges",
    "students",
    "childrentickets",
    "multiples",
    "\\text{s}",
    "\\text{.}",
    "\\text{\ns}",
    "\\text{}^2",
    "\\text{}^3",
    "\\text{\n}",
    "\\text{}",
    r"\mathrm{th}",
    r"^\circ",
    r"^{\circ}",
    r"\;",
    r",\!",
    "{,}",
    '"',
    "\\dots",
]


def normalize_final_answer(final_answer: str) -> str:
    """Normalise a final answer (appendix D of Lewkowycz et al. 2022, character for character): the part
    after the last ``=``, units and spacing removed, the inside of ``$..$``/``\\text``/``\\boxed`` kept,
    shorthand ``\\frac``/``\\sqrt`` expanded, thousands separators dropped."""
    final_answer = final_answer.split("=")[-1]
    for before, after in SUBSTITUTIONS:
        final_answer = final_answer.replace(before, after)
    for expr in REMOVED_EXPRESSIONS:
        final_answer = final_answer.replace(expr, "")
    final_answer = re.sub(r"(.*?)(\$)(.*?)(\$)(.*)", "$\\3$", final_answer)
    final_answer = re.sub(r"(\\text\{)(.*?)(\})", "\\2", final_answer)
    final_answer = re.sub(r"(\\textbf\{)(.*?)(\})", "\\2", final_answer)
    final_answer = re.sub(r"(\\overline\{)(.*?)(\})", "\\2", final_answer)
    final_answer = re.sub(r"(\\boxed\{)(.*)(\})", "\\2", final_answer)
    final_answer = re.sub(r"(frac)([^{])(.)", "frac{\\2}{\\3}", final_answer)
    final_answer = re.sub(r"(sqrt)([^{])", "sqrt{\\2}", final_answer)
    final_answer = final_answer.replace("$", "")
    if final_answer.replace(",", "").isdigit():
        final_answer = final_answer.replace(",", "")
    return final_answer


class _Timeout:
    """SIGALRM after ``seconds`` inside the block (as lm-eval; main thread only: elsewhere ``signal`` raises
    ValueError, which ``is_equiv`` counts as not equivalent, as lm-eval does)."""

    def __init__(self, seconds: int = 1) -> None:
        self.seconds = seconds

    def _raise(self, signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("Timeout")

    def __enter__(self) -> None:
        signal.signal(signal.SIGALRM, self._raise)
        signal.alarm(self.seconds)

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        signal.alarm(0)


@functools.cache
def _latex_parser() -> Callable[[str], Any]:
    """sympy's LaTeX parser, its grammar loaded and sympy's simplifier run once: a process's first comparison
    would otherwise spend part of its one second loading them (ImportError without the antlr4 runtime)."""
    import sympy
    from sympy.parsing.latex import parse_latex

    sympy.simplify(parse_latex("\\frac{1}{2}") - parse_latex("0.5"))
    return parse_latex


def is_equiv(x1: str, x2: str) -> bool:
    """Whether two normalised LaTeX answers are equal by sympy (their difference simplifies to 0), within one
    second; unparsable or failing comparisons are not equivalent. No LaTeX parser: ImportError."""
    import sympy
    from sympy.parsing.latex.errors import LaTeXParsingError

    parse_latex = _latex_parser()
    try:
        with _Timeout(seconds=1):
            try:
                parsed_x1 = parse_latex(x1)
                parsed_x2 = parse_latex(x2)
            except (LaTeXParsingError, sympy.SympifyError, TypeError):
                return False
            try:
                diff = parsed_x1 - parsed_x2
            except TypeError:
                return False
            try:
                return bool(sympy.simplify(diff) == 0)
            except ValueError:
                return False
    except TimeoutError:
        return False
    except ImportError:
        raise
    except Exception as exc:  # noqa: BLE001 - lm-eval counts any failure as "not equivalent"
        logger.debug("failed comparing %s and %s: %s", x1, x2, exc)
        return False


def exact_match(response: str, reference: str) -> bool:
    """lm-eval's ``process_result_v1``: the response's final answer, normalised, equals the normalised
    reference answer as a string or by :func:`is_equiv`; an answer without the final-answer sentence fails."""
    answer = normalize_final_answer(get_unnormalized_answer(response))
    gold = normalize_final_answer(reference)
    if answer == INVALID_ANSWER:
        return False
    return answer.strip() == gold.strip() or is_equiv(answer, gold)
