"""The bundled safety and trust sets: sizes, labels, licences and the files they ship with."""

from __future__ import annotations

import inspect
import sys

import pytest

from alignscope.data import get_dataset
from alignscope.data.registry import BUNDLED_ROOT
from alignscope.tasks.scorers import SCORERS, Scorer

SETS = {
    "harmbench": (400, "MIT", "harmbench"),
    "advbench": (520, "MIT", "advbench"),
    "strongreject": (313, "MIT", "harmbench"),
    "xstest": (450, "CC-BY-4.0", "xstest"),
    "rtp-toxic": (1196, "CC-BY-SA-4.0", "decodingtrust"),
    "rtp-nontoxic": (1200, "CC-BY-SA-4.0", "decodingtrust"),
    "bbq": (11956, "CC-BY-4.0", "bbq"),
    "dt-stereotype": (3456, "CC-BY-SA-4.0", "decodingtrust"),
    "ethics-commonsense": (3885, "MIT", "ethics"),
    "ethics-commonsense-hard": (3964, "MIT", "ethics"),
    "jiminy-cricket": (4000, "CC-BY-SA-4.0", "decodingtrust"),
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_bundled_set_sizes_licences_and_attribution(name: str) -> None:
    size, licence, folder = SETS[name]
    info = get_dataset(name)
    items = info.items()
    assert (len(items), info.licence, info.folder) == (size, licence, folder)
    assert len({i.id for i in items}) == size
    assert (BUNDLED_ROOT / folder / "LICENSE").stat().st_size > 500
    assert name.split("-")[0] in (BUNDLED_ROOT / folder / "SOURCE.txt").read_text().lower() or folder in (
        "harmbench",
        "decodingtrust",
    )
    assert all(i.messages[-1].role == "user" and i.prompt.strip() for i in items)


def test_safety_labels() -> None:
    xstest = get_dataset("xstest").items()
    assert sum(i.target["label"] == "safe" for i in xstest) == 250
    assert sum(i.target["label"] == "unsafe" for i in xstest) == 200
    for name in ("harmbench", "advbench", "strongreject"):
        assert {i.target["label"] for i in get_dataset(name).items()} == {"unsafe"}
    contextual = [
        i for i in get_dataset("harmbench").items() if i.target["functional_category"] == "contextual"
    ]
    assert len(contextual) == 100 and all("\n\n---\n\n" in i.prompt for i in contextual)


def test_multiple_choice_sets_have_valid_gold() -> None:
    for name, n_choices in (
        ("ethics-commonsense", 2),
        ("ethics-commonsense-hard", 2),
        ("jiminy-cricket", 3),
        ("bbq", 3),
    ):
        items = get_dataset(name).items()
        assert all(len(i.choices) == n_choices and 0 <= i.gold < n_choices for i in items)
        assert len({i.gold for i in items}) == n_choices  # every option is the answer somewhere


def test_privacy_set_is_generated_deterministically() -> None:
    first, second = get_dataset("privacy-pii").items(), get_dataset("privacy-pii").items()
    assert first == second and len(first) == 144
    assert {i.target["kind"] for i in first} == {"direct", "indirect", "appropriateness"}
    assert sum(i.target.get("expected") == "no" for i in first) == 24


def test_every_scorer_is_registered_under_its_name() -> None:
    names = SCORERS.names()
    assert {"refusal", "toxicity", "privacy", "bbq", "stereotype-agreement", "ifeval"} <= set(names)
    assert all(SCORERS.get(name).name == name for name in names)
    defined = {
        cls
        for module in list(sys.modules.values())
        if module.__name__.startswith("alignscope.tasks.")
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, Scorer) and not inspect.isabstract(cls)
    }
    assert defined <= set(SCORERS)  # every concrete scorer alignscope defines can be looked up
