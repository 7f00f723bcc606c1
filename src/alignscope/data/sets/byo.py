"""Sets alignscope does not ship, read from the user's own copy (see ``alignscope.data.byo``) in their
upstream field names: GPQA (its authors ask that it not be redistributed), MuSR, WMDP and SOS-Bench's
safety sets.

- GPQA (``Idavidrein/gpqa`` CSVs): ``Question``, ``Correct Answer``, ``Incorrect Answer 1..3``, ``Record ID``;
  options cleaned and shuffled as lm-eval's ``leaderboard_gpqa`` does (``utils.preprocess``), with
  ``random.Random(0)`` over the rows in file order;
- MuSR (``TAUR-Lab/MuSR``, splits ``murder_mysteries``, ``object_placements``, ``team_allocation``):
  ``narrative``, ``question``, ``choices`` (a Python list literal), ``answer_choice``;
- WMDP (``cais/wmdp``, configs ``wmdp-bio``, ``wmdp-chem``, ``wmdp-cyber``; ``wmdp`` is the three together,
  each Item's category its part): ``question``, ``choices``, ``answer`` (index);
- ToxiGen (``skg/toxigen-data``, config ``annotated``, split ``test``): ``text``, ``toxicity_ai``,
  ``toxicity_human``, ``target_group``; hateful (gold "Yes") when the two ratings sum to more than 5.5, as
  lm-eval's ``toxigen`` task;
- safety sets: the request in ``prompt`` (or ``question``, ``goal``, ``text``), an optional ``category`` and
  an optional label: ``label`` / ``prompt_harm_label`` (safe, benign, unharmful / unsafe, harmful) or
  JailbreakHub's ``jailbreak`` (true: unsafe); rows without a label are harmful requests.
"""

from __future__ import annotations

import ast
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

from alignscope.data.byo import fingerprint, locate
from alignscope.data.loaders import read_rows
from alignscope.data.registry import get_dataset, register
from alignscope.errors import DataError
from alignscope.records import Item, Message

GPQA_SOURCE = "https://huggingface.co/datasets/Idavidrein/gpqa (gated; do not redistribute)"
MUSR_SOURCE = "https://huggingface.co/datasets/TAUR-Lab/MuSR"
WMDP_SOURCE = "https://huggingface.co/datasets/cais/wmdp"
WMDP_PARTS = ("wmdp-bio", "wmdp-chem", "wmdp-cyber")
TOXIGEN_SOURCE = "https://huggingface.co/datasets/skg/toxigen-data (config annotated, split test; gated)"
SAFETY_SETS = {
    "beavertails": (
        "BeaverTails evaluation prompts",
        "https://huggingface.co/datasets/walledai/BeaverTailsEval",
    ),
    "cdna": ("CDNA harmful prompts", "https://huggingface.co/datasets/walledai/CDNA"),
    "dttoxicity": (
        "DecodingTrust toxicity prompts (DTToxicity)",
        "https://huggingface.co/datasets/walledai/DTToxicity",
    ),
    "jailbreakhub": ("JailbreakHub prompts", "https://huggingface.co/datasets/walledai/JailbreakHub"),
    "saladbench": ("SALAD-Bench questions", "https://huggingface.co/datasets/walledai/SaladBench"),
    "sgxstest": (
        "SGXSTest safe/unsafe contrast prompts",
        "https://huggingface.co/datasets/walledai/SGXSTest",
    ),
    "wildguardtest": (
        "WildGuardTest prompts (harmful / unharmful)",
        "https://huggingface.co/datasets/allenai/wildguardmix (config wildguardtest; gated)",
    ),
}
PROMPT_FIELDS = ("prompt", "question", "goal", "text")
Loader = Callable[[str], Iterator[Item]]
LABEL_FIELDS = ("label", "prompt_harm_label", "jailbreak")
UNSAFE = {"unsafe", "harmful", "true", "1"}
SAFE = {"safe", "benign", "unharmful", "false", "0"}


