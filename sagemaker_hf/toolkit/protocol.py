"""Messages between the front process and a model worker, sent over a ``multiprocessing`` pipe.

Front -> worker:
  :class:`Invoke`   one or more requests (several when requests are batched together)
  :class:`Stop`     finish the current message, then exit

Worker -> front:
  :class:`Ready`      the model is loaded; what the worker can do
  :class:`LoadFailed` the model could not be loaded; the worker exits after sending it
  :class:`Reply`      the answer to one request (one per request in an :class:`Invoke`)
  :class:`Failure`    the error for one request

Each request carries an id, so replies may come in any order, and later messages
(streamed chunks, cancellations) can refer to a request. Everything here is a small
frozen dataclass that pickles cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    request_id: int
    body: bytes
    content_type: str | None  # the raw Content-Type header; None when the client sent none
    accept: str  # one concrete media type, already negotiated by the front


@dataclass(frozen=True)
class Invoke:
    requests: tuple[Request, ...]


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class Capabilities:
    """What the front needs to refuse requests before they reach the model."""

    pid: int
    task: str | None
    accepts_csv: bool
    batchable: bool
    reads_input: bool  # a user input_fn or transform_fn reads any Content-Type
    writes_output: bool  # a user output_fn or transform_fn writes any Accept
    hooks: tuple[str, ...]
    gpu_id: int | None
    load_seconds: float


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
class Failure:
    request_id: int
    error_type: str  # a class name from toolkit.errors
    message: str
    timings: dict[str, float] = field(default_factory=dict)


WorkerMessage = Ready | LoadFailed | Reply | Failure
