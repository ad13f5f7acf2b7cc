"""HuggingFacePredictor.predict_stream on the AWS path: a real boto3 client parses a real
``application/vnd.amazon.eventstream`` answer from a stand-in SageMaker runtime on
127.0.0.1 (moto has no InvokeEndpointWithResponseStream). The parts cut events at awkward
places, as SageMaker may."""

from __future__ import annotations

import json
import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from sagemaker_hf import HuggingFacePredictor, Session
from sagemaker_hf.errors import ModelStreamError
from sagemaker_hf.hosting.response_stream import ByteIterator, EventIterator, LineIterator


def event_message(payload: bytes) -> bytes:
    """One event-stream message carrying a PayloadPart (prelude, headers, payload, CRCs)."""
    headers = {
        ":message-type": "event",
        ":event-type": "PayloadPart",
        ":content-type": "application/octet-stream",
    }
    encoded = b"".join(
        bytes([len(name)]) + name.encode() + b"\x07" + struct.pack("!H", len(value)) + value.encode()
        for name, value in headers.items()
    )
    prelude = struct.pack("!II", 12 + len(encoded) + len(payload) + 4, len(encoded))
    message = prelude + struct.pack("!I", zlib.crc32(prelude)) + encoded + payload
    return message + struct.pack("!I", zlib.crc32(message))


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
    assert json.loads(body) == {"inputs": "Once", "parameters": {"max_new_tokens": 4}}


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
