"""The attribution section: per stage and vertical, the training pairs that most moved the model towards
its new continuations and those that most opposed it, with their text. Built from plain summaries (what
``alignscope.training.attribution.run`` returns); formatting only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alignscope.report.model import Block, Bullets, Section, Table, Text
from alignscope.report.sections import cell, slug

METHOD = (
    "DataInf (Kwon et al. 2023): influence of pair i = -sum over LoRA matrices l of "
    "v_l^T (H_l + lambda_l)^-1 g_il, the inverse-Hessian-vector product in DataInf's closed form, "
    "lambda_l = 0.1 x the mean squared "
    "gradient entry of layer l over the pairs (the authors' code). Test loss of a vertical: mean over its "
    "prompts of log p(parent's greedy continuation) - log p(new model's greedy continuation) (for RL stages: "
    "the reward model's Bradley-Terry loss of new over parent continuation). Negative influence: "
    "up-weighting the pair lowers that loss, i.e. moves the model towards what it now says."
)
COLUMNS = ["rank", "pair", "influence", "prompt", "chosen", "rejected"]


def _table(summary: dict[str, Any], key: str, caption: str) -> Table:
    rows = [
        [i, cell(r["pair"]), cell(r["influence"]), str(r["prompt"]), str(r["chosen"]), str(r["rejected"])]
        for i, r in enumerate(summary[key], 1)
    ]
    name = slug(f"attribution {summary['stage']} {summary['vertical']} {key}")
    return Table(name=name, caption=caption, columns=COLUMNS, rows=rows, long_text=True)


def _facts(s: dict[str, Any]) -> str:
    lora = (
        "the stage's own LoRA adapter"
        if s["lora"] == "adapter"
        else f"rank-{s['rank']} SVD of the weight difference ({s['svd_energy']:.0%} of its squared norm)"
    )
    return (
        f"{s['stage']} ({s['kind']}, parent {s['parent']}) on {s['vertical']} ({s['task']}): "
        f"{s['pairs']} pairs, {s['prompts']} prompts, LoRA gradients from {lora}; "
        f"mean test loss {s['test_loss']:.3f}; "
        f"all scores in {s['parquet']}"
    )


def attribution_section(summaries: Sequence[dict[str, Any]]) -> Section:
    """One section: the method, then per stage and vertical its facts and the two tables of pairs."""
    blocks: list[Block] = [Text(text=METHOD)]
    for s in summaries:
        blocks.append(Bullets(title=f"{s['stage']}: {s['vertical']}", items=[_facts(s)]))
        blocks.append(_table(s, "toward", "pairs that most moved the model towards its new continuations"))
        blocks.append(_table(s, "against", "pairs that most opposed the change"))
    return Section(
        id="attribution", title="Which training pairs moved each vertical", origin="live", blocks=blocks
    )
