"""The front process: a Starlette app on uvicorn. Routes, limits and status codes; no model knowledge.

It imports neither torch nor transformers, so it binds its port at once and answers
``/ping`` with 503 until a worker has loaded the model (never 200 before). Requests are
refused here, before any model work, when the model is not ready (503), the body is too
large (413), the Content-Type cannot be read (415) or the Accept cannot be written (406).
"""

from __future__ import annotations

import functools
import gc
import importlib.util
import itertools
import logging
import signal
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from sagemaker_hf.toolkit import apis, media_types, messages, metrics, sse
from sagemaker_hf.toolkit.batching import Pending
from sagemaker_hf.toolkit.errors import (
    BadInputError,
    ModelError,
    ModelLoadError,
    NotAcceptableError,
    NotReadyError,
    OverloadedError,
    PayloadTooLargeError,
    ToolkitError,
    UnsupportedMediaTypeError,
    error_body,
    rebuild_error,
)
from sagemaker_hf.toolkit.logs import configure_logging, log_request, redact
from sagemaker_hf.toolkit.pool import PoolState, WorkerPool
from sagemaker_hf.toolkit.settings import Settings

logger = logging.getLogger(__name__)
# Open requests may proceed while a dead worker restarts: they wait in the queue.
SERVING_STATES = (PoolState.READY, PoolState.RESTARTING)
# A refused body is still read (and dropped) up to this size before the error goes out,
# so the connection stays usable: a socket closed with unread data is reset, and the
# client would see the reset instead of the 413.
DRAIN_LIMIT_BYTES = 64 * 1024 * 1024


async def _run_on_loop(function: Callable[[], None]) -> None:
    # Starlette runs a synchronous background task in its thread pool: a thread hop (two
    # wake-ups and GIL hand-overs) per request, for a log line that takes microseconds.
    function()


def error_response(error: ToolkitError) -> JSONResponse:
    body = error_body(error)
    body["message"] = redact(str(body["message"]))
    headers = {}
    if isinstance(error, OverloadedError):
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse(body, status_code=error.status, headers=headers)