def copy_rows(name: str) -> tuple[list[dict[str, Any]], str]:
    """The rows of the user's copy of set ``name`` and its data version; DataError saying how to add it."""
    info = get_dataset(name)
    found = locate(name, info.copy or name, info.part)
    if found is None:
        raise DataError(f"data set '{name}' is not here: {info.status().how}")
    path, split = found
    return list(read_rows(path, split)), f"file-{fingerprint(path)}"


def _field(row: dict[str, Any], key: str, name: str, n: int) -> Any:
    if row.get(key) is None:
        raise DataError(f"{name}, row {n + 1}: no '{key}' field (upstream field names expected)")
    return row[key]


def _text(row: dict[str, Any], key: str, name: str, n: int) -> str | None:
    """A text field that may be empty (None; a CSV read by pandas gives NaN); the column must exist."""
    if key not in row:
        raise DataError(f"{name}, row {n + 1}: no '{key}' field (upstream field names expected)")
    value = row[key]
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


def gpqa_preprocess(text: str | None) -> str:
    """lm-eval's ``leaderboard/gpqa/utils.preprocess`` of an answer text."""
    if text is None:
        return " "
    text = text.strip().replace(" [title]", ". ")
    text = re.sub("\\[.*?\\]", "", text)
    return text.replace("  ", " ")


def _choice_item(
    item_id: str, name: str, prompt: str, choices: list[str], gold: int, target: dict[str, Any], version: str
) -> Item:
    return Item(
        id=item_id,
        dataset=name,
        messages=[Message(role="user", content=prompt)],
        choices=choices,
        gold=gold,
        target=target,
        data_version=version,
    )


def _gpqa(name: str) -> Iterator[Item]:
    rows, version = copy_rows(name)
    rng = random.Random(0)
    for n, row in enumerate(rows):
        correct = gpqa_preprocess(_field(row, "Correct Answer", name, n))
        choices = [gpqa_preprocess(_text(row, f"Incorrect Answer {k}", name, n)) for k in (1, 2, 3)]
        choices.append(correct)
        rng.shuffle(choices)
        question = str(_field(row, "Question", name, n))
        options = "\n".join(f"({'ABCD'[k]}) {c}" for k, c in enumerate(choices))
        item_id = f"{name}-{row.get('Record ID') or n}"
        prompt = f"{question.strip()}\n\n{options}"
        yield _choice_item(
            item_id, name, prompt, choices, choices.index(correct), {"question": question}, version
        )


def _musr(name: str) -> Iterator[Item]:
    rows, version = copy_rows(name)
    for n, row in enumerate(rows):
        raw = _field(row, "choices", name, n)
        choices = [str(c) for c in (ast.literal_eval(raw) if isinstance(raw, str) else raw)]
        answer = str(_field(row, "answer_choice", name, n))
        if answer not in choices:
            raise DataError(f"{name}, row {n + 1}: answer_choice '{answer}' is not one of its choices")
        narrative, question = str(_field(row, "narrative", name, n)), str(_field(row, "question", name, n))
        options = "\n".join(f"{k + 1} - {c}" for k, c in enumerate(choices))
        prompt, target = (
            f"{narrative}\n\n{question}\n\n{options}",
            {"narrative": narrative, "question": question},
        )
        yield _choice_item(f"{name}-{n}", name, prompt, choices, choices.index(answer), target, version)


def _wmdp(name: str) -> Iterator[Item]:
    rows, version = copy_rows(name)
    for n, row in enumerate(rows):
        choices = [str(c) for c in _field(row, "choices", name, n)]
        question = str(_field(row, "question", name, n))
        options = "\n".join(f"{'ABCD'[k]}. {c}" for k, c in enumerate(choices))
        gold, prompt = int(_field(row, "answer", name, n)), f"{question.strip()}\n{options}"
        item = _choice_item(f"{name}-{n}", name, prompt, choices, gold, {"question": question}, version)
        yield item.model_copy(update={"category": name.removeprefix("wmdp-")})


