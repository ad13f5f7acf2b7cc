"""Regression tests for what fuzzing ``/invocations`` found (each was a 500 or a hang before).

The hang (a large batch half-written to a worker's pipe) is tested over HTTP in
``test_fuzz.py``; these run in process."""

from __future__ import annotations

import json

import pytest

from sagemaker_hf.toolkit import codecs, sse
from sagemaker_hf.toolkit.errors import BadInputError
from sagemaker_hf.toolkit.handler import batch_key
from sagemaker_hf.toolkit.tasks.parameters import check_parameter_names

JSON = "application/json"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[" * 50_000 + "]" * 50_000, JSON),
        ('{"a":' * 5000 + "1" + "}" * 5000, JSON),
        ('{"inputs": "x"}\n' + "[" * 5000 + "]" * 5000, JSON),  # looks like JSON Lines
        ("[" * 5000 + "]" * 5000, "application/jsonlines"),
    ],
)
def test_json_nested_too_deep_is_bad_input(body, content_type):
    with pytest.raises(BadInputError, match="nests arrays or objects too deeply"):
        codecs.decode(body.encode(), content_type)


def test_an_integer_python_cannot_convert_is_bad_input():
    with pytest.raises(BadInputError, match=r"number Python cannot read .*4300 digits.*send it as a string"):
        codecs.decode(b'{"inputs": ' + b"9" * 5000 + b"}", JSON)


def test_the_front_does_not_fail_on_deep_json_asking_for_a_stream():
    body = b'{"stream": true, "inputs": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    assert sse.body_asks_stream(body) is False  # the worker answers 400 for it


def test_parameters_too_deep_to_compare_go_alone_instead_of_failing_the_batch():
    deep: object = 1
    for _ in range(990):
        deep = [deep]
    payload = {"inputs": "x", "parameters": {"top_k": deep}}
    assert batch_key(payload) is None
    assert batch_key({"inputs": "x", "parameters": {"top_k": 2}}) == json.dumps({"top_k": 2})


def test_thousands_of_unknown_parameters_give_a_short_message():
    with pytest.raises(BadInputError) as raised:
        check_parameter_names({f"p{i}": i for i in range(5000)}, ["top_k"], "text-classification")
    message = raised.value.message
    assert len(message) < 500
    assert "'p0'" in message and "and 4990 more" in message


@pytest.mark.slow
def test_a_prompt_longer_than_the_model_reads_is_bad_input(task_models):
    model = task_models("text-generation")
    with pytest.raises(BadInputError, match="longer than the model reads"):
        model.predict("word " * 2000, {"max_new_tokens": 2})


@pytest.mark.slow
@pytest.mark.parametrize(
    ("samples", "problem"),
    [([[None, None, None]], "3 samples long"), ([0.0] * 800 + [None], "null, NaN or infinite")],
)
def test_unusable_audio_samples_are_bad_input(task_models, samples, problem):
    model = task_models("audio-classification")
    with pytest.raises(BadInputError, match=problem):
        model.predict(samples, {})


@pytest.mark.slow
def test_a_parameter_nested_hundreds_deep_is_bad_input_before_the_model_sees_it(task_models):
    # transformers' own "top_k has to be a strictly positive integer, but is [[[...]]]" message
    # hit RecursionError while formatting the value, which came back as a 500.
    deep: object = 1
    for _ in range(500):
        deep = [deep]
    model = task_models("text-generation")
    with pytest.raises(BadInputError, match="parameter 'top_k' nests lists or objects more than 16 levels"):
        model.predict("Hello", {"top_k": deep})
    answers = model.predict_batch(["Hello", "there"], {"top_k": deep})
    assert all(isinstance(answer, BadInputError) and "'top_k' nests" in answer.message for answer in answers)
    assert model.predict("Hello", {"max_new_tokens": 2, "bad_words_ids": [[5]]})[0]["generated_text"]


def test_an_error_quoting_a_huge_value_gives_a_bounded_body():
    # transformers' refusal of a parameter quotes the whole value; the body keeps its beginning.
    from sagemaker_hf.toolkit.errors import MAX_MESSAGE_CHARS, error_body

    body = error_body(BadInputError("top_k has to be a strictly positive integer, but is " + "x" * 10_000))
    assert body["code"] == 400 and body["type"] == "BadInputError"
    assert body["message"].startswith("top_k has to be a strictly positive integer, but is xxx")
    assert body["message"].endswith(f"… ({10_052 - MAX_MESSAGE_CHARS:,} more characters cut)")
    assert len(body["message"]) < MAX_MESSAGE_CHARS + 50
    assert error_body(BadInputError("short"))["message"] == "short"
