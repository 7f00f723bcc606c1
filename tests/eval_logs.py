"""Eval logs written by the real tools on tiny runs, for the import, API and command tests: Inspect AI (its
mock model with fixed answers) and lm-evaluation-harness (its dummy model, which answers "lol", on local
tasks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

QUESTIONS = [
    {"id": "q1", "question": "What is 2+2?", "answer": "4", "choices": ["3", "4"], "label": 1},
    {
        "id": "q2",
        "question": "Capital of France?",
        "answer": "Paris",
        "choices": ["Paris", "Rome"],
        "label": 0,
    },
    {
        "id": "q3",
        "question": "Colour of the sky?",
        "answer": "blue",
        "choices": ["blue", "green"],
        "label": 0,
    },
]
INSPECT_ANSWERS = ["4", "London", "It is blue"]


def inspect_run(
    folder: Path,
    samples: Sequence[Mapping[str, Any]],
    answers: Mapping[str, Sequence[str]],
    *,
    name: str = "tiny_qa",
    system: str | None = "Answer briefly.",
    fmt: str = "eval",
) -> dict[str, Any]:
    """One Inspect run per mock model (``answers``: model name -> its fixed answers) of a task over
    ``samples`` (``id``, ``input``, ``target``) scored by Inspect's ``match`` and ``includes``; model name
    -> Inspect's EvalLog, written under ``folder``."""
    from inspect_ai import Task, eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import ModelOutput, ModelUsage, get_model
    from inspect_ai.scorer import includes, match
    from inspect_ai.solver import generate, system_message

    task = Task(
        name=name,
        dataset=[Sample(input=s["input"], target=s["target"], id=s["id"]) for s in samples],
        solver=[*([system_message(system)] if system else []), generate()],
        scorer=[match(location="any"), includes()],
    )
    logs = {}
    for model_name, texts in answers.items():
        outputs = []
        for text in texts:
            out = ModelOutput.from_content(model_name, text)
            out.usage = ModelUsage(input_tokens=5, output_tokens=1, total_tokens=6)  # no tokenizer download
            outputs.append(out)
        model = get_model(model_name, custom_outputs=outputs)
        [log] = eval(task, model=model, log_dir=str(folder), log_format=fmt, display="none")
        assert log.status == "success"
        logs[model_name] = log
    return logs


def qa_samples() -> list[dict[str, str]]:
    """The tiny questions as Inspect samples."""
    return [{"id": q["id"], "input": q["question"], "target": q["answer"]} for q in QUESTIONS]


@pytest.fixture(scope="session")
def inspect_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One Inspect run written as ``.eval`` and as ``.json``: paths and Inspect's own EvalLogs."""
    folder = tmp_path_factory.mktemp("inspect")
    logs = {}
    for fmt in ("eval", "json"):
        [log] = inspect_run(folder / fmt, qa_samples(), {"mockllm/model": INSPECT_ANSWERS}, fmt=fmt).values()
        logs[fmt] = (Path(log.location), log)
    return logs


def lm_eval_run(folder: Path, rows: Sequence[Mapping[str, Any]], tasks: Mapping[str, str]) -> Path:
    """lm-eval's ``--log_samples`` output folder of its dummy model on local tasks over ``rows`` (task name
    -> the YAML after its data lines)."""
    data = folder / "data.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    task_dir = folder / "tasks"
    task_dir.mkdir()
    common = f"dataset_path: json\ndataset_kwargs:\n  data_files:\n    test: {data}\ntest_split: test\n"
    for name, body in tasks.items():
        (task_dir / f"{name}.yaml").write_text(f"task: {name}\n" + common + body, encoding="utf-8")
    out = folder / "out"
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    subprocess.run(
        [sys.executable, "-m", "lm_eval", "--model", "dummy", "--tasks", ",".join(tasks),
         "--include_path", str(task_dir), "--log_samples", "--output_path", str(out)],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    return out


@pytest.fixture(scope="session")
def lm_eval_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lm-eval's ``--log_samples`` output folder for a generation and a multiple-choice task."""
    text = 'doc_to_text: "Q: {{question}}\\nA:"\n'
    tasks = {
        "tiny_gen": text + 'output_type: generate_until\ndoc_to_target: "{{answer}}"\n'
        'generation_kwargs:\n  until: ["\\n"]\n  max_gen_toks: 8\nmetric_list:\n  - metric: exact_match\n',
        "tiny_mc": text + 'output_type: multiple_choice\ndoc_to_choice: "{{choices}}"\n'
        "doc_to_target: label\nmetric_list:\n  - metric: acc\n",
    }
    return lm_eval_run(tmp_path_factory.mktemp("lm_eval"), QUESTIONS, tasks)
