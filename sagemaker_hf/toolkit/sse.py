"""Streamed text generation as server-sent events: which requests stream, the event shapes,
and the front's relay from the worker's messages to the HTTP response.

A request streams when the model can (text-generation) and it asks: ``"stream": true`` in
its JSON body, or ``Accept: text/event-stream`` preferred over JSON. The events are those
of Hugging Face TGI, which SageMaker streaming clients (``InvokeEndpointWithResponseStream``)
parse, one ``data:`` line each (shown wrapped)::

    data: {"index":1,"token":{"id":68,"text":" the","logprob":null,"special":false},
           "generated_text":null,"details":null}
    ...
    data: {"index":9,"token":{"id":null,"text":"","logprob":null,"special":true},
           "generated_text":"Once upon a time the ...","details":null}

The last event carries ``generated_text``, the same text the non-streamed answer holds. An
error after the first event arrives as ``data: {"error": "...", "error_type": "...", "code": N}``,
since the status line has already gone out.

This module imports no model libraries; the worker builds events, the front relays them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from sagemaker_hf.toolkit import media_types, messages
from sagemaker_hf.toolkit.errors import RequestTimeoutError, ToolkitError, rebuild_error

EVENT_STREAM = "text/event-stream"


def accepts_event_stream(accept_header: str | None) -> bool:
    """Whether the Accept header prefers ``text/event-stream`` to every type we encode."""
    if not accept_header or EVENT_STREAM not in accept_header.lower():
        return False
    try:
        return media_types.negotiate(accept_header, [*media_types.ENCODERS, EVENT_STREAM]) == EVENT_STREAM
    except ToolkitError:
        return False  # the usual negotiation reports the bad header


def body_asks_stream(body: bytes) -> bool:
    """Whether a JSON body holds ``"stream": true`` at its top level."""
    if b'"stream"' not in body:  # most requests: no parse
        return False
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return False  # the worker reports the bad JSON (or JSON nested too deep to parse)
    return isinstance(data, dict) and data.get("stream") is True


def event(payload: Any) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return b"data: " + text.encode("utf-8") + b"\n\n"


def token_event(index: int, text: str, token_id: int | None) -> bytes:
    token = {"id": token_id, "text": text, "logprob": None, "special": False}
    return event({"index": index, "token": token, "generated_text": None, "details": None})


def final_event(index: int, generated_text: Any, details: dict[str, Any] | None = None) -> bytes:
    token = {"id": None, "text": "", "logprob": None, "special": True}
    return event({"index": index, "token": token, "generated_text": generated_text, "details": details})


def error_event(error: ToolkitError) -> bytes:
    return event({"error": error.message, "error_type": error.type, "code": error.status})


class EventStream:
    """The worker's side: a task model's text stream as server-sent events. ``tokens()``
    yields an event per text piece as it is generated, then ``final()`` is the last event."""

    def __init__(self, text_stream: Any) -> None:
        self.text_stream = text_stream
        self.count = 0
        self.cancelled = False

    def tokens(self) -> Iterator[bytes]:
        for piece in self.text_stream:
            self.count += 1
            yield token_event(self.count, piece.text, piece.token_id)

    def final(self) -> bytes:
        return final_event(self.count + 1, self.text_stream.generated_text())

    def cancel(self) -> None:
        self.cancelled = True
        self.text_stream.cancel()


class Relay:
    """The front's side of one stream: the worker's messages for it arrive on ``queue``.

    ``first()`` waits for the first message (raising the request's error, so the client
    still gets a status code); ``events()`` then yields the body of the HTTP response and
    calls ``on_end`` when it ends. A client that leaves, or a
    worker silent for longer than ``timeout``, cancels the generation through ``cancel``.
    """

    def __init__(
        self,
        queue: asyncio.Queue,
        timeout: float,
        cancel: Callable[[], None],
        on_end: Callable[[], None],
    ) -> None:
        self.queue = queue
        self.timeout = timeout
        self.cancel = cancel
        self.on_end = on_end
        self._first: bytes = b""
        self._done = False

    async def _next(self) -> Any:
        try:
            return await asyncio.wait_for(self.queue.get(), self.timeout)
        except asyncio.TimeoutError:
            return RequestTimeoutError(
                f"no new token for {self.timeout:g} s (SAGEMAKER_MODEL_SERVER_TIMEOUT); the generation "
                "was stopped. Ask for fewer tokens or raise the timeout"
            )

    async def first(self) -> None:
        """Wait for the stream to start; raise its error if it fails before the first event."""
        message = await self._next()
        if isinstance(message, messages.Chunk):
            self._first = message.data
            return
        if isinstance(message, messages.Reply):  # nothing generated: only the last event
            self._first, self._done = message.body, True
            return
        self._done = True
        self.cancel()
        raise self._error(message)

    @staticmethod
    def _error(message: Any) -> ToolkitError:
        if isinstance(message, messages.Failure):
            return rebuild_error(message.error_type, message.message)
        return message

    async def events(self) -> AsyncIterator[bytes]:
        try:
            yield self._first
            while not self._done:
                message = await self._next()
                if isinstance(message, messages.Chunk):
                    yield message.data
                    continue
                self._done = True
                if isinstance(message, messages.Reply):
                    yield message.body
                    continue
                if isinstance(message, ToolkitError):  # a timeout, the worker's death, a shutdown
                    self.cancel()
                yield error_event(self._error(message))
        finally:
            if not self._done:  # the client left (or the server is stopping)
                self._done = True
                self.cancel()
            self.on_end()