class Front:
    """The route handlers, bound to the settings and the worker pool."""

    def __init__(self, settings: Settings, pool: WorkerPool) -> None:
        self.settings = settings
        self.pool = pool
        self.metrics = pool.metrics
        self._ids = itertools.count(1)

    async def ping(self, request: Request) -> Response:
        state, reason = self.pool.state()
        if state is PoolState.READY:
            return JSONResponse({"status": "Healthy"})  # the body MMS answers with
        error = ModelLoadError(reason) if state is PoolState.FAILED else NotReadyError(reason)
        return error_response(error)

    async def execution_parameters(self, request: Request) -> Response:
        # Batch transform reads these to size its requests (MaxPayloadInMB) and concurrency.
        return JSONResponse(
            {
                "MaxConcurrentTransforms": self.settings.workers,
                "BatchStrategy": "MULTI_RECORD",
                "MaxPayloadInMB": self.settings.max_payload_mb,
            }
        )

    async def info(self, request: Request) -> Response:
        state, reason = self.pool.state()
        capabilities = self.pool.capabilities
        return JSONResponse(
            {
                "state": state.value,
                "reason": redact(reason),
                "task": capabilities.task if capabilities else None,
                "hooks": list(capabilities.hooks) if capabilities else [],
                "workers": self.pool.describe(),
                "max_payload_mb": self.settings.max_payload_mb,
                "timeout_seconds": self.settings.timeout,
                "max_batch_size": self.settings.max_batch_size
                if capabilities and capabilities.batchable
                else 1,
                "max_batch_delay_ms": self.settings.max_batch_delay_ms,
                "max_queue_size": self.settings.queue_limit,
                "streaming": bool(capabilities and capabilities.streams),
            }
        )

    async def metrics_text(self, request: Request) -> Response:
        text = self.metrics.render(self.pool.queue_depth, self.pool.in_flight, self.pool.worker_states())
        return Response(text, headers={"content-type": metrics.CONTENT_TYPE})

    def _check_ready(self) -> messages.Capabilities:
        state, reason = self.pool.state()
        if state is PoolState.FAILED:
            raise ModelLoadError(reason)
        capabilities = self.pool.capabilities
        if state not in SERVING_STATES or capabilities is None:
            raise NotReadyError(reason)
        return capabilities

    def _payload_error(self, size: int | str) -> PayloadTooLargeError:
        return PayloadTooLargeError(
            f"the body is {size} bytes, over the limit of {self.settings.max_payload_bytes} bytes "
            f"(SAGEMAKER_MAX_PAYLOAD_IN_MB={self.settings.max_payload_mb}); send less per request or raise "
            "SAGEMAKER_MAX_PAYLOAD_IN_MB"
        )

    def _check_length(self, request: Request) -> None:
        declared = request.headers.get("content-length")
        if declared is None:
            return
        try:
            length = int(declared)
        except ValueError:
            raise BadInputError(f"Content-Length {declared!r} is not a number") from None
        if length > self.settings.max_payload_bytes:
            raise self._payload_error(length)

    @staticmethod
    async def _drain(request: Request) -> None:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > DRAIN_LIMIT_BYTES:
            return
        drained = 0
        try:
            async for chunk in request.stream():
                drained += len(chunk)
                if drained > DRAIN_LIMIT_BYTES:
                    return
        except (ClientDisconnect, RuntimeError):
            return

    async def _read_body(self, request: Request) -> bytes:
        # Joined once at the end: a body that came in one piece is not copied at all, and a
        # large one is copied once (a growing bytearray, then bytes(), copied it twice).
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.settings.max_payload_bytes:
                raise self._payload_error(f"more than {size}")
            if chunk:  # Starlette ends the stream with an empty chunk
                chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _response_type(
        capabilities: messages.Capabilities, content_type: str | None, accept: str | None
    ) -> str:
        """Refuse unreadable Content-Types (415) and unwritable Accepts (406); return the answer's type."""
        records = False
        if not capabilities.reads_input:
            header = content_type or media_types.JSON
            decoder = media_types.decoder_for(media_types.parse_media_type(header))
            if decoder == "csv" and not capabilities.accepts_csv:
                raise UnsupportedMediaTypeError(
                    f"text/csv cannot carry the inputs of the task {capabilities.task}, which need nested "
                    "fields; send application/json"
                )
            if decoder is None:
                refused = () if capabilities.accepts_csv else (media_types.CSV,)
                raise media_types.unsupported_content_type(header, refused=refused)
            records = decoder == "jsonlines"
        if accept and sse.EVENT_STREAM in accept.lower() and not capabilities.streams:
            streamed_by = (
                "text-generation models" if capabilities.task else "text-generation models without hooks"
            )
            raise NotAcceptableError(
                f"{sse.EVENT_STREAM} (a streamed answer) is offered by {streamed_by}; this server runs "
                f"{capabilities.task or 'user code'}. Accept application/json"
            )
        if capabilities.writes_output:
            return media_types.accept_for_hooks(accept)
        return media_types.negotiate(accept, media_types.RECORD_ENCODERS if records else None)

    async def invocations(self, request: Request) -> Response:
        return await self._invoke(request, None)

    def api_route(self, route: str) -> Callable[[Request], Any]:
        """The handler of one route of an image family's API (``toolkit.apis.ROUTES``)."""

        async def handle(request: Request) -> Response:
            return await self._invoke(request, route)

        return handle

    async def _invoke(self, request: Request, route: str | None) -> Response:
        started = time.perf_counter()
        request_id = next(self._ids)
        content_type = request.headers.get("content-type")
        accept = request.headers.get("accept")
        size = 0
        timings: dict[str, float] = {}
        queue_seconds: float | None = None
        worker_pid: int | None = None
        error_type = ""
        body_read = False
        try:
            capabilities = self._check_ready()
            self._check_length(request)
            accepts_stream = capabilities.streams and sse.accepts_event_stream(accept)
            response_type = (
                sse.EVENT_STREAM
                if accepts_stream
                else self._response_type(capabilities, content_type, accept)
            )
            body = await self._read_body(request)
            body_read, size = True, len(body)
            if capabilities.streams and apis.streams(route, accepts_stream or sse.body_asks_stream(body)):
                return await self._stream(request_id, started, body, content_type, accept, route)
            outcome = await self.pool.submit(body, content_type, response_type, route)
            queue_seconds, worker_pid = outcome.queue_seconds, outcome.worker_pid
            timings = outcome.message.timings
            if isinstance(outcome.message, messages.Failure):
                raise rebuild_error(outcome.message.error_type, outcome.message.message)
            response: Response = Response(
                outcome.message.body, headers={"content-type": outcome.message.content_type}
            )
        except ToolkitError as error:
            if not body_read:  # refused before (or while) reading it
                await self._drain(request)
            response, error_type = error_response(error), error.type
        except ClientDisconnect:
            response, error_type = Response(status_code=499), "ClientDisconnect"
        except Exception as error:
            logger.exception("request %d failed in the front process", request_id)
            internal = ModelError(f"internal error in the server: {type(error).__name__}: {error}")
            response, error_type = error_response(internal), internal.type
        phases = dict(timings)
        if queue_seconds is not None:
            phases["queue"] = queue_seconds
        total = time.perf_counter() - started
        self.metrics.record_request(response.status_code, total, phases)
        # Logged once the answer is on its way: off the client's critical path.
        response.background = BackgroundTask(
            _run_on_loop,
            functools.partial(
                log_request,
                request_id,
                response.status_code,
                content_type,
                accept,
                size,
                phases,
                total,
                worker_pid,
                error_type,
            ),
        )
        return response

    async def _stream(
        self,
        request_id: int,
        started: float,
        body: bytes,
        content_type: str | None,
        accept: str | None,
        route: str | None,
    ) -> Response:
        """Answer with server-sent events; errors before the first event still get a status code."""

        def on_end(pending: Pending) -> None:
            phases = {"queue": pending.dispatched - pending.arrived} if pending.dispatched else {}
            total, worker, size = time.perf_counter() - started, pending.worker_pid, len(body)
            self.metrics.record_request(200, total, phases)
            log_request(request_id, 200, content_type, accept, size, phases, total, worker, "", "stream ")

        relay = await self.pool.open_stream(body, content_type, on_end, route)
        return StreamingResponse(
            relay.events(),
            media_type=sse.EVENT_STREAM,
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )


