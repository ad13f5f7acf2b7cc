"""One connection of the front under hostile clients: limits on the request head, read timeouts,
and its part in the connection cap (the cap, the /ping reserve and the sweep: :mod:`connections`).

uvicorn's httptools protocol, as shipped, reads a request head of any size (httptools joins a
header's pieces as they arrive: one 64 MB header grew the front by 81 MB and stalled /ping for
up to 15 s), waits forever for a head or a body that never comes, and accepts connections until
the process runs out of file descriptors. :class:`GuardedProtocol` is a thin subclass that
enforces what the common servers enforce, each limit a setting (``toolkit/settings.py``):

- a request head (request line and headers) of at most ``SAGEMAKER_HF_MAX_HEADER_BYTES``,
  counted as the bytes arrive, so an endless header is refused one read past the limit, and
  at most ``SAGEMAKER_HF_MAX_HEADER_COUNT`` fields; a chunked body's trailers count as head (431);
- a head must be complete ``SAGEMAKER_HF_HEADER_TIMEOUT`` seconds after its first byte (or
  after the connection opened), and a body may not go silent for ``SAGEMAKER_HF_BODY_TIMEOUT``
  (408, then the connection is closed); an idle keep-alive connection is closed by uvicorn
  after ``SAGEMAKER_HF_KEEP_ALIVE_TIMEOUT``;
- a connection admitted past ``SAGEMAKER_HF_MAX_CONNECTIONS`` (into the /ping reserve) is
  answered only for ``GET /ping``; anything else gets a 503.

A refused client that may still be sending gets its answer, then what it sends is read and
dropped for a moment before the close, so that it reads the answer instead of a reset.
Timeouts are checked by one sweep per server a few times a second, not by a timer per request:
a request pays a clock read and a few counters (benchmarks/transport_protocol.py: ~2 us of CPU).
"""

from __future__ import annotations

import asyncio
import enum
import http
import json
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sagemaker_hf.toolkit.errors import (
    ClientTimeoutError,
    HeadersTooLargeError,
    OverloadedError,
    ToolkitError,
    error_body,
)

if TYPE_CHECKING:
    from sagemaker_hf.toolkit.connections import ConnectionGuard

# After refusing a request whose client may still be sending, read and drop this much for this
# long before closing (see the module docstring).
LINGER_SECONDS = 2.0
LINGER_BYTES = 2 * 1024 * 1024


class Phase(enum.Enum):
    HEAD = "head"  # reading a request's head, or waiting for the first byte on a new connection
    BODY = "body"  # head read, body arriving
    APP = "app"  # the request is read; the app has it (the request timeout applies, not ours)
    IDLE = "idle"  # between requests on a keep-alive connection (uvicorn's keep-alive timer)
    LINGER = "linger"  # refused: dropping what still comes, then closing


# As module names: looking up an enum member costs ~10 times a global's, several times a request.
HEAD, BODY, APP, IDLE, LINGER = Phase.HEAD, Phase.BODY, Phase.APP, Phase.IDLE, Phase.LINGER


