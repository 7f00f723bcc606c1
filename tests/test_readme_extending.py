"""The README's "Extending alignscope" snippets run as written and register what they say: the scorer scores,
the task scores answers with it, the judge mode is accepted by a judge config, the backend by a model spec.
They run in a fresh interpreter, so the suite's registries keep only what ships."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
CHECKS = """
from alignscope.config import ModelSpec
from alignscope.judges.config import JudgeSpec
from alignscope.records import Item, Message
from alignscope.tasks.registry import get_task
from alignscope.tasks.scorers import get_scorer

items = [Item(id=str(i), dataset="d", messages=[Message(role="user", content="hi")]) for i in range(2)]
scorer = get_scorer("short-answer", max_words=2)
results = [scorer.score(items[0], "one two"), scorer.score(items[1], "one two three")]
assert [r["value"] for r in results] == [1.0, 0.0] and scorer.aggregate(results) == {"value": 0.5, "n": 2}
task = get_task("my-brevity")
scored = task.score_texts(items, ["short", " ".join(["word"] * 51)])
assert [r["value"] for r in scored] == [1.0, 0.0] and task.aggregate(scored)["value"] == 0.5
judge = JudgeSpec(model=ModelSpec.parse("hf:smollm2-135m"), mode="helpfulness")
assert judge.template_ref == "/path/to/helpfulness.j2"
spec = ModelSpec.parse("mine:my-model@http://127.0.0.1:9/v1")
assert (spec.backend, spec.model) == ("mine", "my-model")
print("ok")
"""


def test_the_extension_snippets_register_a_scorer_task_judge_mode_and_backend() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Extending alignscope") :]
    section = section[: section.index("\n## ", 1)]
    snippets = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(snippets) == 4
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(snippets) + CHECKS], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")