def create_app(settings: Settings, pool: WorkerPool) -> Starlette:
    front = Front(settings, pool)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await pool.start()
        yield
        await pool.stop()

    routes = [
        Route("/ping", front.ping, methods=["GET"]),
        Route("/invocations", front.invocations, methods=["POST"]),
        Route("/execution-parameters", front.execution_parameters, methods=["GET"]),
        Route("/info", front.info, methods=["GET"]),
        Route("/metrics", front.metrics_text, methods=["GET"]),
    ]
    if settings.api != "toolkit":  # the family's routes, its /invocations in place of ours
        routes = [route for route in routes if route.path != "/invocations"]
        routes += [
            Route(path, front.api_route(name), methods=["POST"])
            for path, name in apis.ROUTES[settings.api].items()
        ]
    return Starlette(routes=routes, lifespan=lifespan)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, so a port clash stops the server before any worker starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on such sockets, and without it
    # every response (headers and body are written separately) waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise OSError(
            f"cannot listen on {host}:{port}: {error.strerror}; choose another port with --port or "
            "SAGEMAKER_BIND_TO_PORT"
        ) from error
    return sock


def serve(settings: Settings) -> int:
    """Run the server until SIGTERM or SIGINT, then drain requests, stop the workers and return 0."""
    import uvicorn

    configure_logging(settings)
    try:
        sock = bind(settings.host, settings.port)
    except OSError as error:
        logger.error("%s", error)
        return 1
    logger.info("settings: %s", settings)
    # uvicorn's "auto" picks these when installed (the toolkit extra installs them); the pure
    # Python fallbacks (h11, asyncio) work the same but cost more CPU per request.
    fast = {name: importlib.util.find_spec(name) is not None for name in ("httptools", "uvloop")}
    logger.info(
        "listening on http://%s:%d (HTTP parser %s, event loop %s)",
        settings.host,
        settings.port,
        "httptools" if fast["httptools"] else "h11, without read timeouts or a connection cap",
        "uvloop" if fast["uvloop"] else "asyncio",
    )
    # Without httptools, h11 cuts a head that has not ended; slow clients and connections go unchecked.
    http: Any = "h11"
    if fast["httptools"]:
        from sagemaker_hf.toolkit.connections import ConnectionGuard, connection_cap

        http = ConnectionGuard(settings, connection_cap(settings)).protocol
    config = uvicorn.Config(
        create_app(settings, WorkerPool(settings, metrics.Metrics())),
        http=http,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_keep_alive=settings.keep_alive_timeout,  # type: ignore[arg-type]  # a float works
        # In-flight requests may run up to the request timeout; SageMaker kills after 30 s anyway.
        timeout_graceful_shutdown=int(settings.timeout) + 5,
    )
    server = uvicorn.Server(config)
    # Everything imported so far lives as long as the server; frozen, the collector's full
    # passes skip it (~13 ms each otherwise, in the middle of some request).
    gc.collect()
    gc.freeze()
    # uvicorn re-raises the signal it caught once it has shut down; a no-op handler turns
    # that into a normal return, so a SIGTERM shutdown exits 0.
    for handled in (signal.SIGTERM, signal.SIGINT):
        signal.signal(handled, lambda signum, frame: None)
    server.run(sockets=[sock])
    logger.info("server stopped")
    return 0
