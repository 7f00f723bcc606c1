"""Eval logs that other tools wrote, read into alignscope records.

``read_inspect_log(path)`` reads an Inspect AI log (``.eval`` archive or ``.json``); ``read_lm_eval_samples``
reads lm-evaluation-harness's ``--log_samples`` JSONL. Both return an :class:`ImportedLog`: the prompts as
Items, the model's answers as Generations and the tool's own per-sample scores as Scores, so that answers can
be re-scored (``bench score``), judged (``judge``) and correlated (``correlate``) like alignscope's own.
``read_log("inspect:PATH" | "lm-eval:PATH")`` picks the reader by prefix (a file, or every log in a folder);
``read_logs`` reads several such specs (the CLI's repeatable ``--from``, the API's ``from_logs=``);
``check_log_specs`` / ``is_log_spec`` tell such specs from file paths; ``metrics_table(logs)`` is the logs'
per-model metrics as a table (one column per ``TASK/METRIC``), as ``correlate`` reads them.

Where the commands and the API functions take them:

- ``alignscope.bench_score(task, from_logs=[...])`` / ``bench score TASK --from SPEC``: each log's answers
  scored by an alignscope task, matched to its items by prompt, else by the log's sample id;
- ``alignscope.judge(..., from_logs=[...])`` / ``judge --from SPEC`` (or ``-a SPEC``): the logs' Items and
  Generations judged, each log's model the judged model;
- ``alignscope.correlate(from_logs=[...])`` / ``correlate [TABLE] --from SPEC``: per-model scores from the
  logs' metrics, joined with TABLE's columns by model.
"""

from __future__ import annotations

from alignscope.io.imported import (
    ImportedLog,
    check_log_specs,
    is_log_spec,
    metrics_table,
    read_log,
    read_logs,
)
from alignscope.io.inspect_log import read_inspect_log
from alignscope.io.lm_eval_samples import read_lm_eval_samples

__all__ = [
    "ImportedLog",
    "check_log_specs",
    "is_log_spec",
    "metrics_table",
    "read_inspect_log",
    "read_lm_eval_samples",
    "read_log",
    "read_logs",
]
