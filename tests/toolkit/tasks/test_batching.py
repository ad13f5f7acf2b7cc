"""predict_batch: several requests with the same parameters share model calls, and each gets
the answer predict() would give it; a bad request fails only itself."""

from __future__ import annotations

import math

import pytest

from sagemaker_hf.testing import samples
from sagemaker_hf.toolkit.errors import BadInputError

QA = samples.QA_INPUTS
PNG = samples.png_bytes()
WAV = samples.wav_bytes()


def assert_same(actual, expected, path="result"):
    """Equal, with float tolerance: padding a batch moves logits by rounding errors."""
    if isinstance(expected, float):
        assert isinstance(actual, float) and math.isclose(actual, expected, rel_tol=2e-3, abs_tol=2e-4), path
    elif isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), path
        for key in expected:
            assert_same(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for index, (left, right) in enumerate(zip(actual, expected, strict=True)):
            assert_same(left, right, f"{path}[{index}]")
    else:
        assert actual == expected, path


# (HF_TASK, parameters, requests): a mix of single items and lists, of different lengths.
BATCHES = [
    ("text-classification", {}, ["I love it", ["short", "a much longer sentence about music"], "meh"]),
    ("text-classification", {"top_k": 2}, ["I love it", ["short", "longer sentence"]]),
    ("token-classification", {}, ["My name is Sylvain", ["I work at Hugging Face in Brooklyn."]]),
    ("fill-mask", {"top_k": 2}, ["My name is [MASK].", ["[MASK] is a city.", "I live in [MASK] today."]]),
    ("feature-extraction", {}, ["hello", ["hello world", "a longer sentence here"]]),
    ("zero-shot-classification", {"candidate_labels": ["refund", "faq"]}, ["I want my money", ["hi", "bye"]]),
    (
        "question-answering",
        {"top_k": 2},
        [QA, [QA, {**QA, "question": "Where do I live?"}], {**QA, "question": "Who?"}],
    ),
    ("summarization", {"max_new_tokens": 4, "num_beams": 1}, ["hello world", ["the stock market", "a man"]]),
    ("sentence-embeddings", {}, ["A man is eating food.", ["one", "two sentences here"]]),
    (
        "sentence-similarity",
        {},
        [
            {"source_sentence": "a man", "sentences": ["a dog", "a cat"]},
            {"source_sentence": "x", "sentences": ["y"]},
        ],
    ),
    ("image-classification", {}, [PNG, [PNG, PNG]]),
    ("audio-classification", {}, [WAV, [WAV]]),
    ("automatic-speech-recognition", {}, [WAV, [WAV, WAV]]),
]


@pytest.mark.parametrize(
    ("hf_task", "parameters", "requests"), BATCHES, ids=[f"{b[0]}-{i}" for i, b in enumerate(BATCHES)]
)
def test_batch_answers_match_one_by_one(task_models, hf_task, parameters, requests):
    model = task_models(hf_task)
    assert model.batchable
    batched = model.predict_batch(requests, parameters)
    assert len(batched) == len(requests)
    for request, result in zip(requests, batched, strict=True):
        assert_same(result, model.predict(request, parameters))


def test_a_bad_request_fails_only_itself(task_models):
    model = task_models("question-answering")
    results = model.predict_batch([QA, {"question": "no context"}, [QA, QA]], {})
    assert isinstance(results[1], BadInputError) and "missing 'context'" in results[1].message
    assert_same(results[0], model.predict(QA, {}))
    assert len(results[2]) == 2


def test_bad_parameters_fail_every_request(task_models):
    results = task_models("text-classification").predict_batch(["a", "b"], {"top_kk": 1})
    assert len(results) == 2 and all(isinstance(result, BadInputError) for result in results)


def test_a_request_that_spoils_the_shared_call_is_isolated(task_models):
    # Both are valid strings, but the second has no [MASK]: it fails alone.
    results = task_models("fill-mask").predict_batch(
        ["My name is [MASK].", "no mask here", "[MASK] here"], {}
    )
    assert isinstance(results[1], BadInputError)
    assert len(results[0]) == 5 and len(results[2]) == 5


def test_unbatchable_tasks_answer_one_by_one(task_models):
    for hf_task in ("table-question-answering", "conversational"):
        model = task_models(hf_task)
        assert not model.batchable
        request = samples.example_request(hf_task)
        parameters = request.get("parameters", {})
        results = model.predict_batch([request["inputs"], 42], parameters)
        assert not isinstance(results[0], BadInputError) and isinstance(results[1], BadInputError)


class _RecordingPipeline:
    """The real pipeline, recording how many inputs each call gets."""

    def __init__(self, pipeline) -> None:
        self.pipeline = pipeline
        self.calls: list[int] = []

    def __call__(self, inputs, **parameters):
        self.calls.append(len(inputs) if isinstance(inputs, list) else 1)
        return self.pipeline(inputs, **parameters)

    def __getattr__(self, name):
        return getattr(self.pipeline, name)


def test_feature_extraction_batches_run_in_chunks_of_similar_length(
    task_models, minilm_model_dir, monkeypatch
):
    model = task_models("feature-extraction", minilm_model_dir)
    recording = _RecordingPipeline(model.pipeline)
    monkeypatch.setattr(model, "pipeline", recording)
    monkeypatch.setattr(model, "packed", None)  # packing off: what a model that does not pack gets
    texts = [
        "Hi",
        "A much longer sentence about the weather in the mountains today and tomorrow.",
        "Cats",
        "Dogs bark.",
    ]
    batched = model.predict_batch(texts, {})
    # 3, 3 and 5 tokens share a call; the 18-token text goes alone instead of padding the others.
    assert recording.calls == [3, 1]
    for text, answer in zip(texts, batched, strict=True):
        assert_same(answer, model.predict(text, {}))


def test_plain_rows_of_numbers_are_kept_as_they_are():
    from sagemaker_hf.toolkit.tasks.base import plain_output

    row = [0.5, -1.25, 3, None, "x", True]
    assert plain_output(row) is row
    nested = {"a": [row, (1.0, 2.0)], "b": [[0.1], []]}
    assert plain_output(nested) == {"a": [row, [1.0, 2.0]], "b": [[0.1], []]}