def render(error: ToolkitError, retry_after: int | None = None) -> bytes:
    """A complete HTTP/1.1 answer that closes the connection, with the toolkit's error body."""
    body = json.dumps(error_body(error)).encode()
    head = [
        b"HTTP/1.1 %d %s\r\n" % (error.status, http.HTTPStatus(error.status).phrase.encode()),
        b"content-type: application/json\r\n",
        b"content-length: %d\r\n" % len(body),
        b"connection: close\r\n",
    ]
    if retry_after is not None:
        head.append(b"retry-after: %d\r\n" % retry_after)
    return b"".join([*head, b"\r\n", body])


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits of this module (see its docstring)."""

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        guard: ConnectionGuard,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.guard = guard
        self.settings = guard.settings
        self.phase = HEAD
        self.started = 0.0  # loop time the current head (or the linger) began
        self.active = 0.0  # loop time of the last bytes received
        self.head_bytes = 0  # bytes received while reading the current head (an upper bound)
        self.body_events = 0
        self.quiet_bytes = 0  # bytes received in the body phase that carried no body: trailers
        self.read_size = 0
        self.ping_only = False
        self.refusal: ToolkitError | None = None
        self.linger_left = 0

    # ------------------------------------------------------------------ connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.started = self.active = self.loop.time()
        self.guard.admit(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.forget(self)
        super().connection_lost(exc)

    @property
    def idle(self) -> bool:
        """No request in progress: closing this connection loses no work."""
        if self.phase is LINGER:
            return True
        in_progress = self.cycle is not None and not self.cycle.response_complete
        return self.phase in (HEAD, IDLE) and not in_progress

    def data_received(self, data: bytes) -> None:
        now = self.active = self.loop.time()
        size = len(data)
        phase = self.phase
        if phase is LINGER:
            self.linger_left -= size
            if self.linger_left < 0:
                self.transport.close()
            return
        if phase is IDLE:
            phase = self.phase = HEAD
            self.started, self.head_bytes = now, 0
        if phase is HEAD:
            self.head_bytes += size
        body_events = self.body_events
        self.read_size = size
        super().data_received(data)
        limit = self.settings.max_header_bytes
        if self.refusal is not None:
            self.refuse(self.refusal, linger=True)
        elif self.phase is HEAD and self.head_bytes > limit:
            self.refuse(self._head_too_large(f"more than {self.head_bytes:,}"), linger=True)
        elif phase is BODY and self.phase is BODY:
            self.quiet_bytes = self.quiet_bytes + size if self.body_events == body_events else 0
            if self.quiet_bytes > limit:
                self.refuse(self._head_too_large(f"with its trailers more than {self.quiet_bytes:,}"), True)

    # ------------------------------------------------------------------ parser callbacks

    def on_message_begin(self) -> None:
        if self.refusal is not None:
            return
        super().on_message_begin()
        if self.phase is not HEAD:  # pipelined behind a request the app still has
            self.phase, self.started, self.head_bytes = HEAD, self.active, self.read_size

    def on_headers_complete(self) -> None:
        # The sizes are checked once the head is whole, not in a callback per field. The bytes
        # counted in data_received bound the head's size: only over the limit is it added up.
        if self.refusal is not None:
            return
        settings = self.settings
        if len(self.headers) > settings.max_header_count:
            self.refusal = HeadersTooLargeError(
                f"the request has {len(self.headers)} header fields, more than this server reads "
                f"(SAGEMAKER_HF_MAX_HEADER_COUNT={settings.max_header_count}); send fewer headers"
            )
        elif self.head_bytes > settings.max_header_bytes and self._head_size() > settings.max_header_bytes:
            self.refusal = self._head_too_large(f"{self._head_size():,}")
        elif self.ping_only and not self._asks_ping():
            self.refusal = OverloadedError(
                f"the server holds {self.guard.max_connections} connections, none of them idle (the most it "
                "keeps, SAGEMAKER_HF_MAX_CONNECTIONS); only GET /ping is answered until one frees. Retry "
                "after a second"
            )
        if self.refusal is not None:
            return
        self.phase, self.quiet_bytes = BODY, 0
        super().on_headers_complete()
        if self.ping_only:
            self.cycle.keep_alive = False  # its place in the reserve frees once /ping is answered

    def _head_size(self) -> int:
        return len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)

    def _asks_ping(self) -> bool:
        return self.parser.get_method() == b"GET" and self.url.split(b"?")[0] == b"/ping"

    def on_body(self, body: bytes) -> None:
        if self.refusal is None:
            self.body_events += 1
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self.refusal is None:
            # Answered before its body was in (a 413 by Content-Length): idle from here on.
            self.phase = IDLE if self.cycle.response_complete else APP
            super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.phase is APP and self.cycle.response_complete:
            self.phase, self.active = IDLE, self.loop.time()

    # ------------------------------------------------------------------ limits

    def _head_too_large(self, size: str) -> HeadersTooLargeError:
        limit = self.settings.max_header_bytes
        return HeadersTooLargeError(
            f"the request head (request line and headers) is {size} bytes, over the limit of {limit:,} "
            f"bytes (SAGEMAKER_HF_MAX_HEADER_BYTES={limit}); send large values in the body"
        )

    def refuse(self, error: ToolkitError, linger: bool) -> None:
        """Answer ``error`` unless an answer has begun, then close: at once, or after reading and
        dropping what the client still sends (``linger``) so that it gets the answer."""
        self.refusal = None
        if self.transport.is_closing():
            return
        self.guard.count(error)
        cycle = self.cycle
        answering = False
        if cycle is not None and not cycle.response_complete:
            answering = cycle.response_started
            cycle.disconnected = True  # the app's receive() now reports a disconnect; send() writes nothing
            cycle.message_event.set()
        if not answering:
            retry_after = error.retry_after if isinstance(error, OverloadedError) else None
            self.transport.write(render(error, retry_after))
        if not linger:
            self.transport.close()
            return
        self.phase, self.started, self.linger_left = LINGER, self.loop.time(), LINGER_BYTES
        self.flow.resume_reading()

    def check(self, now: float) -> None:
        """Called by the guard's sweep: cut a head or a body that is too slow, an idle keep-alive
        connection, or a linger."""
        phase = self.phase
        if phase is LINGER:
            if now - self.started >= LINGER_SECONDS:
                self.transport.close()
            return
        if phase is IDLE:
            # uvicorn's keep-alive timer does this too, but a read cancels it for good: bytes that
            # arrive after an early answer (a 413's unread body) would leave the connection open.
            if now - self.active >= self.settings.keep_alive_timeout and self.idle:
                self.transport.close()
            return
        if phase not in (HEAD, BODY):
            return
        if self.flow.read_paused:  # uvicorn stopped reading (the app is behind): not the client's delay
            self.started = self.active = now
            return
        settings = self.settings
        if phase is HEAD and now - self.started >= settings.header_timeout and self.idle:
            if self.head_bytes == 0:  # never sent a byte: nobody to answer
                self.guard.closed_silent += 1
                self.transport.close()
                return
            self.refuse(
                ClientTimeoutError(
                    f"the request head was not complete after {settings.header_timeout:g} s "
                    f"(SAGEMAKER_HF_HEADER_TIMEOUT={settings.header_timeout:g}); send the request line and "
                    "headers at once"
                ),
                linger=False,
            )
        elif phase is BODY and now - self.active >= settings.body_timeout:
            self.refuse(
                ClientTimeoutError(
                    f"no part of the request body arrived for {settings.body_timeout:g} s "
                    f"(SAGEMAKER_HF_BODY_TIMEOUT={settings.body_timeout:g}); send the body without pauses"
                ),
                linger=False,
            )
