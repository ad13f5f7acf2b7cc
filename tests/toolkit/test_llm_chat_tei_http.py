"""The vLLM/SGLang chat family and the TEI family over HTTP, on tiny models, checked against
the shapes recorded from vLLM's and TEI's documentation (``tests/toolkit/shapes/``)."""

from __future__ import annotations

import json
import math

import pytest

from tests.fixtures.toolkit_server import running_server
from tests.toolkit.llm_shapes import check, event_data

CHAT = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello there"}]


@pytest.fixture(scope="module")
def vllm(tiny_models):
    env = {"SAGEMAKER_HF_SERVING_API": "vllm", "OMP_NUM_THREADS": "1", "MAX_TOTAL_TOKENS": "64"}
    with running_server(tiny_models["conversational"], env=env) as server:
        yield server


@pytest.fixture(scope="module")
def tei(tiny_models):
    env = {"SAGEMAKER_HF_SERVING_API": "tei", "OMP_NUM_THREADS": "1"}
    with running_server(tiny_models["sentence-embeddings"], env=env) as server:
        yield server


def test_vllm_chat_at_invocations_and_v1(vllm):
    body = {"messages": CHAT, "max_tokens": 5, "temperature": 0, "model": "my-model"}
    answers = [vllm.client.post(path, json=body) for path in ("/invocations", "/v1/chat/completions")]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        check(answer.json(), "chat_completions", "ChatCompletion")
    assert answers[0].json()["model"] == "my-model"
    assert answers[0].json()["choices"] == answers[1].json()["choices"]


def test_vllm_stream_with_usage_then_done(vllm):
    body = {"messages": CHAT, "max_tokens": 5, "temperature": 0, "stream": True}
    body["stream_options"] = {"include_usage": True}
    response = vllm.client.post("/v1/chat/completions", json=body)
    data = event_data(response.text)
    assert data[-1] == "[DONE]"
    chunks = [json.loads(item) for item in data[:-1]]
    for chunk in chunks:
        check(chunk, "chat_completions", "ChatCompletionChunk")
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] <= 5
    assert chunks[-2]["choices"][0]["finish_reason"] in ("stop", "length")


def test_vllm_refuses_tgi_bodies_and_routes(vllm):
    response = vllm.client.post("/invocations", json={"inputs": "hi"})
    assert response.status_code == 400 and '{"messages"' in response.json()["message"]
    assert vllm.client.post("/generate", json={"inputs": "hi"}).status_code == 404


def test_vllm_honours_max_total_tokens(vllm):
    response = vllm.client.post("/invocations", json={"messages": CHAT, "max_tokens": 60})
    assert response.status_code == 400
    assert "`inputs` tokens + `max_tokens` must be <= 64" in response.json()["message"]


def test_tei_embed_answers_a_bare_list_of_vectors(tei):
    single = tei.client.post("/embed", json={"inputs": "A man is eating food."})
    assert single.status_code == 200, single.text
    vectors = single.json()
    assert isinstance(vectors, list) and len(vectors) == 1 and all(isinstance(x, float) for x in vectors[0])
    assert math.isclose(math.hypot(*vectors[0]), 1.0, rel_tol=1e-4)  # normalize defaults to true
    several = tei.client.post(
        "/invocations", json={"inputs": ["A man is eating food.", "The stock market fell."]}
    )
    assert several.status_code == 200 and len(several.json()) == 2
    assert several.json()[0] == pytest.approx(vectors[0], abs=1e-5)


def test_tei_normalize_false_and_dimensions(tei):
    raw = tei.client.post("/embed", json={"inputs": "A man is eating food.", "normalize": False}).json()[0]
    unit = tei.client.post("/embed", json={"inputs": "A man is eating food."}).json()[0]
    assert not math.isclose(math.hypot(*raw), 1.0, rel_tol=1e-3)
    assert [x / math.hypot(*raw) for x in raw] == pytest.approx(unit, abs=1e-5)
    short = tei.client.post("/embed", json={"inputs": "A man is eating food.", "dimensions": 8}).json()[0]
    assert len(short) == 8 and math.isclose(math.hypot(*short), 1.0, rel_tol=1e-4)


def test_tei_refuses_unknown_fields_and_long_inputs(tei):
    response = tei.client.post("/embed", json={"inputs": "hi", "normalise": True})
    assert response.status_code == 400 and "'normalise'" in response.json()["message"]
    long_text = "hello " * 600
    response = tei.client.post("/embed", json={"inputs": long_text})
    assert (
        response.status_code == 400
        and "`inputs` must have less than 128 tokens. Given: 602" in response.json()["message"]
    )
    assert tei.client.post("/embed", json={"inputs": long_text, "truncate": True}).status_code == 200


def test_tei_has_no_stream(tei):
    response = tei.client.post("/embed", json={"inputs": "hi"}, headers={"accept": "text/event-stream"})
    assert response.status_code == 406
