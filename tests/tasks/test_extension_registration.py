"""Registration through the public API alone: a throwaway task, scorer and backend in a module that only an
``alignscope.plugins`` entry point names are found, run by ``alignscope bench`` and looked up by name; names
taken twice are refused; every task module of ``alignscope.tasks`` is found without a list."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import alignscope.tasks
from alignscope.backends.registry import register_backend
from alignscope.config import BACKENDS, ModelSpec, validate_config
from alignscope.errors import ConfigError
from alignscope.tasks import get_task, list_tasks, register_task
from alignscope.tasks.generation_tasks import GenerationTask
from alignscope.tasks.scorers import SCORERS, Scorer, get_scorer, register_scorer
from alignscope.tasks.scorers.refusal import RefusalScorer

PLUGIN = '''
"""A throwaway alignscope extension: a scorer, a task (registered with the decorator) and a backend."""
from dataclasses import dataclass
from functools import partial

from alignscope.backends.registry import FACTORIES, register_backend
from alignscope.tasks import register_task
from alignscope.tasks.generation_tasks import GenerationTask
from alignscope.tasks.scorers import Scorer, get_scorer, register_scorer


@register_scorer
class AtMostWords(Scorer):
    name = "throwaway-at-most-words"

    def __init__(self, words: int = 3) -> None:
        self.words = words

    def score(self, item, response):
        return {"item_id": item.id, "value": float(len(response.split()) <= self.words), "answer": response}

    def aggregate(self, results):
        values = [r["value"] for r in results]
        return {"value": sum(values) / len(values) if values else None, "n": len(values)}


@register_task(
    name="throwaway-brief",
    description="answers of at most three words",
    dataset=__file__.replace("throwaway_plugin.py", "prompts.jsonl"),
    groups=("instruction_following",),
    metric="brief_rate",
    scorer=partial(get_scorer, "throwaway-at-most-words"),
)
@dataclass(frozen=True, kw_only=True)
class BriefTask(GenerationTask):
    max_tokens: int = 6


@register_backend("throwaway-hf")
def make_throwaway_hf(spec, where):
    return FACTORIES.get("hf")(spec, where)  # the in-process transformers backend under another name
'''
PROMPTS = ["Name a colour.", "Say hello.", "Count to three."]


def _install_plugin(root: Path) -> None:
    """The plugin module plus the distribution metadata that names it in the ``alignscope.plugins`` group."""
    (root / "throwaway_plugin.py").write_text(PLUGIN, encoding="utf-8")
    (root / "prompts.jsonl").write_text("".join(json.dumps({"prompt": p}) + "\n" for p in PROMPTS))
    dist = root / "throwaway_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: throwaway-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[alignscope.plugins]\nthrowaway = throwaway_plugin\n")


def test_a_plugin_task_scorer_and_backend_run_in_bench(tmp_path: Path) -> None:
    _install_plugin(tmp_path)
    env = os.environ | {"PYTHONPATH": str(tmp_path)}
    args = ["bench", "throwaway-brief", "-m", "throwaway-hf:smollm2-135m", "--limit", "2", "--json"]
    args += ["--scorer", "throwaway-at-most-words:words=4", "-w", str(tmp_path / "ws")]
    done = subprocess.run(
        [sys.executable, "-m", "alignscope.cli.main", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(done.stdout)
    (task,) = data["bench"]["tasks"]
    assert (task["task"], task["model"], task["n"], task["n_failed"]) == (
        "throwaway-brief",
        "throwaway-hf:smollm2-135m",
        2,
        0,
    )
    assert data["calls"]["calls_made"] == 2
    from alignscope.store import RunStore

    scores = RunStore(tmp_path / "ws").records("scores", data["run_id"])
    assert len(scores) == 2
    for score in scores:  # the plugin's scorer, with the --scorer option, decided each value
        assert score.value == float(len(score.fields["answer"].split()) <= 4)
        assert score.provenance.backend == "throwaway-hf"
    assert task["value"] == pytest.approx(sum(s.value for s in scores) / 2)

    lookup = (
        "from alignscope.tasks import get_task; from alignscope.tasks.scorers import get_scorer\n"
        "print(get_task('throwaway-brief').max_tokens, get_scorer('throwaway-at-most-words', words=1).words)"
    )
    done = subprocess.run(
        [sys.executable, "-c", lookup], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and done.stdout.split() == ["6", "1"], done.stderr[-3000:]


def test_names_taken_twice_are_refused() -> None:
    mmlu = get_task("mmlu")
    assert register_task(mmlu) is mmlu  # the same task again is no second registration
    brief = GenerationTask(
        name="mmlu", description="x", dataset="mt_bench", groups=("safety",), metric="m", scorer=RefusalScorer
    )
    with pytest.raises(ConfigError, match="task 'mmlu' is already registered"):
        register_task(brief)
    assert get_task("mmlu") is mmlu

    class Impostor(RefusalScorer):
        name = "refusal"

    with pytest.raises(ConfigError, match="scorer 'refusal' is already registered"):
        register_scorer(Impostor)
    assert SCORERS.get("refusal") is RefusalScorer
    with pytest.raises(ConfigError, match="backend 'hf' is already registered"):
        register_backend("hf")(lambda spec, where: None)
    assert BACKENDS.names() == ["auto", "hf", "llamacpp", "openai", "vllm"]
    with pytest.raises(ConfigError, match="unknown group 'speed'"):
        register_task(GenerationTask(name="t", description="x", dataset="d", groups=("speed",), metric="m",
                                     scorer=RefusalScorer))  # fmt: skip
    assert "t" not in {t.name for t in list_tasks()}


def test_every_task_module_is_found_without_a_list() -> None:
    list_tasks()
    package = Path(alignscope.tasks.__file__).parent
    registering = [
        "alignscope." + ".".join(p.relative_to(package.parent).with_suffix("").parts)
        for p in package.rglob("*.py")
        if "register_task(" in p.read_text(encoding="utf-8") and p.name != "registry.py"
    ]
    assert "alignscope.tasks.generation_tasks" in registering and len(registering) >= 5
    assert all(name in sys.modules for name in registering)
    scorer_modules = {cls.__module__ for cls in SCORERS}
    assert "alignscope.tasks.scorers.ifeval" in scorer_modules
    assert isinstance(get_scorer("ifeval"), Scorer)


def test_model_specs_accept_exactly_the_registered_backends() -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config({"name": "a", "backend": "hff"}, ModelSpec, "m.yaml")
    assert (
        str(caught.value)
        == "m.yaml: backend: unknown backend 'hff' (choose auto, hf, llamacpp, openai, vllm)"
    )
    with pytest.raises(
        ConfigError,
        match=r"^--model hff:x: unknown backend 'hff' \(choose auto, hf, llamacpp, openai, vllm\)$",
    ):
        ModelSpec.parse("hff:x")
    with pytest.raises(ConfigError, match="the openai backend needs a base URL"):
        ModelSpec.parse("openai:m")
    assert ModelSpec.parse("vllm:/ckpt").backend == "vllm" and ModelSpec.parse("./ckpt:1").backend == "auto"


def test_backend_names_come_from_the_backends_layer() -> None:
    """config imports nothing above it: its backend names are those the backends package registers."""
    code = (
        "from alignscope.config import ModelSpec, validate_config\n"
        "from alignscope.errors import ConfigError\n"
        "try:\n"
        "    validate_config({'name': 'a', 'backend': 'hf'}, ModelSpec, 'm.yaml')\n"
        "except ConfigError as exc:\n"
        "    print(exc)\n"
        "import alignscope.backends\n"
        "print(validate_config({'name': 'a', 'backend': 'vllm'}, ModelSpec, 'm.yaml').backend)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == [
        "m.yaml: backend: no backend is registered: import alignscope.backends before validating model specs",
        "vllm",
    ]
