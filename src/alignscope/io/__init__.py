"""Eval logs that other tools wrote, read into alignscope records.

``read_inspect_log(path)`` reads an Inspect AI log (``.eval`` archive or ``.json``); ``read_lm_eval_samples``
reads lm-evaluation-harness's ``--log_samples`` JSONL. Both return an :class:`ImportedLog`: the prompts as
Items, the model's answers as Generations and the tool's own per-sample scores as Scores, so that answers can
be re-scored (``bench score``), judged (``judge``) and correlated (``correlate``) like alignscope's own.
``read_log("inspect:PATH" | "lm-eval:PATH")`` picks the reader by prefix (the CLI's ``--from``).
"""

from __future__ import annotations

from alignscope.io.imported import ImportedLog, is_log_spec, metrics_table, read_log, read_logs
from alignscope.io.inspect_log import read_inspect_log
from alignscope.io.lm_eval_samples import read_lm_eval_samples

__all__ = [
    "ImportedLog",
    "is_log_spec",
    "metrics_table",
    "read_inspect_log",
    "read_lm_eval_samples",
    "read_log",
    "read_logs",
]
