"""Eval logs written by the real tools on tiny runs: Inspect AI (its mock model with fixed answers) and
lm-evaluation-harness (its dummy model, on two local tasks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from log_fixtures import INSPECT_ANSWERS, QUESTIONS


@pytest.fixture(scope="session")
def inspect_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One Inspect run written as ``.eval`` and as ``.json``: paths and Inspect's own EvalLogs."""
    from inspect_ai import Task, eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import ModelOutput, ModelUsage, get_model
    from inspect_ai.scorer import includes, match
    from inspect_ai.solver import generate, system_message

    def output(text: str) -> ModelOutput:
        out = ModelOutput.from_content("mockllm/model", text)
        out.usage = ModelUsage(input_tokens=5, output_tokens=1, total_tokens=6)  # no tokenizer download
        return out

    folder = tmp_path_factory.mktemp("inspect")
    task = Task(
        name="tiny_qa",
        dataset=[Sample(input=q["question"], target=q["answer"], id=q["id"]) for q in QUESTIONS],
        solver=[system_message("Answer briefly."), generate()],
        scorer=[match(location="any"), includes()],
    )
    logs = {}
    for fmt in ("eval", "json"):
        model = get_model("mockllm/model", custom_outputs=[output(t) for t in INSPECT_ANSWERS])
        [log] = eval(task, model=model, log_dir=str(folder / fmt), log_format=fmt, display="none")
        assert log.status == "success"
        logs[fmt] = (Path(log.location), log)
    return logs


@pytest.fixture(scope="session")
def lm_eval_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lm-eval's ``--log_samples`` output folder for a generation and a multiple-choice task."""
    folder = tmp_path_factory.mktemp("lm_eval")
    data = folder / "data.jsonl"
    data.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    tasks = folder / "tasks"
    tasks.mkdir()
    common = (
        f"dataset_path: json\ndataset_kwargs:\n  data_files:\n    test: {data}\ntest_split: test\n"
        'doc_to_text: "Q: {{question}}\\nA:"\n'
    )
    (tasks / "tiny_gen.yaml").write_text(
        "task: tiny_gen\n" + common + 'output_type: generate_until\ndoc_to_target: "{{answer}}"\n'
        'generation_kwargs:\n  until: ["\\n"]\n  max_gen_toks: 8\nmetric_list:\n  - metric: exact_match\n',
        encoding="utf-8",
    )
    (tasks / "tiny_mc.yaml").write_text(
        "task: tiny_mc\n" + common + 'output_type: multiple_choice\ndoc_to_choice: "{{choices}}"\n'
        "doc_to_target: label\nmetric_list:\n  - metric: acc\n",
        encoding="utf-8",
    )
    out = folder / "out"
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    subprocess.run(
        [sys.executable, "-m", "lm_eval", "--model", "dummy", "--tasks", "tiny_gen,tiny_mc",
         "--include_path", str(tasks), "--log_samples", "--output_path", str(out)],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    return out
