"""Training configs from YAML, and model resolution: embedded GGUF models become trainable HF directories."""

from __future__ import annotations

from pathlib import Path

import pytest

from alignscope.backends.gguf_convert import dequantised_directory
from alignscope.backends.local_files import resolve_local_model
from alignscope.config import load_config
from alignscope.errors import BackendError, ConfigError
from alignscope.training.config import DPOTrainConfig, RLTrainConfig
from alignscope.training.trl_common import load_base


def test_yaml_configs_validate_with_one_line_errors(tmp_path: Path) -> None:
    path = tmp_path / "dpo.yaml"
    path.write_text("model: smollm2-135m\nbeta: 0.2\nlora:\n  r: 4\n  target_modules: [q_proj, v_proj]\n")
    config = load_config(path, DPOTrainConfig)
    assert (config.beta, config.lora.r, config.lora.alpha) == (0.2, 4, 32)
    assert config.learning_rate == 1e-6
    path.write_text("model: m\nlora:\n  rank: 4\n")
    with pytest.raises(ConfigError, match=r"lora\.rank: unknown field"):
        load_config(path, DPOTrainConfig)
    path.write_text("model: m\nnum_generations: 1\n")
    with pytest.raises(ConfigError, match="num_generations"):
        load_config(path, RLTrainConfig)


def test_unknown_model_is_a_backend_error(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="no such file or HF directory"):
        load_base(tmp_path / "nowhere", tmp_path)


def test_embedded_gguf_model_trains_from_its_converted_directory(tmp_path: Path) -> None:
    base = load_base("smollm2-135m", tmp_path)
    assert base.directory == dequantised_directory(resolve_local_model("smollm2-135m"))
    assert (base.directory / "config.json").exists() and base.tokenizer.chat_template
    assert load_base("smollm2-135m", tmp_path).directory == base.directory
