"""The tiny offline models: deterministic, small, loadable on 4.x and 5.x, with the labels tests rely on."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from sagemaker_hf.testing import TINY_MODEL_TASKS, build_tiny_model, tiny_model_kind


def digest(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("task", ["text-classification", "text-generation", "text2text-generation"])
def test_builds_are_deterministic(tmp_path, tiny_models, task):
    again = build_tiny_model(task, tmp_path / task)
    assert digest(again) == digest(tiny_models[task])


def test_every_model_is_small_and_serveable(tiny_models):
    total = 0
    for task in TINY_MODEL_TASKS:
        directory = tiny_models[task]
        config = json.loads((directory / "config.json").read_text())
        assert config["architectures"], task
        assert (directory / "model.safetensors").is_file(), task
        tokenizer_config = directory / "tokenizer_config.json"
        if (directory / "tokenizer.json").is_file():
            # transformers 5 would write TokenizersBackend, which 4.x cannot load.
            assert json.loads(tokenizer_config.read_text())["tokenizer_class"] == "PreTrainedTokenizerFast", (
                task
            )
        total += sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())
    assert total < 8_000_000


@pytest.mark.parametrize(
    ("task", "labels"),
    [
        ("text-classification", ["NEGATIVE", "POSITIVE"]),
        ("zero-shot-classification", ["contradiction", "neutral", "entailment"]),
        (
            "token-classification",
            ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"],
        ),
    ],
)
def test_labels(tiny_models, task, labels):
    config = json.loads((tiny_models[task] / "config.json").read_text())
    assert [config["id2label"][str(index)] for index in range(len(labels))] == labels


def test_sentence_transformers_layout(tiny_models):
    directory = tiny_models["sentence-similarity"]
    modules = json.loads((directory / "modules.json").read_text())
    assert [module["path"] for module in modules] == ["", "1_Pooling", "2_Normalize"]
    assert json.loads((directory / "1_Pooling" / "config.json").read_text())["pooling_mode_mean_tokens"]


def test_task_names_map_to_models():
    assert tiny_model_kind("translation_en_to_fr") == "text2text-generation"
    assert tiny_model_kind("sentiment-analysis") == "text-classification"
    with pytest.raises(ValueError, match="no tiny model for task 'depth-estimation'"):
        tiny_model_kind("depth-estimation")
