"""HuggingFacePredictor.predict_stream on the AWS path: a real boto3 client parses a real
``application/vnd.amazon.eventstream`` answer from a stand-in SageMaker runtime on
127.0.0.1 (moto has no InvokeEndpointWithResponseStream). The parts cut events at awkward
places, as SageMaker may."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from sagemaker_hf import HuggingFacePredictor, Session
from sagemaker_hf.errors import ModelStreamError
from sagemaker_hf.hosting.response_stream import ByteIterator, EventIterator, LineIterator
from tests.hosting import recorded_streams as recorded
from tests.hosting.recorded_streams import event_message


def sse(payload: dict) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


TOKENS = [" upon", " a", " time", " \u00e9t\u00e9"]
STREAM = b"".join(
    [
        *(
            sse({"index": n, "token": {"id": n, "text": text, "special": False}, "generated_text": None})
            for n, text in enumerate(TOKENS, start=1)
        ),
        sse(
            {
                "index": 5,
                "token": {"id": None, "text": "", "special": True},
                "generated_text": "Once upon a time \u00e9t\u00e9",
            }
        ),
    ]
)


class FakeRuntime(BaseHTTPRequestHandler):
    parts: ClassVar[list[bytes]] = []
    requests: ClassVar[list[tuple[str, dict, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeRuntime.requests.append((self.path, dict(self.headers), body))
        payload = b"".join(event_message(part) for part in FakeRuntime.parts)
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header("X-Amzn-SageMaker-Content-Type", "text/event-stream")
        self.send_header("x-Amzn-Invoked-Production-Variant", "AllTraffic")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *arguments) -> None:
        pass


@pytest.fixture
def runtime(monkeypatch) -> Iterator[type[FakeRuntime]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRuntime)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", f"http://127.0.0.1:{server.server_port}")
    FakeRuntime.requests = []
    FakeRuntime.parts = [STREAM[:7], STREAM[7:150], STREAM[150:151], STREAM[151:]]  # cut anywhere
    try:
        yield FakeRuntime
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def predictor() -> HuggingFacePredictor:
    import boto3

    return HuggingFacePredictor("my-llm", Session(boto_session=boto3.Session(region_name="us-east-1")))


def test_predict_stream_yields_the_tokens_and_sends_boto3_request(runtime, predictor):
    tokens = list(predictor.predict_stream({"inputs": "Once", "parameters": {"max_new_tokens": 4}}))
    assert tokens == TOKENS
    path, headers, body = runtime.requests[0]
    assert path == "/endpoints/my-llm/invocations-response-stream"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Amzn-SageMaker-Accept"] == "text/event-stream"
    # "stream": true at the top level, where TGI's generate reads it (never inside parameters)
    assert json.loads(body) == {"inputs": "Once", "parameters": {"max_new_tokens": 4}, "stream": True}


def test_initial_args_and_optional_fields_reach_the_request(runtime, predictor):
    stream = predictor.predict_stream(
        {"inputs": "Once", "stream": True},
        initial_args={"Accept": "application/json"},
        target_variant="Blue",
        inference_id="req-1",
        custom_attributes="trace=7",
    )
    assert list(stream) == TOKENS
    _, headers, _ = runtime.requests[0]
    assert headers["X-Amzn-SageMaker-Accept"] == "application/json"
    assert headers["X-Amzn-SageMaker-Target-Variant"] == "Blue"
    assert headers["X-Amzn-SageMaker-Inference-Id"] == "req-1"
    assert headers["X-Amzn-SageMaker-Custom-Attributes"] == "trace=7"


def test_other_iterators_see_events_lines_and_parts(runtime, predictor):
    events = list(predictor.predict_stream({"inputs": "Once"}, iterator=EventIterator))
    assert [event["index"] for event in events] == [1, 2, 3, 4, 5]
    assert events[-1]["generated_text"] == "Once upon a time \u00e9t\u00e9"
    lines = list(predictor.predict_stream({"inputs": "Once"}, iterator=LineIterator))
    assert [line for line in lines if line] == [line for line in STREAM.split(b"\n") if line]
    parts = list(predictor.predict_stream({"inputs": "Once"}, iterator=ByteIterator))
    assert parts == runtime.parts


def test_an_error_event_raises_model_stream_error(runtime, predictor):
    error = {"error": "CUDA out of memory", "error_type": "ModelError", "code": 500}
    runtime.parts = [STREAM.split(b"\n\n")[0] + b"\n\n", sse(error)]
    stream = iter(predictor.predict_stream({"inputs": "Once"}))
    assert next(stream) == TOKENS[0]
    with pytest.raises(ModelStreamError, match=r"\(ModelError\): CUDA out of memory") as caught:
        next(stream)
    assert caught.value.error_code == "ModelError"


def _cut(stream: bytes, size: int) -> list[bytes]:
    return [stream[start : start + size] for start in range(0, len(stream), size)]


CHAT = {"messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 5}


@pytest.mark.parametrize(
    "stream",
    [recorded.TGI_GENERATE, recorded.TGI_MESSAGES, recorded.VLLM_CHAT],
    ids=["tgi", "messages", "vllm"],
)
def test_token_texts_of_each_llm_event_format(runtime, predictor, stream):
    runtime.parts = _cut(stream, 37)  # events cut across parts, several events in a part
    assert list(predictor.predict_stream(CHAT)) == recorded.TEXTS
    _, headers, body = runtime.requests[0]
    assert json.loads(body) == {**CHAT, "stream": True}
    assert headers["X-Amzn-SageMaker-Accept"] == "text/event-stream"


def test_done_ends_the_iteration(runtime, predictor):
    after = recorded.event({"choices": [{"index": 0, "delta": {"content": " never"}}]})
    runtime.parts = [recorded.VLLM_CHAT + after]
    assert list(predictor.predict_stream(CHAT)) == recorded.TEXTS


def test_an_openai_error_event_raises_model_stream_error(runtime, predictor):
    first_two = recorded.VLLM_CHAT.split(b"\n\n")[:2]
    runtime.parts = [b"\n\n".join(first_two) + b"\n\n", recorded.VLLM_ERROR]
    stream = iter(predictor.predict_stream(CHAT))
    assert next(stream) == recorded.TEXTS[0]
    with pytest.raises(ModelStreamError, match=r"\(BadRequestError\): KV cache exhausted") as caught:
        next(stream)
    assert caught.value.error_code == "BadRequestError"


def test_a_stream_field_the_caller_set_is_sent_as_it_is(runtime, predictor):
    runtime.parts = [recorded.TGI_GENERATE]
    list(predictor.predict_stream({"inputs": "Once", "stream": False}))
    assert json.loads(runtime.requests[0][2]) == {"inputs": "Once", "stream": False}


def test_bytes_are_sent_as_they_are(runtime):
    import boto3

    from sagemaker_hf import Predictor

    runtime.parts = [recorded.TGI_GENERATE]
    bytes_predictor = Predictor("my-llm", Session(boto_session=boto3.Session(region_name="us-east-1")))
    assert list(bytes_predictor.predict_stream(b'{"inputs": "Once"}')) == recorded.TEXTS
    assert runtime.requests[0][2] == b'{"inputs": "Once"}'
