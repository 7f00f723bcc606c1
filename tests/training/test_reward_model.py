"""Reward models through TRL's RewardTrainer on a tiny random model: a planted preference is learned, the
checkpoint reloads as a plain one-logit sequence classifier, and RL scores samples with it."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from cli_runner import cli  # noqa: F401  (the in-process CLI fixture)
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from alignscope.errors import ConfigError, DataError
from alignscope.training.checkpoints import list_checkpoints
from alignscope.training.config import LoraSettings, RewardTrainConfig, RLTrainConfig
from alignscope.training.reward_model import RewardModel, reward_model_dir, train_rm
from alignscope.training.rewards import rm_reward
from alignscope.training.rl import train_rl
from alignscope.training.run import train_from_config
from alignscope.training.tiny import build_tiny_chat_model

WORDS = ["apple", "river", "stone", "cloud", "green", "table", "window", "music", "paper", "light"]
MARKER = "zebra"


def planted_pairs(n: int, seed: int) -> list[dict[str, str]]:
    """Pairs whose chosen reply (alone) carries the marker word; everything else is random words."""
    rng = random.Random(seed)

    def words(k: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(k))

    rows = []
    for _ in range(n):
        reply = words(4).split()
        chosen = reply.copy()
        chosen[rng.randrange(len(chosen))] = MARKER
        rows.append({"prompt": words(3) + "?", "chosen": " ".join(chosen), "rejected": " ".join(reply)})
    return rows


@pytest.fixture(scope="module")
def word_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = [" ".join(WORDS + [MARKER])] * 8
    return build_tiny_chat_model(tmp_path_factory.mktemp("words") / "base", corpus, hidden_size=32)


@pytest.fixture(scope="module")
def trained_rm(word_model: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    workspace = tmp_path_factory.mktemp("ws")
    config = RewardTrainConfig(
        model=str(word_model), name="toy-rm", learning_rate=3e-3, epochs=4, batch_size=8, logging_steps=2
    )
    name, result = train_from_config(config, workspace, data=planted_pairs(64, seed=0))
    assert result.series("loss")[-1] < result.series("loss")[0]
    return workspace, name


def test_rm_learns_a_planted_preference_and_reloads_as_a_plain_classifier(
    trained_rm: tuple[Path, str],
) -> None:
    workspace, name = trained_rm
    entry = list_checkpoints(workspace)[name]
    assert entry.kind == "rm"
    path = workspace / entry.path
    model = AutoModelForSequenceClassification.from_pretrained(path).eval()  # as other tools load it
    assert model.config.num_labels == 1 and model.config.architectures[0].endswith(
        "ForSequenceClassification"
    )
    assert model.config.pad_token_id is not None
    tokenizer = AutoTokenizer.from_pretrained(path)
    held_out = planted_pairs(40, seed=1)
    rm = RewardModel.load(name, workspace)
    prompts = [[{"role": "user", "content": r["prompt"]}] for r in held_out]
    chosen = rm.score(prompts, [r["chosen"] for r in held_out])
    rejected = rm.score(prompts, [r["rejected"] for r in held_out])
    accuracy = float(np.mean(np.array(chosen) > np.array(rejected)))
    assert accuracy >= 0.8
    # RewardModel scores exactly as a plain AutoModelForSequenceClassification does on the chat text
    text = tokenizer.apply_chat_template(
        prompts[0] + [{"role": "assistant", "content": held_out[0]["chosen"]}], tokenize=False
    )
    with torch.no_grad():
        direct = model(**tokenizer(text, return_tensors="pt")).logits[0, 0].item()
    assert direct == pytest.approx(chosen[0], abs=1e-4)


def test_a_causal_lm_or_a_multi_label_model_is_not_a_reward_model(word_model: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a sequence-classification reward model"):
        reward_model_dir(str(word_model), None)
    with pytest.raises(ConfigError, match="neither a registered checkpoint"):
        reward_model_dir(str(tmp_path / "nowhere"), tmp_path)
    three = tmp_path / "three"
    AutoModelForSequenceClassification.from_pretrained(word_model, num_labels=3).save_pretrained(three)
    with pytest.raises(ConfigError, match="3 labels"):
        reward_model_dir(str(three), None)


def test_rl_against_the_rm_rewards_sample_minus_chosen(
    trained_rm: tuple[Path, str], word_model: Path, tmp_path: Path
) -> None:
    workspace, name = trained_rm
    rows = planted_pairs(4, seed=2)
    reward = rm_reward(f"rm:{name}", workspace, policy=word_model)
    rm = RewardModel.load(name, workspace)
    prompts = [[{"role": "user", "content": r["prompt"]}] for r in rows]
    completions = [[{"role": "assistant", "content": r["rejected"]}] for r in rows]
    chosen = [[{"role": "assistant", "content": r["chosen"]}] for r in rows]
    got = reward(prompts=prompts, completions=completions, chosen=chosen)
    expected = np.array(rm.score(prompts, completions)) - np.array(rm.score(prompts, chosen))
    assert np.allclose(got, expected, atol=1e-5) and (np.array(got) < 0).mean() >= 0.75
    config = RLTrainConfig(
        model=str(word_model),
        reward=f"rm:{name}",
        max_steps=2,
        batch_size=4,
        num_generations=4,
        max_completion_length=6,
        logging_steps=1,
        learning_rate=1e-3,
    )
    result = train_rl(word_model, rows, reward, config, tmp_path / "rl", workspace)
    assert len(result.series(f"rewards/rm:{name}/mean")) >= 2


def test_rm_of_another_tokenizer_is_one_config_error(trained_rm: tuple[Path, str], tiny_model: Path) -> None:
    workspace, name = trained_rm
    index = (workspace / "models.json").read_text()
    with pytest.raises(ConfigError, match="another tokenizer"):
        rm_reward(f"rm:{name}", workspace, policy=tiny_model)
    assert (workspace / "models.json").read_text() == index
    assert json.loads(index)[name]["kind"] == "rm"


def test_rl_rows_need_the_chosen_reply(
    trained_rm: tuple[Path, str], word_model: Path, tmp_path: Path
) -> None:
    workspace, name = trained_rm
    reward = rm_reward(f"rm:{name}", workspace, policy=word_model)
    config = RLTrainConfig(model=str(word_model), reward=f"rm:{name}", max_steps=1, batch_size=2)
    with pytest.raises(DataError, match="row 2: .*give 'chosen'"):
        train_rl(
            word_model, [{"prompt": "a", "chosen": "b"}, {"prompt": "c"}], reward, config, tmp_path / "rl"
        )


def test_train_rm_and_rl_commands(
    cli,  # noqa: F811
    trained_rm: tuple[Path, str],
    word_model: Path,
    tmp_path: Path,
) -> None:
    data = tmp_path / "pairs.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in planted_pairs(8, seed=3)))
    rm_yaml = tmp_path / "rm.yaml"
    rm_yaml.write_text(yaml.safe_dump({"model": str(word_model), "name": "cli-rm", "data": str(data),
                                       "max_steps": 1, "batch_size": 4}))  # fmt: skip
    ws = tmp_path / "ws"
    result = cli("train", "rm", str(rm_yaml), "--workspace", str(ws), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["checkpoint"] == "cli-rm" and list_checkpoints(ws)["cli-rm"].kind == "rm"
    index = (ws / "models.json").read_text()
    rl_yaml = tmp_path / "rl.yaml"
    rl = {"model": str(word_model), "data": str(data), "reward": f"rm:{word_model}", "max_steps": 1}
    rl_yaml.write_text(yaml.safe_dump(rl))
    result = cli("train", "rl", str(rl_yaml), "--workspace", str(ws))
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
    assert "not a sequence-classification reward model" in result.err
    assert (ws / "models.json").read_text() == index  # nothing stored lost or added


def test_rm_with_lora_saves_a_merged_plain_classifier(word_model: Path, tmp_path: Path) -> None:
    config = RewardTrainConfig(
        model=str(word_model), lora=LoraSettings(r=4), max_steps=2, batch_size=4, learning_rate=1e-2
    )
    result = train_rm(word_model, planted_pairs(8, seed=4), config, tmp_path / "rm")
    assert (result.path / "adapter").is_dir()
    model = AutoModelForSequenceClassification.from_pretrained(result.path)
    assert model.config.num_labels == 1
    assert not any("lora" in k for k in model.state_dict())  # adapters merged into plain weights
    base = AutoModelForSequenceClassification.from_pretrained(word_model, num_labels=1)
    merged_q = model.model.layers[0].self_attn.q_proj.weight
    assert not torch.equal(merged_q, base.model.layers[0].self_attn.q_proj.weight)  # the adapter is merged in
