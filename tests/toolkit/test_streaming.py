"""Streamed text generation: server-sent events from the worker's pipe to the HTTP response.

The worker-side test holds generation between two tokens to show that the first token is
on its way before the second exists. Over HTTP a tiny GPT-2 streams; its answers are
compared with the non-streamed ones.
"""

from __future__ import annotations

import json
import os
import socket
import threading

import pytest

from sagemaker_hf.toolkit import messages, sse
from sagemaker_hf.toolkit.errors import NotAcceptableError
from sagemaker_hf.toolkit.server import Front
from sagemaker_hf.toolkit.tasks.text_stream import Piece
from sagemaker_hf.toolkit.worker_main import Outbox, RequestLoop
from tests.fixtures.toolkit_server import running_server


def events_of(text: str) -> list[dict]:
    blocks = [block for block in text.split("\n\n") if block]
    assert all(block.startswith("data: ") for block in blocks), blocks
    return [json.loads(block.removeprefix("data: ")) for block in blocks]


# ---------------------------------------------------------------------------- in the worker


class HeldTextStream:
    """Two pieces; the second only once the test sets ``release``."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.cancelled = False

    def __iter__(self):
        yield Piece("Hello", 15496)
        assert self.release.wait(30)
        yield Piece(" world", 995)

    def generated_text(self) -> str:
        return "Hello world"

    def cancel(self) -> None:
        self.cancelled = True


class StreamingHandler:
    def __init__(self) -> None:
        self.text_stream = HeldTextStream()

    def stream(self, request: messages.Request) -> sse.EventStream:
        return sse.EventStream(self.text_stream)


def test_the_worker_sends_each_token_as_it_comes():
    from multiprocessing import Pipe

    front, worker_end = Pipe()
    handler = StreamingHandler()
    loop = RequestLoop(worker_end, Outbox(worker_end), handler)
    thread = threading.Thread(target=loop.serve, daemon=True)
    thread.start()
    reader = socket.socket(fileno=os.dup(front.fileno()))
    frames = messages.FrameReader()
    arrived: list = []

    def next_message():
        while not arrived:
            arrived.extend(frames.receive(reader) or [])
        return arrived.pop(0)

    front.send(messages.Invoke((messages.Request(7, b"{}", None, sse.EVENT_STREAM, stream=True),)))
    first = next_message()
    assert isinstance(first, messages.Chunk) and first.request_id == 7
    assert not handler.text_stream.release.is_set()  # the second token does not exist yet
    assert not arrived
    assert events_of(first.data.decode())[0]["token"] == {
        "id": 15496,
        "text": "Hello",
        "logprob": None,
        "special": False,
    }
    handler.text_stream.release.set()
    second, last = next_message(), next_message()
    assert events_of(second.data.decode())[0]["token"]["text"] == " world"
    assert isinstance(last, messages.Reply) and last.content_type == sse.EVENT_STREAM
    final = events_of(last.body.decode())[0]
    assert (final["generated_text"], final["index"], final["token"]["special"]) == ("Hello world", 3, True)
    front.send(messages.Stop())
    thread.join(10)
    assert not thread.is_alive()


def test_a_cancel_between_tokens_stops_the_generation():
    from multiprocessing import Pipe

    front, worker_end = Pipe()
    handler = StreamingHandler()
    thread = threading.Thread(target=RequestLoop(worker_end, Outbox(worker_end), handler).serve, daemon=True)
    thread.start()
    front.send(messages.Invoke((messages.Request(3, b"{}", None, sse.EVENT_STREAM, stream=True),)))
    front.send(messages.Cancel(3))
    front.send(messages.Stop())
    handler.text_stream.release.set()
    thread.join(10)
    assert handler.text_stream.cancelled


def test_event_stream_accept_is_refused_when_the_model_cannot_stream():
    capabilities = messages.Capabilities(
        pid=1,
        task="text-classification",
        accepts_csv=True,
        batchable=True,
        streams=False,
        reads_input=False,
        writes_output=False,
        hooks=(),
        gpu_id=None,
        threads=1,
        load_seconds=0.1,
    )
    with pytest.raises(
        NotAcceptableError, match="offered by text-generation models; this server runs text-clas"
    ):
        Front._response_type(capabilities, "application/json", "text/event-stream")


@pytest.mark.parametrize(
    ("accept", "streams"),
    [
        ("text/event-stream", True),
        ("text/event-stream, application/json;q=0.5", True),
        ("application/json, text/event-stream", False),
        ("*/*", False),
        (None, False),
    ],
)
def test_which_accept_headers_ask_for_a_stream(accept, streams):
    assert sse.accepts_event_stream(accept) is streams


# ---------------------------------------------------------------------------- over HTTP

PARAMETERS = {"max_new_tokens": 12, "do_sample": False}


@pytest.fixture(scope="module")
def server(tiny_models):
    with running_server(tiny_models["text-generation"], env={"HF_TASK": "text-generation"}) as running:
        yield running


@pytest.mark.slow
@pytest.mark.parametrize("ask", ["body", "accept"])
def test_text_generation_streams_server_sent_events(server, ask):
    body = {"inputs": "Once upon a time", "parameters": PARAMETERS}
    headers = {"Accept": "text/event-stream"} if ask == "accept" else {}
    if ask == "body":
        body["stream"] = True
    with server.client.stream("POST", "/invocations", json=body, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = events_of(text)
    tokens, final = events[:-1], events[-1]
    assert len(tokens) == 12
    assert [event["index"] for event in events] == list(range(1, 14))
    assert all(event["generated_text"] is None and event["token"]["text"] for event in tokens)
    plain = server.client.post("/invocations", json={"inputs": "Once upon a time", "parameters": PARAMETERS})
    expected = plain.json()[0]["generated_text"]
    assert final["generated_text"] == expected
    assert "Once upon a time" + "".join(event["token"]["text"] for event in tokens) == expected


@pytest.mark.slow
def test_a_request_that_cannot_stream_gets_a_status_code_not_an_event(server):
    body = {"inputs": "Hi", "parameters": {"num_beams": 2, "max_new_tokens": 3}, "stream": True}
    response = server.client.post("/invocations", json=body)
    assert response.status_code == 400
    assert "set num_beams=1 and num_return_sequences=1" in response.json()["message"]
    many = server.client.post("/invocations", json={"inputs": ["a", "b"], "stream": True})
    assert many.status_code == 400 and "a stream answers one prompt" in many.json()["message"]


@pytest.mark.slow
def test_a_client_that_leaves_stops_the_generation(server):
    body = {"inputs": "Hello", "parameters": {"max_new_tokens": 250, "do_sample": False}, "stream": True}
    with server.client.stream("POST", "/invocations", json=body) as response:
        first = next(response.iter_lines())
        assert json.loads(first.removeprefix("data: "))["index"] == 1
    log = server.wait_for_log("token event(s): cancelled")
    count = int(log.split("token event(s): cancelled")[0].rsplit("stopped after ", 1)[1])
    assert count < 250
    server.wait_until(lambda: server.client.get("/info").json()["workers"][0]["in_flight"] == 0)
    after = server.client.post("/invocations", json={"inputs": "Hi", "parameters": PARAMETERS})
    assert after.status_code == 200


@pytest.mark.slow
def test_streams_are_counted_in_metrics(server):
    before = server.client.get("/metrics").text
    with server.client.stream(
        "POST", "/invocations", json={"inputs": "x", "parameters": PARAMETERS, "stream": True}
    ) as r:
        assert r.status_code == 200
        r.read()

    def count(text: str) -> float:
        line = next(
            line for line in text.splitlines() if line.startswith('sagemaker_hf_requests_total{status="200"}')
        )
        return float(line.split(" ")[1])

    server.wait_until(
        lambda: count(server.client.get("/metrics").text) == count(before) + 1, what="the count"
    )
