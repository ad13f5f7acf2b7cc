"""Sentence embeddings and similarity, on the tiny sentence-transformers layout and on the
real all-MiniLM-L6-v2."""

from __future__ import annotations

import json
import math

import pytest
import torch

from sagemaker_hf.toolkit.errors import BadInputError
from sagemaker_hf.toolkit.tasks import resolve_task
from sagemaker_hf.toolkit.tasks.sentence import pool, pooling_mode

FOOD = "A man is eating food."
BREAD = "A man is eating a piece of bread."
STOCKS = "The stock market fell today."


def test_minilm_serves_feature_extraction_token_states(task_models, minilm_model_dir):
    assert resolve_task(minilm_model_dir, None) == "sentence-embeddings"
    states = task_models("feature-extraction", minilm_model_dir).predict(FOOD, {})
    assert len(states) == 1 and len(states[0]) >= 7 and all(len(token) == 384 for token in states[0])


def test_minilm_similarity_orders_by_meaning(task_models, minilm_model_dir):
    model = task_models("sentence-similarity", minilm_model_dir)
    scores = model.predict({"source_sentence": FOOD, "sentences": [BREAD, STOCKS]}, {})["similarities"]
    assert scores[0] == pytest.approx(0.755, abs=0.01)
    assert scores[1] == pytest.approx(-0.017, abs=0.01)
    assert scores[0] > scores[1]


def test_minilm_embeddings_are_unit_vectors_whose_dot_is_the_similarity(task_models, minilm_model_dir):
    embeddings = task_models("sentence-embeddings", minilm_model_dir).predict([FOOD, BREAD], {})["embeddings"]
    assert len(embeddings) == 2 and all(len(vector) == 384 for vector in embeddings)
    assert all(math.isclose(sum(x * x for x in vector), 1.0, rel_tol=1e-5) for vector in embeddings)
    assert sum(a * b for a, b in zip(*embeddings, strict=True)) == pytest.approx(0.755, abs=0.01)
    single = task_models("sentence-embeddings", minilm_model_dir).predict(FOOD, {})["embeddings"]
    assert single == pytest.approx(embeddings[0], abs=1e-5)


@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        ({"sentences": ["a"]}, "needs 'source_sentence'"),
        ({"source_sentence": "a", "sentences": []}, "needs 'source_sentence'"),
        ({"source_sentence": "a", "sentences": ["b", 3]}, "must be a string"),
        ("just a string", "expects an object"),
    ],
)
def test_similarity_input_errors(task_models, inputs, fragment):
    with pytest.raises(BadInputError) as caught:
        task_models("sentence-similarity").predict(inputs, {})
    assert fragment in caught.value.message and "source_sentence" in caught.value.message


def test_sentence_tasks_take_no_parameters(task_models):
    with pytest.raises(BadInputError, match="'normalize'"):
        task_models("sentence-embeddings").predict("a", {"normalize": False})


def test_pooling_modes_follow_the_pooling_config(tmp_path):
    states = torch.tensor([[[1.0, 0.0], [3.0, 4.0], [9.0, 9.0]]])
    mask = torch.tensor([[1, 1, 0]])
    assert pool(states, mask, "mean").tolist() == [[2.0, 2.0]]
    assert pool(states, mask, "cls").tolist() == [[1.0, 0.0]]
    assert pool(states, mask, "max").tolist() == [[3.0, 4.0]]
    assert pool(states, mask, "last").tolist() == [[3.0, 4.0]]
    assert pooling_mode(tmp_path) == "mean"
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    assert pooling_mode(tmp_path) == "cls"
