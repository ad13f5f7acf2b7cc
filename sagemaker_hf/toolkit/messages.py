"""Messages between the front process and a model worker, sent over a ``multiprocessing`` pipe.

Front -> worker:
  :class:`Invoke`   one or more requests (several when requests are batched together)
  :class:`Cancel`   stop streaming a request (its client left or it timed out)
  :class:`Stop`     finish the current message, then exit

Worker -> front:
  :class:`Ready`      the model is loaded; what the worker can do
  :class:`LoadFailed` the model could not be loaded; the worker exits after sending it
  :class:`Chunk`      a piece of a streamed answer (server-sent events), before its Reply
  :class:`Reply`      the answer to one request (one per request in an :class:`Invoke`);
                      for a stream, its last event
  :class:`Failure`    the error for one request (for a stream, it may follow chunks)

Each request carries an id, so replies may come in any order, and later messages
(streamed chunks, cancellations) refer to a request. A streaming request travels alone in
its :class:`Invoke`, except on the image-family APIs (``route`` set), whose worker batches
streams too. Everything here is a small frozen dataclass that pickles
cheaply.

The front sends with ``Connection.send`` and the worker reads with ``Connection.recv``.
The worker's messages go back as :func:`frame` bytes (a length, then the pickle) on the
same socket, so that the front's event loop reads them without blocking, with a
:class:`FrameReader`, and no thread sits between the pipe and the loop.
"""

from __future__ import annotations

import pickle
import socket
import struct
from dataclasses import dataclass, field
from typing import Any

_LENGTH = struct.Struct("!Q")


def frame(message: Any) -> bytes:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(payload)) + payload


class FrameReader:
    """Messages out of :func:`frame` bytes, read from a socket in pieces of any size.

    Each read lands in one reusable buffer (``recv_into``), and each message is unpickled from
    a view of it. A 90 KB answer is copied twice on its way in (from the kernel, and into the
    message's bytes); reading into new bytes objects, joining them and slicing copied it five
    times, and that was a third of the front's time under 32 feature-extraction clients.
    """

    def __init__(self, size: int = 256 * 1024) -> None:
        self._size = size  # the buffer's usual size; each read gets at least half of it
        self._buffer = bytearray(size)
        self._start = 0  # the first byte not yet unpickled
        self._end = 0  # the end of the bytes read

    def receive(self, source: socket.socket, flags: int = 0) -> list[Any] | None:
        """The messages that one read from ``source`` completes (often none), or None once the
        other end has closed. Raises what ``recv_into`` raises (BlockingIOError with
        ``MSG_DONTWAIT`` when there is nothing to read)."""
        self._make_room()
        with memoryview(self._buffer) as view:
            count = source.recv_into(view[self._end :], 0, flags)
        if count == 0:
            return None
        self._end += count
        return self._unpickle()

    def _unpickle(self) -> list[Any]:
        found = []
        with memoryview(self._buffer) as view:
            while self._end - self._start >= _LENGTH.size:
                (size,) = _LENGTH.unpack_from(view, self._start)
                end = self._start + _LENGTH.size + size
                if end > self._end:
                    break
                with view[self._start + _LENGTH.size : end] as payload:
                    found.append(pickle.loads(payload))
                self._start = end
        if self._start == self._end:
            self._start = self._end = 0
            if len(self._buffer) > self._size:  # one large message grew it: give that memory back
                self._buffer = bytearray(self._size)
        return found

    def _make_room(self) -> None:
        """Room for at least half the usual read after the unread bytes, and for all of the
        frame being read once its length is known, so that a large message takes few reads."""
        unread = self._end - self._start
        wanted = unread + max(1, self._size // 2)
        if unread >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(self._buffer, self._start)
            wanted = max(wanted, _LENGTH.size + size)
        if len(self._buffer) - self._start >= wanted:
            return
        if len(self._buffer) >= wanted:  # move the unread bytes to the front
            self._buffer[:unread] = self._buffer[self._start : self._end]
        else:
            grown = bytearray(wanted)
            grown[:unread] = self._buffer[self._start : self._end]
            self._buffer = grown
        self._start, self._end = 0, unread


@dataclass(frozen=True)
class Request:
    request_id: int
    body: bytes
    content_type: str | None  # the raw Content-Type header; None when the client sent none
    accept: str  # one concrete media type, already negotiated by the front
    stream: bool = False  # answer with server-sent events (Chunk messages, then the Reply)
    route: str | None = None  # an image-family API's route (toolkit.apis.ROUTES); None: the toolkit's


@dataclass(frozen=True)
class Invoke:
    requests: tuple[Request, ...]


@dataclass(frozen=True)
class Cancel:
    request_id: int


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class Capabilities:
    """What the front needs to refuse requests before they reach the model."""

    pid: int
    task: str | None
    accepts_csv: bool
    batchable: bool  # the front may send several requests in one Invoke
    streams: bool  # the model can answer text generation as a stream of tokens
    reads_input: bool  # a user input_fn or transform_fn reads any Content-Type
    writes_output: bool  # a user output_fn or transform_fn writes any Accept
    hooks: tuple[str, ...]
    gpu_id: int | None
    threads: int  # torch threads in the worker (in each lane)
    load_seconds: float
    lanes: int = 1  # batches the worker runs at once (see lanes.py)


@dataclass(frozen=True)
class Ready:
    capabilities: Capabilities


@dataclass(frozen=True)
class LoadFailed:
    error_type: str
    message: str


@dataclass(frozen=True)
class Reply:
    request_id: int
    body: bytes
    content_type: str
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds


@dataclass(frozen=True)
class Chunk:
    request_id: int
    data: bytes  # one or more complete server-sent events


@dataclass(frozen=True)
class Failure:
    request_id: int
    error_type: str  # a class name from toolkit.errors
    message: str
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class LanesFitted:
    """How many of its lanes a worker runs now (lanes.py): fewer while others hold the cores."""

    lanes: int


WorkerMessage = Ready | LoadFailed | Chunk | Reply | Failure | LanesFitted
