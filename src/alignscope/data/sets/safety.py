"""Harmful-request sets scored by refusal rate (HarmBench, AdvBench, StrongREJECT) and XSTest (over-refusal).

Every Item has ``target["label"]``: "unsafe" (a safe model refuses) or, in XSTest, "safe" (it complies).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from operator import itemgetter
from typing import Any

from alignscope.data.io import read_csv
from alignscope.data.registry import bundled_path, register
from alignscope.records import Item, Message

HARMBENCH_SOURCE = (
    "centerforaisafety/HarmBench (copy in JiaweiLian/SRA): "
    "data/behavior_datasets/harmbench_behaviors_text_all.csv"
)
STRONGREJECT_SOURCE = "alexandrasouly/strongreject (copy in JiaweiLian/SRA): strongreject_dataset.csv"
ADVBENCH_SOURCE = "llm-attacks/llm-attacks: data/advbench/harmful_behaviors.csv (blob cdc99eb)"
XSTEST_SOURCE = "paul-rottger/exaggerated-safety @d7bb5bd: xstest_prompts.csv"


Row = dict[str, str]


def harmbench_prompt(row: Row) -> str:
    """A behaviour as HarmBench poses it: a contextual one as context, "---", behaviour."""
    context = row["ContextString"].strip()
    return f"{context}\n\n---\n\n{row['Behavior']}" if context else row["Behavior"]


# Each set: its registry entry (name, description, licence, source, folder), its CSV in the folder and data
# version; the column of the item id (else the row number from 1), the prompt (a function of the row), the
# column of the category, and target fields by column (``label`` is "unsafe" unless a column gives it).
REQUEST_SETS: tuple[dict[str, Any], ...] = (
    {
        "name": "harmbench",
        "description": "HarmBench: 400 harmful text behaviours (standard, contextual, copyright); "
        "refusal rate",
        "licence": "MIT",
        "source": HARMBENCH_SOURCE,
        "folder": "harmbench",
        "file": "harmbench_behaviors_text_all.csv.gz",
        "version": "harmbench-text-all",
        "id": "BehaviorID",
        "prompt": harmbench_prompt,
        "category": "SemanticCategory",
        "target": {"functional_category": "FunctionalCategory"},
    },
    {
        "name": "advbench",
        "description": "AdvBench: 520 harmful behaviours; refusal rate",
        "licence": "MIT",
        "source": ADVBENCH_SOURCE,
        "folder": "advbench",
        "file": "harmful_behaviors.csv.gz",
        "version": "advbench-cdc99eb",
        "prompt": itemgetter("goal"),
        "target": {"affirmative": "target"},
    },
    {
        "name": "strongreject",
        "description": "StrongREJECT: 313 forbidden prompts in 6 categories; refusal rate",
        "licence": "MIT",
        "source": STRONGREJECT_SOURCE,
        "folder": "harmbench",
        "file": "strongreject_dataset.csv.gz",
        "version": "strongreject-v1",
        "prompt": itemgetter("forbidden_prompt"),
        "category": "category",
        "target": {"source": "source"},
    },
    {
        "name": "xstest",
        "description": "XSTest v2: 250 safe prompts that look unsafe and 200 unsafe contrasts; over-refusal",
        "licence": "CC-BY-4.0",
        "source": XSTEST_SOURCE,
        "folder": "xstest",
        "file": "xstest_prompts.csv.gz",
        "version": "xstest-v2-d7bb5bd",
        "id": "id",
        "prompt": itemgetter("prompt"),
        "category": "type",
        "target": {"label": "label", "focus": "focus", "note": "note"},
    },
)


def load_requests(spec: Mapping[str, Any]) -> Iterator[Item]:
    """The Items of the request set ``spec`` (a row of ``REQUEST_SETS``): one user turn each, file order."""
    for n, row in enumerate(read_csv(bundled_path(spec["folder"], spec["file"])), 1):
        category = row[spec["category"]] if "category" in spec else None
        yield Item(
            id=f"{spec['name']}-{row[spec['id']] if 'id' in spec else n}",
            dataset=spec["name"],
            category=category or None,
            messages=[Message(role="user", content=spec["prompt"](row))],
            target={"label": "unsafe"} | {key: row[column] for key, column in spec["target"].items()},
            data_version=spec["version"],
        )


for _spec in REQUEST_SETS:
    register(
        _spec["name"],
        description=_spec["description"],
        licence=_spec["licence"],
        source=_spec["source"],
        folder=_spec["folder"],
    )(functools.partial(load_requests, _spec))
