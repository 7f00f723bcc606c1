"""``train``: SFT, DPO, reward models, on-policy RL and the Meta-Rewarding loop (``alignscope train ...``).

``alignscope.train.sft(config)`` (and ``dpo``, ``rm``, ``rl``) trains from a config object or YAML file and
returns the registered checkpoint with its training metrics; ``alignscope.train.meta_rewarding(config)``
runs (or resumes) the loop and writes its report. Checkpoints go to ``<workspace>/checkpoints/<name>``, and
every function that takes a model accepts them by name (``hf:NAME``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from pydantic import BaseModel

from alignscope.api.runs import RunResult, close_run, open_run, publish_run_report
from alignscope.config import load_config
from alignscope.store import RunStore
from alignscope.store.sqlite import default_workspace
from alignscope.training.config import DPOTrainConfig, RewardTrainConfig, RLTrainConfig, SFTTrainConfig
from alignscope.training.meta_config import MetaRewardingConfig

C = TypeVar("C", bound=BaseModel)


@dataclass
class CheckpointResult:
    """A trained checkpoint: its registered ``checkpoint`` name, ``path``, final ``metrics`` (train_*) and the
    ``loss`` logged at each step; ``to_dict()`` is the command's ``--json`` object."""

    checkpoint: str
    path: Path
    metrics: dict[str, float]
    loss: list[float]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready result."""
        return {
            "checkpoint": self.checkpoint,
            "path": str(self.path),
            "metrics": self.metrics,
            "loss": self.loss,
        }


def _config(config: C | Path | str, cls: type[C]) -> C:
    return config if isinstance(config, cls) else load_config(Path(config), cls)  # type: ignore[arg-type]


def _train(config: BaseModel, workspace: Path | str | None) -> CheckpointResult:
    from alignscope.training.run import train_from_config

    folder = Path(workspace) if workspace else default_workspace()
    reward = None
    if isinstance(config, RLTrainConfig) and config.reward is not None:
        from alignscope.training.rewards import make_reward

        reward = make_reward(config.reward, folder, config.model)
    name, result = train_from_config(config, folder, data=None, reward=reward)  # type: ignore[arg-type]
    metrics = {k: v for k, v in result.log_history[-1].items() if k.startswith("train_")}
    return CheckpointResult(name, result.path, metrics, result.series("loss"))


def sft(config: SFTTrainConfig | Path | str, *, workspace: Path | str | None = None) -> CheckpointResult:
    """Supervised fine-tuning (TRL's SFTTrainer) on messages, prompt/completion or text rows.

    Example (a tiny random model, so that it runs anywhere in seconds)::

        import json
        from pathlib import Path
        from alignscope.training.tiny import tiny_preference_demo

        base, pairs = tiny_preference_demo(Path("demo"))
        from alignscope.training.config import SFTTrainConfig

        rows = [json.loads(line) for line in pairs.read_text().splitlines()]
        sft = Path("demo/sft.jsonl")
        sft.write_text("".join(json.dumps({"prompt": r["prompt"], "completion": r["chosen"]}) + "\\n"
                               for r in rows))
        config = SFTTrainConfig(model=str(base), data=str(sft), name="tiny-sft", max_steps=2, batch_size=4)
        result = alignscope.train.sft(config)
        print(result.checkpoint, result.metrics["train_loss"])
    """
    return _train(_config(config, SFTTrainConfig), workspace)


def dpo(config: DPOTrainConfig | Path | str, *, workspace: Path | str | None = None) -> CheckpointResult:
    """Direct preference optimisation (TRL's DPOTrainer) on prompt/chosen/rejected rows (HH-RLHF dialogues
    too: ``data: hh_rlhf/harmless-base``).

    Example::

        from pathlib import Path
        from alignscope.training.tiny import tiny_preference_demo

        base, pairs = tiny_preference_demo(Path("demo"))
        from alignscope.training.config import DPOTrainConfig

        config = DPOTrainConfig(model=str(base), data=str(pairs), name="tiny-dpo", max_steps=2,
                                batch_size=4)
        print(alignscope.train.dpo(config).metrics["train_loss"])
    """
    return _train(_config(config, DPOTrainConfig), workspace)


def rm(config: RewardTrainConfig | Path | str, *, workspace: Path | str | None = None) -> CheckpointResult:
    """A reward model (TRL's RewardTrainer) on prompt/chosen/rejected rows, saved as a one-logit sequence
    classifier that other tools load as is.

    Example::

        from pathlib import Path
        from alignscope.training.tiny import tiny_preference_demo

        base, pairs = tiny_preference_demo(Path("demo"))
        from alignscope.training.config import RewardTrainConfig

        config = RewardTrainConfig(model=str(base), data=str(pairs), name="tiny-rm", max_steps=2,
                                   batch_size=4)
        print(alignscope.train.rm(config).path)
    """
    return _train(_config(config, RewardTrainConfig), workspace)


def rl(config: RLTrainConfig | Path | str, *, workspace: Path | str | None = None) -> CheckpointResult:
    """On-policy RL (GRPO or RLOO) rewarded by an alignscope scorer or a learned reward model (``reward:
    rm:NAME``: r(sample) - r(chosen)).

    Example (rewarded by the refusal scorer: 1 for each sampled answer that refuses)::

        from pathlib import Path
        from alignscope.training.tiny import tiny_preference_demo

        base, pairs = tiny_preference_demo(Path("demo"))
        from alignscope.training.config import RLTrainConfig

        config = RLTrainConfig(model=str(base), data=str(pairs), name="tiny-rl", reward="refusal",
                               max_steps=1, batch_size=4, num_generations=2, max_completion_length=8)
        print(alignscope.train.rl(config).metrics)
    """
    return _train(_config(config, RLTrainConfig), workspace)


@dataclass
class MetaRewardingResult(RunResult):
    """A Meta-Rewarding (or Self-Rewarding) run: ``metrics`` per iteration (0 = the seed), the ``checkpoints``
    and the report's files (``outputs``)."""

    raw_metrics: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def metrics(self) -> pd.DataFrame:
        """One row per iteration: pairs trained on, win rates, answer length, judge agreement."""
        return pd.json_normalize(self.summary["metrics"])

    @property
    def checkpoints(self) -> list[str]:
        """The iterations' checkpoint names, in order."""
        return self.summary["checkpoints"]

    @property
    def outputs(self) -> dict[str, Any]:
        """The report's files (``html``, ...)."""
        return self.summary["outputs"]


def meta_rewarding(
    config: MetaRewardingConfig | Path | str,
    *,
    workspace: Path | str | None = None,
    run_id: str | None = None,
    out: Path | str | None = None,
    progress: bool = True,
) -> MetaRewardingResult:
    """Meta-Rewarding (or Self-Rewarding, ``self_rewarding: true``) iterations; resumable: the same call goes
    on from the last finished stage. Ends with the report: judged against concrete, per iteration.

    Example (from a YAML config; the README's Meta-Rewarding section describes its fields)::

        from alignscope.training.meta_config import MetaRewardingConfig

        print(sorted(MetaRewardingConfig.model_fields))  # then: alignscope.train.meta_rewarding("loop.yaml")
    """
    from alignscope.report.meta_rewarding import meta_rewarding_report
    from alignscope.training.meta_rewarding import run_meta_rewarding

    cfg = _config(config, MetaRewardingConfig)
    store = RunStore(Path(workspace) if workspace else None)
    engine, _ = open_run(store, "meta-rewarding", cfg.model_dump(mode="json"), run_id, progress=progress)
    result = run_meta_rewarding(cfg, engine, store.workspace)
    source = str(config) if isinstance(config, Path | str) else "config"
    facts = {"run": engine.run_id, "config": source, "checkpoints": ", ".join(result.checkpoints)}
    report = meta_rewarding_report(result.metrics, cfg.model_dump(mode="json"), facts)
    outputs = publish_run_report(engine, report, out)
    summary = close_run(
        engine, {"checkpoints": result.checkpoints, "metrics": result.metrics, "outputs": outputs}
    )
    return MetaRewardingResult(summary, result.metrics)