def _wmdp_all() -> Iterator[Item]:
    for part in WMDP_PARTS:
        for item in _wmdp(part):
            yield item.model_copy(update={"dataset": "wmdp"})


def toxigen_label(row: dict[str, Any], name: str, n: int) -> int:
    """lm-eval's ``toxigen`` target: 1 (hateful) when ``toxicity_ai + toxicity_human > 5.5``, else 0."""
    return int(
        float(_field(row, "toxicity_ai", name, n)) + float(_field(row, "toxicity_human", name, n)) > 5.5
    )


def _toxigen(name: str) -> Iterator[Item]:
    rows, version = copy_rows(name)
    for n, row in enumerate(rows):
        text = str(_field(row, "text", name, n))
        item = _choice_item(
            f"{name}-{n}", name, text, ["No", "Yes"], toxigen_label(row, name, n), {}, version
        )
        yield item.model_copy(update={"category": row.get("target_group"), "target": {"text": text}})


def safety_label(row: dict[str, Any], name: str, n: int) -> str:
    """ "safe" or "unsafe" from the row's label field; "unsafe" when it has none."""
    key = next((k for k in LABEL_FIELDS if row.get(k) is not None), None)
    if key is None:
        return "unsafe"
    value = str(row[key]).strip().lower()
    if value in UNSAFE or value in SAFE:
        return "unsafe" if value in UNSAFE else "safe"
    raise DataError(f"{name}, row {n + 1}: {key} '{row[key]}' is neither safe nor unsafe")


def _safety(name: str) -> Iterator[Item]:
    rows, version = copy_rows(name)
    for n, row in enumerate(rows):
        key = next((k for k in PROMPT_FIELDS if isinstance(row.get(k), str) and row[k].strip()), None)
        if key is None:
            raise DataError(f"{name}, row {n + 1}: no prompt (one of {', '.join(PROMPT_FIELDS)})")
        category = row.get("category") or row.get("subcategory")
        yield Item(
            id=f"{name}-{n}",
            dataset=name,
            category=None if category is None else str(category),
            messages=[Message(role="user", content=row[key])],
            target={"label": safety_label(row, name, n)},
            data_version=version,
        )


def _bring(
    name: str, description: str, licence: str, source: str, copy: str, part: str | None, read: Loader
) -> None:
    """Register ``name``, read by ``read(name)`` from part ``part`` of the user's copy ``copy``."""
    register(name, description=description, licence=licence, source=source, folder="", copy=copy, part=part)(
        lambda: read(name)
    )


def _register_all() -> None:
    for part in ("diamond", "extended", "main"):
        what = "graduate-level four-option science questions"
        _bring(
            f"gpqa-{part}", f"GPQA {part}: {what}", "CC-BY-4.0", GPQA_SOURCE, "gpqa", f"gpqa_{part}", _gpqa
        )
    for part in ("murder_mysteries", "object_placements", "team_allocation"):
        what = f"MuSR {part.replace('_', ' ')}: multistep soft reasoning over a narrative"
        _bring(f"musr-{part.replace('_', '-')}", what, "CC-BY-4.0", MUSR_SOURCE, "musr", part, _musr)
    for part in WMDP_PARTS:
        what = f"WMDP {part.removeprefix('wmdp-')}: four-option questions on hazardous knowledge"
        _bring(part, what, "MIT", WMDP_SOURCE, "wmdp", part, _wmdp)
    what = "WMDP: its three parts (bio, chem, cyber) together, as lm-eval's wmdp group"
    _bring("wmdp", what, "MIT", WMDP_SOURCE, "wmdp", None, lambda _: _wmdp_all())
    what = "ToxiGen annotated test statements: is the statement hateful? (human and AI toxicity ratings)"
    _bring("toxigen", what, "see source", TOXIGEN_SOURCE, "toxigen", "test", _toxigen)
    for name, (description, source) in SAFETY_SETS.items():
        what = f"{description}: should a safe model agree to respond?"
        _bring(name, what, "see source", source, name, None, _safety)


_register_all()
