"""LLM and TEI images deployed locally answer in their containers' shapes, through the SDK:
``predict`` returns TGI's generate list and the chat.completion dict, ``predict_stream``
yields the token texts of TGI's token events and of the OpenAI chunks alike, and TEI's
endpoint answers a bare list of vectors. A tiny GPT-2 with a chat template, a tiny
sentence-transformers model; greedy requests, so streamed and whole answers agree."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import HuggingFaceModel, get_huggingface_llm_image_uri
from sagemaker_hf.hosting.response_stream import EventIterator

pytestmark = pytest.mark.slow

CHAT = {"messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 6}
GREEDY_CHAT = {**CHAT, "temperature": 0}
GENERATE = {"inputs": "The capital of France is", "parameters": {"max_new_tokens": 6, "details": True}}


@contextlib.contextmanager
def deployed(model_dir: Any, backend: str) -> Iterator[Any]:
    image = get_huggingface_llm_image_uri(backend, region="us-east-1")
    predictor = HuggingFaceModel(model_data=str(model_dir), image_uri=image).deploy(
        initial_instance_count=1, instance_type="local"
    )
    try:
        yield predictor
    finally:
        with contextlib.suppress(ClientError):
            predictor.delete_endpoint()


@pytest.fixture(scope="module")
def tgi(local_home, tiny_models):
    with deployed(tiny_models["conversational"], "huggingface") as predictor:
        yield predictor


@pytest.fixture(scope="module")
def vllm(local_home, tiny_models):
    with deployed(tiny_models["conversational"], "huggingface-vllm") as predictor:
        yield predictor


def check_chat_completion(answer: Any, max_tokens: int) -> str:
    assert isinstance(answer, dict) and answer["object"] == "chat.completion"
    assert {"id", "created", "model", "choices", "usage"} <= set(answer)
    (choice,) = answer["choices"]
    assert choice["index"] == 0 and choice["message"]["role"] == "assistant"
    assert choice["finish_reason"] in ("length", "stop")
    assert answer["usage"]["completion_tokens"] <= max_tokens
    return choice["message"]["content"]


def test_tgi_generate_answers_tgis_list(tgi):
    (answer,) = tgi.predict(GENERATE)
    assert isinstance(answer["generated_text"], str)
    assert answer["details"]["finish_reason"] == "length" and answer["details"]["generated_tokens"] == 6


def test_tgi_generate_streams_its_tokens(tgi):
    tokens = list(tgi.predict_stream(GENERATE))
    assert tokens and "".join(tokens) == tgi.predict(GENERATE)[0]["generated_text"]


@pytest.mark.parametrize("family", ["tgi", "vllm"])
def test_predict_with_messages_returns_the_chat_completion(family, request):
    predictor = request.getfixturevalue(family)
    content = check_chat_completion(predictor.predict(GREEDY_CHAT), max_tokens=6)
    assert (
        list(predictor.predict_stream(GREEDY_CHAT))
        and "".join(predictor.predict_stream(GREEDY_CHAT)) == content
    )


def test_the_chat_stream_is_openai_chunks_ending_with_done(vllm):
    events = list(vllm.predict_stream(CHAT, iterator=EventIterator))
    assert events[-1] == "[DONE]"
    assert all(event["object"] == "chat.completion.chunk" for event in events[:-1])
    assert events[-2]["choices"][0]["finish_reason"] == "length"


def test_tei_answers_a_bare_list_of_unit_vectors(local_home, tiny_models):
    with deployed(tiny_models["sentence-transformers"], "huggingface-tei-cpu") as tei:
        vectors = tei.predict({"inputs": ["A man is eating food.", "The stock market fell."]})
    assert isinstance(vectors, list) and len(vectors) == 2 and len(vectors[0]) == len(vectors[1]) > 1
    assert all(math.isclose(math.hypot(*vector), 1.0, rel_tol=1e-4) for vector in vectors)
