"""The ``--from`` option of the commands that read other tools' eval logs (``bench score``, ``judge``,
``correlate``; read by ``alignscope.io``)."""

from __future__ import annotations

from typing import Any

import typer


def from_logs_option(what: str) -> Any:
    """A repeatable ``--from inspect:PATH | lm-eval:PATH`` option; ``what`` says what the command takes."""
    return typer.Option(
        "--from",
        help=f"{what} other tools' eval logs: inspect:PATH (an Inspect AI .eval/.json log or a folder of "
        "them) or lm-eval:PATH (an lm-eval --log_samples file or output folder); repeatable.",
    )
