"""On transformers 4.x, our adapters for the pipelines transformers 5 removed answer exactly as
the 4.x pipelines do (same tiny model, same request)."""

from __future__ import annotations

import pytest
import transformers

from sagemaker_hf.testing import samples

pytestmark = pytest.mark.skipif(
    not transformers.__version__.startswith("4."), reason="the 4.x pipelines are the reference"
)

QA = samples.QA_INPUTS
LONG_QA = {"question": "Where does Philipp live?", "context": " ".join([QA["context"]] * 12)}


@pytest.fixture(scope="module")
def native(tiny_models):
    from transformers import pipeline

    def load(task: str, model_task: str):
        return pipeline(task, model=str(tiny_models[model_task]))

    return load


@pytest.mark.parametrize(
    ("inputs", "parameters"),
    [
        (QA, {}),
        (QA, {"top_k": 5}),
        (QA, {"top_k": 3, "handle_impossible_answer": True}),
        (QA, {"top_k": 4, "align_to_words": False, "max_answer_len": 4}),
        (LONG_QA, {"top_k": 3}),
        (LONG_QA, {"top_k": 3, "max_seq_len": 48, "doc_stride": 16}),
        ([QA, LONG_QA], {"top_k": 2}),
    ],
)
def test_question_answering_matches_the_4x_pipeline(task_models, native, inputs, parameters):
    expected = native("question-answering", "question-answering")(inputs, **parameters)
    actual = task_models("question-answering").predict(inputs, parameters)
    assert actual == expected


@pytest.mark.parametrize(
    ("task", "inputs", "parameters"),
    [
        ("summarization", samples.SUMMARIZATION_TEXT, {"max_new_tokens": 6}),
        ("summarization", samples.SUMMARIZATION_TEXT, {"max_new_tokens": 6, "repetition_penalty": 4.0}),
        ("translation_en_to_fr", ["hello world", "this movie is terrible"], {"max_new_tokens": 5}),
        ("text2text-generation", "hello", {"max_new_tokens": 4, "num_beams": 2, "num_return_sequences": 2}),
    ],
)
def test_seq2seq_matches_the_4x_pipeline(task_models, native, task, inputs, parameters):
    expected = native(task, "text2text-generation")(inputs, **parameters)
    assert task_models(task).predict(inputs, parameters) == expected
