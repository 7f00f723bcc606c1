"""The IFEval checkers (``alignscope.tasks.ifeval``) behind the scorer contract: scorer ``ifeval``."""

from __future__ import annotations

from collections.abc import Sequence

from alignscope.records import Item
from alignscope.tasks.ifeval import ItemResult, accuracy, score_response
from alignscope.tasks.scorers.base import Result, Scorer, register_scorer


@register_scorer
class IFEvalScorer(Scorer):
    """Per-instruction strict and loose pass/fail of IFEval's checkers."""

    name = "ifeval"

    def score(self, item: Item, response: str) -> Result:
        """Every instruction's strict and loose outcome; ``value`` 1 when all pass strictly."""
        result = score_response(item, response)
        return result.to_dict() | {"value": float(result.prompt_strict)}

    def aggregate(self, results: Sequence[Result]) -> Result:
        """Prompt- and instruction-level accuracy, strict and loose, and per instruction id."""
        if not results:
            return {"value": None, "n": 0}
        acc = accuracy(
            ItemResult(r["item_id"], tuple(r["instruction_id_list"]), tuple(r["strict"]), tuple(r["loose"]))
            for r in results
        )
        return {
            "value": acc.prompt.strict,
            "n": acc.prompt.n,
            "prompt_level_strict_acc": acc.prompt.strict,
            "prompt_level_loose_acc": acc.prompt.loose,
            "inst_level_strict_acc": acc.instruction.strict,
            "inst_level_loose_acc": acc.instruction.loose,
            "n_instructions": acc.instruction.n,
            "by_instruction": {
                k: {"strict": v.strict, "loose": v.loose, "n": v.n} for k, v in acc.by_instruction.items()
            },
        }
