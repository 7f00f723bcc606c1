"""Every function of the Python API carries an example in its docstring, and every example runs."""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path

import pytest

import alignscope

NAMESPACES = {"train": ("sft", "dpo", "rm", "rl", "meta_rewarding"), "dissect": ("fit", "compare")}
FUNCTIONS = [name for name in alignscope.__all__ if name not in ("__version__", *NAMESPACES)] + [
    f"{space}.{name}" for space, names in NAMESPACES.items() for name in names
]
# The Meta-Rewarding loop needs judge templates and several stages; its example shows the config model and
# tests/training/test_meta_rewarding.py runs the loop itself.
NOT_CALLED = {"train.meta_rewarding"}
_EXAMPLE = re.compile(r"^Example.*?::\n\n((?:[ \t]+\S[^\n]*\n|[ \t]*\n)+)", re.MULTILINE | re.DOTALL)


def example_of(name: str) -> str:
    """The code block after ``Example...::`` in the docstring of ``alignscope.NAME``."""
    target = alignscope
    for part in name.split("."):
        target = getattr(target, part)
    doc = inspect.getdoc(target) or ""
    found = _EXAMPLE.search(doc + "\n")
    assert found, f"alignscope.{name} has no Example:: block in its docstring"
    return textwrap.dedent(found.group(1))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_api_example_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hf_smollm2) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALIGNSCOPE_WORKSPACE", str(tmp_path / "ws"))
    code = example_of(name)
    if name not in NOT_CALLED:
        assert f"alignscope.{name}(" in code, f"the example of alignscope.{name} does not call it"
    exec(compile(code, f"<example of alignscope.{name}>", "exec"), {"alignscope": alignscope})
