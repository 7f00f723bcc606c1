"""Eval logs written by the real tools on tiny runs (tests/eval_logs.py)."""

from eval_logs import inspect_logs, lm_eval_output  # noqa: F401
