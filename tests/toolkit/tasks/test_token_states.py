"""Packed feature-extraction batches: each text's token states equal the ones it gets alone, the
pipeline keeps every call packing cannot answer exactly, and a model that does not follow
packed inputs is never packed."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch

from sagemaker_hf.toolkit import encoders
from sagemaker_hf.toolkit.tasks import load_task_model
from sagemaker_hf.toolkit.tasks.token_states import PackedTokenStates
from tests.toolkit.tasks.test_packing import SENTENCES, IgnoresPositions

LOGGER = "sagemaker_hf.toolkit.tasks.token_states"


def assert_alone(model, texts, answers, parameters=None):
    for text, answer in zip(texts, answers, strict=True):
        expected = torch.tensor(model.predict(text, parameters or {}))
        assert torch.tensor(answer).shape == expected.shape  # [1, its own tokens, hidden]
        assert (torch.tensor(answer) - expected).abs().max().item() < 1e-5


class CountingPipeline:
    """The real pipeline, counting the calls it answers itself."""

    def __init__(self, pipeline, model=None) -> None:
        self.pipeline = pipeline
        self.model = model or pipeline.model
        self.calls = 0

    def __call__(self, inputs, **parameters):
        self.calls += 1
        return self.pipeline(inputs, **parameters)

    def __getattr__(self, name):
        return getattr(self.pipeline, name)


@pytest.fixture
def fresh_feature_extraction(tiny_models):
    return load_task_model(
        "feature-extraction", tiny_models["feature-extraction"], device="cpu", trust_remote_code=False
    )


@pytest.mark.parametrize("real", [False, True], ids=["tiny", "all-MiniLM-L6-v2"])
def test_a_packed_batch_answers_each_text_as_it_is_answered_alone(
    task_models, minilm_model_dir, real, monkeypatch
):
    model = task_models("feature-extraction", minilm_model_dir if real else None)
    counting = CountingPipeline(model.pipeline)
    monkeypatch.setattr(model.packed, "pipeline", counting)
    texts = [*SENTENCES, "Hi"]
    answers = model.predict_batch(texts, {})
    assert model.packed._mask_form is not None  # the probe passed on this model
    assert counting.calls <= 4  # the probe's sentences alone at most; the batch itself was packed
    assert_alone(model, texts, answers)


def test_a_batch_packing_cannot_shrink_runs_one_text_per_row_without_the_pipeline(task_models, monkeypatch):
    from sagemaker_hf.toolkit import lanes
    from sagemaker_hf.toolkit.tasks import packing

    model = task_models("feature-extraction")
    model.predict_batch(["warm", "up the probe"], {})
    texts = ["Cats sleep.", "Dogs bark.", "Rain falls."]  # similar lengths: nothing to pack
    encoded = model.pipeline.tokenizer(texts, truncation=True)["input_ids"]
    lengths = [len(ids) for ids in encoded]
    assert not packing.worth_packing(lengths, packing.plan_calls(lengths))
    counting = CountingPipeline(model.packed.pipeline)
    monkeypatch.setattr(model.packed, "pipeline", counting)
    marked = []
    real_model_call = lanes.model_call
    monkeypatch.setattr(lanes, "model_call", lambda: marked.append(1) or real_model_call())
    answers = model.predict_batch(texts, {})
    assert counting.calls == 0 and marked  # our own forward, marked for lanes
    monkeypatch.undo()
    assert_alone(model, texts, answers)


def test_array_answers_encode_to_the_bytes_of_the_list_answers(task_models, minilm_model_dir):
    model = task_models("feature-extraction", minilm_model_dir)
    texts = [*SENTENCES[:10], "Hi"]
    lists = model.predict_batch(texts, {})
    model.numpy_answers = True
    try:
        arrays = model.predict_batch(texts, {})
    finally:
        model.numpy_answers = False
    assert all(type(answer[0]) is np.ndarray and answer[0].dtype == np.float64 for answer in arrays)
    assert all(type(answer[0]) is list for answer in lists)
    for accept in ("application/json", "application/jsonlines", "application/x-npy"):
        assert [encoders.encode(answer, accept) for answer in arrays] == [
            encoders.encode(answer, accept) for answer in lists
        ], accept
    assert encoders.encode(arrays, "application/json") == encoders.encode(lists, "application/json")
    assert encoders.encode_records(arrays, "application/jsonlines") == encoders.encode_records(
        lists, "application/jsonlines"
    )


def test_truncation_off_is_packed_and_other_tokenizer_options_keep_the_pipeline(task_models, monkeypatch):
    model = task_models("feature-extraction")
    model.predict_batch(["warm", "up the probe"], {})
    counting = CountingPipeline(model.pipeline)
    monkeypatch.setattr(model, "pipeline", counting)
    texts = SENTENCES[:6]
    assert_alone(model, texts, model.predict_batch(texts, {"truncation": False}), {"truncation": False})
    assert counting.calls == len(texts)  # only assert_alone's own calls
    options = {"tokenize_kwargs": {"add_special_tokens": False}}
    answers = model.predict_batch(texts, options)
    assert counting.calls > len(texts)  # the pipeline answered the batch (in length chunks)
    assert_alone(model, texts, answers, options)


def test_a_model_that_ignores_packed_positions_keeps_the_pipeline(fresh_feature_extraction, caplog):
    model = fresh_feature_extraction
    pipeline = CountingPipeline(model.pipeline, model=IgnoresPositions(model.pipeline.model))
    packed = PackedTokenStates(pipeline)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert packed.answers(SENTENCES, {"truncation": True}) is None
    assert "feature-extraction packing off" in caplog.text and "differ" in caplog.text


def test_the_probe_runs_once_at_the_first_batch_not_at_load(fresh_feature_extraction, caplog):
    model = fresh_feature_extraction
    with caplog.at_level(logging.INFO, logger=LOGGER):
        model.predict("A man is eating food.", {})
        assert "packing" not in caplog.text
        assert_alone(model, ["one", "two words"], model.predict_batch(["one", "two words"], {}))
        model.predict_batch(["three", "four"], {})
    assert caplog.text.count("feature-extraction packing on") == 1


def test_inputs_that_are_not_plain_texts_are_left_to_the_pipeline(fresh_feature_extraction):
    packed = fresh_feature_extraction.packed
    assert packed.answers([["a", "list"], "text"], {}) is None
    assert packed.answers(["text", "more"], {"truncation": "longest_first"}) is None
    assert not packed._probed  # refused before the probe: nothing was run


def test_a_packed_call_the_model_refuses_falls_back_to_the_pipeline(fresh_feature_extraction, monkeypatch):
    # What the pipeline reports as a bad request (an IndexError past the model's positions, say)
    # goes back to the pipeline's own calls, which find the request and fail only it.
    model = fresh_feature_extraction
    model.predict_batch(["warm", "up the probe"], {})
    assert model.packed._mask_form is not None

    def refuses(*args, **kwargs):
        raise IndexError("index out of range in self")

    monkeypatch.setattr(model.packed, "_packed_states", refuses)
    texts = SENTENCES[:5]
    assert_alone(model, texts, model.predict_batch(texts, {}))
