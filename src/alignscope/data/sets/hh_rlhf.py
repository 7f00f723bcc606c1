"""Anthropic's HH-RLHF preference pairs: the HH dialogue format into TRL's prompt / chosen / rejected.

An HH row holds two whole dialogues, ``chosen`` and ``rejected``, as text "\\n\\nHuman: ...\\n\\nAssistant:
...". The prompt is their shared prefix up to and including its last "\\n\\nAssistant:" (the convention of the
DPO reference code, eric-mitchell/direct-preference-optimization ``extract_anthropic_prompt``, taken over the
common prefix of both dialogues as TRL's hh-rlhf script does), and ``chosen`` / ``rejected`` are the rest of
each dialogue (usually the final assistant reply with its leading space). In 6 of the 4,666 shipped test pairs
the last "\\n\\nAssistant:" of ``chosen`` is not shared with ``rejected``; the prompt then ends at the last
shared one. 8 shipped pairs have an empty (one-space) chosen or rejected reply; they are kept. A dialogue
without "\\n\\nAssistant:" raises one DataError line naming the row.

Shipped: the ``harmless-base`` (2,312 pairs) and ``helpful-base`` (2,354) test splits (anthropics/hh-rlhf,
MIT), as bundled data sets of Items (``hh-rlhf-harmless-base``, ``hh-rlhf-helpful-base``: the prompt as chat
turns, the pair in ``target``) and as training pairs (``hh_rlhf/harmless-base`` in a training config).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from alignscope.data.io import read_jsonl
from alignscope.data.registry import bundled_path, register
from alignscope.errors import DataError
from alignscope.records import Item, Message

ASSISTANT = "\n\nAssistant:"
HUMAN = "\n\nHuman:"
SUBSETS = {"harmless-base": 2312, "helpful-base": 2354}
SOURCE = "anthropics/hh-rlhf @354e5c3: {subset}/test.jsonl.gz"
BUNDLED_PREFIX = "hh_rlhf/"
_TURN = re.compile(r"\n\n(Human|Assistant):")


def is_hh_row(row: Any) -> bool:
    """Whether ``row`` is in HH format: text ``chosen`` / ``rejected`` dialogues and no ``prompt``."""
    return (
        isinstance(row, dict)
        and row.get("prompt") is None
        and isinstance(row.get("chosen"), str)
        and isinstance(row.get("rejected"), str)
        and HUMAN in row["chosen"]
    )


def _shared_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


def hh_pair(row: Any, where: str, number: int) -> dict[str, str]:
    """TRL's text pair from one HH row; DataError naming ``where`` and row ``number`` when it is malformed."""
    for field in ("chosen", "rejected"):
        value = row.get(field) if isinstance(row, dict) else None
        if not isinstance(value, str):
            raise DataError(
                f"row {number}: needs text fields 'chosen' and 'rejected' (HH format)", where=where
            )
        if ASSISTANT not in value:
            raise DataError(
                f"row {number}: the {field} dialogue has no '\\n\\nAssistant:' turn (HH format is "
                "'\\n\\nHuman: ...\\n\\nAssistant: ...')",
                where=where,
            )
    chosen, rejected = row["chosen"], row["rejected"]
    shared = _shared_prefix(chosen, rejected)
    cut = shared.rfind(ASSISTANT)
    if cut < 0:
        raise DataError(
            f"row {number}: chosen and rejected share no '\\n\\nAssistant:' turn (they must continue the "
            "same dialogue)",
            where=where,
        )
    prompt = shared[: cut + len(ASSISTANT)]
    return {"prompt": prompt, "chosen": chosen[len(prompt) :], "rejected": rejected[len(prompt) :]}


def hh_pairs(rows: Iterable[Any], where: str) -> list[dict[str, str]]:
    """TRL's prompt / chosen / rejected text pairs from HH rows (row numbers from 1 in errors)."""
    pairs = [hh_pair(row, where, n) for n, row in enumerate(rows, 1)]
    if not pairs:
        raise DataError("no rows", where=where)
    return pairs


def dialogue_messages(prompt: str) -> list[Message]:
    """An HH prompt (ending with "\\n\\nAssistant:") as chat turns, the final empty assistant turn dropped."""
    parts = _TURN.split(prompt.removesuffix(ASSISTANT))
    return [
        Message(role="user" if role == "Human" else "assistant", content=text.strip())
        for role, text in zip(parts[1::2], parts[2::2], strict=True)
    ]


def bundled_rows(name: str) -> list[dict[str, Any]]:
    """The rows of a shipped HH split, ``harmless-base`` or ``helpful-base``."""
    subset = name.removeprefix(BUNDLED_PREFIX)
    if subset not in SUBSETS:
        raise DataError(
            f"unknown HH-RLHF split '{name}' (choose {', '.join(BUNDLED_PREFIX + s for s in SUBSETS)})"
        )
    return list(read_jsonl(bundled_path("hh_rlhf", f"{subset}_test.jsonl.gz")))


def _items(subset: str) -> Iterator[Item]:
    where = f"{BUNDLED_PREFIX}{subset}"
    for n, pair in enumerate(hh_pairs(bundled_rows(subset), where)):
        yield Item(
            id=f"hh-{subset}-{n}",
            dataset=f"hh-rlhf-{subset}",
            messages=dialogue_messages(pair["prompt"]),
            target=dict(pair),
            data_version="hh-rlhf-354e5c3",
        )


for _subset, _count in SUBSETS.items():
    register(
        f"hh-rlhf-{_subset}",
        description=f"Anthropic HH-RLHF {_subset} test split: {_count:,} dialogues with a chosen/rejected "
        "reply (the dialogue as chat turns, the text pair in target)",
        licence="MIT",
        source=SOURCE.format(subset=_subset),
        folder="hh_rlhf",
    )(lambda s=_subset: _items(s))
