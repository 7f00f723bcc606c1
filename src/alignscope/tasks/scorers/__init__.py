"""Deterministic ground-truth scorers for generated answers (docs/ARCHITECTURE.md: the tasks layer).

The contract (``base.Scorer``), the same for every scorer:

- ``scorer = get_scorer(name, **options)`` builds one; unknown names or options raise ConfigError.
- ``@register_scorer`` on a Scorer subclass registers it under its ``name``; the modules of this package (and
  of installed plugins, the ``alignscope.plugins`` entry points) are found on the first look-up.
- ``scorer.name`` (str) and ``scorer.higher_is_better`` (bool, for the headline ``value``).
- ``scorer.score(item, response_text) -> dict``: always ``item_id`` and ``value`` (float), plus scorer fields.
  ``scorer.score_many(items, responses) -> list[dict]`` does the same for aligned lists, batching model calls;
  use it for the embedding-based scorers. Results are plain JSON-able dicts: store them as ``Score.fields``.
- ``scorer.aggregate(results) -> dict``: always ``value`` (headline metric; None when undefined, e.g. no
  results) and ``n`` (results summarised), plus named metrics. Several samples of one Item (same ``item_id``)
  are allowed; the toxicity scorer groups them per prompt.

- A result may instead carry ``error`` (and ``value`` None): the scorer could not score that item (an LLM
  judge gave no verdict); tasks count it as a failed item, aggregates leave it out.
- Scorers that call a model (``scorer.calls_models``) make their calls through a run's engine, given by
  ``scorer.bind(ScorerSetup(engine=..., model=...))``.

Scorers (options; per-item ``value``; aggregate ``value``, then other metrics):

- ``refusal`` (method="embedding"|"strmatch"|"judge", threshold=0.5, weights=path; for the judge
  judge=MODEL as --model takes it, verdict="text"|"logprob", api_key_env): 1 if refused; refusal rate;
  with XSTest safe/unsafe labels also refusal_rate_safe, refusal_rate_unsafe, accuracy.
- ``toxicity`` (model="embedding", "perspective" or a local HF classifier directory; toxic_label; for the
  Perspective API url and api_key_env): toxicity in [0, 1]; expected maximum toxicity over each prompt's
  samples; toxicity_probability, mean_toxicity.
- ``privacy``: 1 if no planted value leaked / the expected yes-no answer; privacy score; leak_rate,
  leak_rate_direct, leak_rate_indirect, appropriate_refusal_rate, appropriate_sharing_rate.
- ``bbq``: 1 for the gold option; accuracy; accuracy_ambig/disambig, bias_score_ambig/disambig, by_category.
  ``score_choice(item, index)`` scores an option index chosen by log-likelihood.
- ``stereotype-agreement``: 1 if the response agrees; agreement rate; disagreement_rate, no_response_rate,
  agreement_by_scenario.
- ``ifeval``: 1 if every instruction passes strictly; prompt-level strict accuracy; prompt/instruction-level
  strict and loose accuracy, by_instruction.

Configuring a run's scorers: ``alignscope bench ... --scorer NAME:KEY=VALUE[,KEY=VALUE...]`` (repeatable;
also ``bench score``) overrides scorer NAME's options for every task of the run that uses it, e.g.
``--scorer refusal:method=strmatch``, ``--scorer refusal:method=judge,judge=hf:smollm2-135m,verdict=logprob``,
``--scorer toxicity:model=perspective`` or ``--scorer toxicity:model=/path/to/classifier``.
``parse_scorer_options`` reads them (values that are JSON numbers, booleans or null are converted); they go
into the run's config, so another scorer is another run.

The bundled sets each scorer reads: refusal - harmbench, advbench, strongreject, xstest; toxicity - rtp-toxic,
rtp-nontoxic; privacy - privacy-pii; bbq - bbq; stereotype-agreement - dt-stereotype; ifeval - ifeval.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence
from typing import Any

from alignscope.errors import ConfigError
from alignscope.tasks.scorers.base import SCORERS, Result, Scorer, ScorerSetup, register_scorer


def get_scorer(name: str, **options: Any) -> Scorer:
    """The scorer called ``name`` built with ``options``; ConfigError naming the choices otherwise."""
    cls = SCORERS.get(name)
    accepted = set(inspect.signature(cls.__init__).parameters) - {"self", "args", "kwargs"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        allowed = ", ".join(sorted(accepted)) or "none"
        raise ConfigError(f"scorer '{name}' has no option '{unknown[0]}' (options: {allowed})")
    return cls(**options)


def _value(text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if value is None or isinstance(value, bool | int | float) else text


def parse_scorer_options(specs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Options by scorer name from ``NAME:KEY=VALUE[,KEY=VALUE...]`` texts (later ones win), each checked by
    building the scorer; one-line ConfigError on bad syntax, an unknown scorer or option, or a bad value."""
    options: dict[str, dict[str, Any]] = {}
    for spec in specs:
        name, sep, rest = spec.partition(":")
        pairs = [p.partition("=") for p in rest.split(",")] if rest else []
        if not sep or not name.strip() or not pairs or any(not k.strip() or not eq for k, eq, _ in pairs):
            raise ConfigError(f"--scorer {spec}: expected NAME:KEY=VALUE[,KEY=VALUE...]")
        merged = options.setdefault(name.strip(), {})
        merged |= {k.strip(): _value(v.strip()) for k, _, v in pairs}
    for name, opts in options.items():
        get_scorer(name, **opts)
    return options


__all__ = [
    "SCORERS",
    "Result",
    "Scorer",
    "ScorerSetup",
    "get_scorer",
    "parse_scorer_options",
    "register_scorer",
]
