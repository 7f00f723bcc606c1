"""lm-evaluation-harness's Open LLM Leaderboard v2 task configs on alignscope's questions (BBH, MATH Level 5,
MMLU-Pro), for checking alignscope's requests and scores against lm-eval's own.

lm-eval's YAMLs (``tasks/leaderboard/bbh_mc/<task>.yaml``, ``math/math_<subject>.yaml``,
``mmlu_pro/mmlu_pro.yaml``) are loaded unchanged except for the data source: the questions are written to
local JSONL files in the Hugging Face layout those configs read (SaylorTwift/bbh, MATH-lighteval,
TIGER-Lab/MMLU-Pro), so no hub access is needed; MMLU-Pro gets one config per category, whose few-shot
split holds the category's first test questions (where alignscope takes its shots from). Needs the
``lm-eval`` package and, for MATH, ``math-verify`` (the ``test`` extra).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from alignscope.records import Item
from alignscope.testing.lm_eval_reference import _config, _write_jsonl, lm_eval_tasks_dir

MATH_YAML = {
    "Algebra": "math_algebra",
    "Counting & Probability": "math_counting_and_prob",
    "Geometry": "math_geometry",
    "Intermediate Algebra": "math_intermediate_algebra",
    "Number Theory": "math_num_theory",
    "Prealgebra": "math_prealgebra",
    "Precalculus": "math_precalculus",
}


def leaderboard_dir() -> Path:
    """lm-eval's ``tasks/leaderboard`` folder."""
    return lm_eval_tasks_dir() / "leaderboard"


def math_utils() -> ModuleType:
    """lm-eval's ``tasks/leaderboard/math/utils.py`` (its MATH answer rules and few-shot samples), imported
    from its file (it needs ``math-verify``)."""
    spec = importlib.util.spec_from_file_location(
        "lm_eval_leaderboard_math_utils", leaderboard_dir() / "math" / "utils.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _by_category(items: Sequence[Item]) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = {}
    for item in items:
        out.setdefault(str(item.category), []).append(item)
    return out


def bbh_configs(items: Sequence[Item], folder: Path) -> list[dict[str, Any]]:
    """lm-eval's ``leaderboard_bbh_<task>`` config for each BBH task among ``items``, reading them."""
    configs = []
    for task, examples in _by_category(items).items():
        rows = [{"input": it.target["input"], "target": it.target["target"]} for it in examples]
        files = {"test": _write_jsonl(folder / "bbh" / task / "test.jsonl", rows)}
        configs.append(_config(leaderboard_dir() / "bbh_mc" / f"{task}.yaml", f"ref_bbh_{task}", files))
    return configs


def math_configs(items: Sequence[Item], folder: Path) -> list[dict[str, Any]]:
    """lm-eval's ``leaderboard_math_<subject>_hard`` config for each subject among ``items``."""
    configs = []
    for subject, problems in _by_category(items).items():
        rows = [
            {
                "problem": it.target["problem"],
                "level": "Level 5",
                "type": subject,
                "solution": it.target["solution"],
            }
            for it in problems
        ]
        name = MATH_YAML[subject]
        files = {"test": _write_jsonl(folder / "math" / name / "test.jsonl", rows)}
        configs.append(_config(leaderboard_dir() / "math" / f"{name}.yaml", f"ref_{name}_hard", files))
    return configs


def _mmlu_pro_doc(item: Item) -> dict[str, Any]:
    return {
        "question_id": item.target["question_id"],
        "question": item.target["question"],
        "options": item.choices,
        "answer": item.target["answer"],
        "answer_index": item.gold,
        "category": item.category,
    }


def mmlu_pro_configs(
    items: Sequence[Item], pools: Mapping[str, Sequence[Item]], folder: Path
) -> list[dict[str, Any]]:
    """lm-eval's ``leaderboard_mmlu_pro`` config for each category among ``items``: its few-shot split (the
    YAML's ``validation``, read by the first_n sampler) holds ``pools[category]`` (the category's first 6
    test questions), its test split the category's ``items``. A category whose asked questions include one
    of those 6 sets the few-shot split to the test split instead, holding those 6 first and then the others:
    lm-eval's sampler then skips the question asked (and lm-eval also asks the rest of the 6)."""
    configs = []
    for category, questions in _by_category(items).items():
        pool = list(pools[category])
        ids = {it.id for it in pool}
        base = folder / "mmlu_pro" / category.replace(" ", "_")
        name = f"ref_mmlu_pro_{category.replace(' ', '_')}"
        yaml_path = leaderboard_dir() / "mmlu_pro" / "mmlu_pro.yaml"
        if ids.isdisjoint(it.id for it in questions):
            files = {
                "test": _write_jsonl(base / "test.jsonl", [_mmlu_pro_doc(it) for it in questions]),
                "validation": _write_jsonl(base / "validation.jsonl", [_mmlu_pro_doc(it) for it in pool]),
            }
            configs.append(_config(yaml_path, name, files))
            continue
        rows = [_mmlu_pro_doc(it) for it in [*pool, *(it for it in questions if it.id not in ids)]]
        cfg = _config(yaml_path, name, {"test": _write_jsonl(base / "test.jsonl", rows)})
        cfg["fewshot_split"] = "test"
        configs.append(cfg)
    return configs
