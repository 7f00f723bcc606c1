"""Judges (docs/ARCHITECTURE.md, judges layer): pairwise with position swap, pointwise 1-10, multi-criteria,
additive rubric, meta-judge and property annotator; verdicts parsed from text or read from next-token
probabilities; templates versioned by hash. New judge modes and verdict parsers register here
(``register_judge_mode`` / ``@judge_mode``, ``register_verdict_parser`` / ``@verdict_parser``)."""

from alignscope.judges.calls import JudgeCall, run_calls
from alignscope.judges.config import JudgeSpec
from alignscope.judges.modes import (
    JudgeMode,
    get_judge_mode,
    judge_mode,
    judge_mode_names,
    judge_modes,
    register_judge_mode,
)
from alignscope.judges.parsing import (
    Parsed,
    VerdictParseError,
    get_verdict_parser,
    register_verdict_parser,
    verdict_parser,
)
from alignscope.judges.run import JudgeInputs, JudgeJob, run_judge, summarise
from alignscope.judges.templates import JudgeTemplate, list_templates, load_template

__all__ = [
    "JudgeCall",
    "JudgeInputs",
    "JudgeJob",
    "JudgeMode",
    "JudgeSpec",
    "JudgeTemplate",
    "Parsed",
    "VerdictParseError",
    "get_judge_mode",
    "get_verdict_parser",
    "judge_mode",
    "judge_mode_names",
    "judge_modes",
    "list_templates",
    "load_template",
    "register_judge_mode",
    "register_verdict_parser",
    "run_calls",
    "run_judge",
    "summarise",
    "verdict_parser",
]
