"""On transformers 4.x, our adapters for the pipelines transformers 5 removed answer exactly as
the 4.x pipelines do (same tiny model, same request)."""

from __future__ import annotations

import pytest
import transformers

from sagemaker_hf.testing import samples, tokenizers
from sagemaker_hf.testing.text_models import build_bart
from sagemaker_hf.toolkit.errors import BadInputError

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
    assert same_answers(actual, expected), f"{actual} != {expected}"


def same_answers(actual, expected) -> bool:
    """Equal, but scores only to float32 precision: the spans of a long context go through the
    model in other batches than the pipeline's, which moves the last bits of a logit."""
    if isinstance(expected, float) and isinstance(actual, float):
        return actual == pytest.approx(expected, rel=1e-6, abs=1e-12)
    if isinstance(expected, dict) and isinstance(actual, dict):
        return actual.keys() == expected.keys() and all(
            same_answers(actual[k], expected[k]) for k in expected
        )
    if isinstance(expected, list) and isinstance(actual, list):
        return len(actual) == len(expected) and all(map(same_answers, actual, expected))
    return type(actual) is type(expected) and actual == expected


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


# Settings under which the tiny random T5's output depends on every input token: each step must
# produce a new token, and the encoder sees the whole input through attention.
SENSITIVE = {"max_new_tokens": 8, "min_new_tokens": 8, "num_beams": 1, "no_repeat_ngram_size": 1}
# Over the T5 tokenizer's model_max_length (512): the tail is what a truncation would cut.
LONG_TEXT = "hello world " * 300 + tokenizers.CORPUS


@pytest.mark.parametrize(
    ("task", "inputs", "parameters"),
    [
        ("summarization", LONG_TEXT, SENSITIVE),  # 4.x does not truncate a T5's input
        ("summarization", [LONG_TEXT, "hello world"], SENSITIVE),
        ("summarization", LONG_TEXT, {**SENSITIVE, "truncation": True}),
        ("translation_en_to_de", "hello world", SENSITIVE),  # no en→de entry: no prefix
        ("translation_en_to_fr", "hello world", SENSITIVE),  # the config's en→fr prefix
        ("translation", "hello world", SENSITIVE),  # the config's first translation entry
    ],
)
def test_seq2seq_t5_inputs_and_prefixes_match_the_4x_pipeline(task_models, native, task, inputs, parameters):
    expected = native(task, "text2text-generation")(inputs, **parameters)
    assert task_models(task).predict(inputs, parameters) == expected


@pytest.fixture(scope="module")
def bart_dir(tmp_path_factory):
    return build_bart(tmp_path_factory.mktemp("bart") / "bart", max_positions=64)


def test_bart_matches_the_4x_pipeline_within_its_positions(task_models, bart_dir):
    from transformers import pipeline

    native = pipeline("summarization", model=str(bart_dir))
    for inputs in ("hello world " * 3, ["hello world", "this movie is terrible"]):
        expected = native(inputs, max_new_tokens=5)
        assert task_models("summarization", bart_dir).predict(inputs, {"max_new_tokens": 5}) == expected


def test_bart_inputs_past_its_positions_crashed_4x_and_are_cut_here(task_models, bart_dir):
    from transformers import pipeline

    long_text = "hello world " * 40  # about 280 tokens; the table holds 64 positions
    with pytest.raises(IndexError):  # what the 4.x pipeline did
        pipeline("summarization", model=str(bart_dir))(long_text, max_new_tokens=5)
    model = task_models("summarization", bart_dir)
    answer = model.predict(long_text, {"max_new_tokens": 5})
    assert len(answer) == 1 and set(answer[0]) == {"summary_text"}
    with pytest.raises(BadInputError, match="reads at most 64"):
        model.predict(long_text, {"max_new_tokens": 5, "truncation": False})
