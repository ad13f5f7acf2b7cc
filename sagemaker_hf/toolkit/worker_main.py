"""The body of a model worker process (started with the ``spawn`` context by :mod:`pool`).

It loads the user code and the model, reports :class:`~messages.Ready` (or
:class:`~messages.LoadFailed`), then answers :class:`~messages.Invoke` messages until it
gets :class:`~messages.Stop` or its pipe closes (the front process is gone). No request
can end it: every failure becomes a :class:`~messages.Failure` reply. A streamed request
sends :class:`~messages.Chunk` messages as tokens come, and reads the pipe between them
for a :class:`~messages.Cancel`.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sagemaker_hf.toolkit import messages, sse
from sagemaker_hf.toolkit.cpu_share import SMALL_CALL_BYTES, ThreadFitter, fitter_for
from sagemaker_hf.toolkit.errors import ModelError, ModelLoadError, ToolkitError
from sagemaker_hf.toolkit.lanes import LaneRunner, default_lanes, fitted_lanes, threads_per_lane
from sagemaker_hf.toolkit.logs import configure_logging
from sagemaker_hf.toolkit.settings import DEFAULT_INTEROP_THREADS, Settings, usable_cores

logger = logging.getLogger(__name__)

_NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")


def gpu_for_worker(index: int) -> int | None:
    """This worker's GPU (workers take GPUs round-robin), or None without a GPU.

    torch is imported only when the machine has an NVIDIA driver, so CPU workers whose
    user code never needs torch start quickly.
    """
    if not _NVIDIA_GPUS.is_dir():
        return None
    import torch

    if not torch.cuda.is_available() or torch.cuda.device_count() == 0:
        return None
    return index % torch.cuda.device_count()


def configure_torch(settings: Settings, threads: int | None = None) -> tuple[int, int] | None:
    """Give the loaded torch its threads: ``threads`` (default ``threads_per_worker``) intra-op
    threads (workers share the cores; torch's default, every core per process, makes them
    thrash) and one inter-op thread. Returns (intra-op, inter-op) threads as torch reports
    them, or None without torch."""
    if "torch" not in sys.modules:
        return None
    import torch

    # Threads that start later (the lanes) take this number too: torch keeps it process-wide.
    torch.set_num_threads(threads or settings.threads_per_worker)
    with contextlib.suppress(RuntimeError):  # user code ran inter-op work already: its pool stays
        torch.set_num_interop_threads(DEFAULT_INTEROP_THREADS)
    return torch.get_num_threads(), torch.get_num_interop_threads()


# transformers advice that is noise in a server log, by logger: without torchvision it falls
# back to the PIL image processors, which serve the same answers.
TRANSFORMERS_NOISE = {
    "transformers.utils.import_utils": "requires torchvision (not installed); falling back to",
    "transformers.models.auto.image_processing_auto": "backend is not available. Falling back to",
}


class _DropMessage(logging.Filter):
    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.fragment = fragment

    def filter(self, record: logging.LogRecord) -> bool:
        return self.fragment not in record.getMessage()


def quiet_transformers() -> None:
    """No "Loading weights" progress bar (transformers 5) and no torchvision fallback advice in
    the server log at every load; transformers' other warnings still show."""
    for name, fragment in TRANSFORMERS_NOISE.items():
        logging.getLogger(name).addFilter(_DropMessage(fragment))
    if "transformers" in sys.modules:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()


def load(settings: Settings, model_dir: Path, index: int):  # -> tuple[Handler, Capabilities]
    from sagemaker_hf.toolkit.handler import Handler
    from sagemaker_hf.toolkit.user_code import find_user_module, load_hooks, make_context

    started = time.perf_counter()
    phases: dict[str, float] = {}
    gpu_id = gpu_for_worker(index)
    device = "cpu" if gpu_id is None else f"cuda:{gpu_id}"
    if settings.api != "toolkit":  # an image family's API: no user code, as in those containers
        from sagemaker_hf.toolkit.apis.service import load_service

        quiet_transformers()
        handler = load_service(settings, model_dir, device)
        threads = configure_torch(settings)
        logger.info(
            "worker %d ready in %.1f s: %s", index, time.perf_counter() - started, _threads_text(threads)
        )
        return handler, _api_capabilities(handler, gpu_id, started, threads)
    module = find_user_module(
        settings.code_dir(), settings.program_name, explicit=settings.program is not None
    )
    hooks = load_hooks(module)
    batch_size = settings.max_batch_size if hooks.predict_batch_fn is not None else 1
    context = make_context(model_dir, gpu_id, index, batch_size)
    phases["user code"] = time.perf_counter() - started
    if hooks.model_fn is None:
        with contextlib.suppress(ImportError):  # the task adapters load them anyway; quiet it first
            import torch  # noqa: F401
            import transformers  # noqa: F401
        phases["imports"] = time.perf_counter() - started - phases["user code"]
    quiet_transformers()
    threads = configure_torch(settings)  # before the model loads, so that loading uses them too
    loading_from = time.perf_counter()
    handler = Handler(settings, model_dir, hooks, context, device)
    handler.setup()
    phases["model"] = time.perf_counter() - loading_from
    lanes = lane_count(settings, handler)
    # model_fn may have imported torch itself
    threads = configure_torch(settings, threads_per_lane(settings.threads_per_worker, lanes)) or threads
    capabilities = messages.Capabilities(
        pid=os.getpid(),
        task=handler.task,
        accepts_csv=handler.accepts_csv,
        batchable=handler.batchable,
        streams=handler.streams,
        reads_input=hooks.reads_input,
        writes_output=hooks.writes_output,
        hooks=tuple(hooks.names),
        gpu_id=gpu_id,
        threads=threads[0] if threads else settings.threads_per_worker,
        load_seconds=time.perf_counter() - started,
        lanes=lanes,
    )
    logger.info(
        "worker %d ready in %.1f s (pid %d; %s): %s, %d lane(s); %s",
        index,
        capabilities.load_seconds,
        capabilities.pid,
        ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in phases.items()),
        _threads_text(threads),
        lanes,
        ", ".join(f"{name}={os.environ.get(name)}" for name in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")),
    )
    return handler, capabilities


def lane_count(settings: Settings, handler: Any) -> int:
    """Lanes for this worker: only a model that marks its forward calls runs in several (see
    :mod:`lanes`); ``SAGEMAKER_HF_LANES`` when set, else :func:`lanes.default_lanes`."""
    if not getattr(handler, "runs_in_lanes", False):
        if (settings.lanes or 1) > 1:
            logger.warning(
                "SAGEMAKER_HF_LANES=%d has no effect: this model runs one batch at a time "
                "(lanes serve sentence-embeddings, sentence-similarity and feature-extraction "
                "without a user predict_fn); add workers instead (SAGEMAKER_MODEL_SERVER_WORKERS)",
                settings.lanes,
            )
        return 1
    if settings.lanes is not None:
        return settings.lanes
    if not getattr(handler, "lanes_by_default", False) or getattr(handler, "device", "cpu") != "cpu":
        return 1  # lanes are measured on CPUs only; a GPU worker keeps one batch at a time
    return default_lanes(settings.threads_per_worker, settings.omp_num_threads)


def _threads_text(threads: tuple[int, int] | None) -> str:
    if threads is None:
        return "torch not loaded"
    return f"{threads[0]} torch thread(s), {threads[1]} inter-op thread(s)"


def _api_capabilities(handler: Any, gpu_id: int | None, started: float, threads: tuple[int, int] | None):
    return messages.Capabilities(
        pid=os.getpid(),
        task=handler.task,
        accepts_csv=False,
        batchable=True,
        streams=handler.streams,
        reads_input=False,
        writes_output=False,
        hooks=(),
        gpu_id=gpu_id,
        threads=threads[0] if threads else 1,
        load_seconds=time.perf_counter() - started,
    )


def _reply(request: messages.Request, answer: Any) -> messages.Reply | messages.Failure:
    if isinstance(answer, ToolkitError):
        return messages.Failure(request.request_id, answer.type, answer.message)
    return messages.Reply(request.request_id, answer.body, answer.content_type, answer.timings)


def _failure(request: messages.Request, error: BaseException) -> messages.Failure:
    if isinstance(error, ToolkitError):
        return messages.Failure(request.request_id, error.type, error.message)
    logger.error("request %d failed", request.request_id, exc_info=error)
    return messages.Failure(
        request.request_id, ModelError.__name__, f"unexpected {type(error).__name__}: {error}"
    )


class Outbox:
    """The worker's messages to the front, as :func:`messages.frame` bytes on the pipe's socket."""

    def __init__(self, connection: Connection) -> None:
        self._socket = socket.socket(fileno=os.dup(connection.fileno()))
        self._lock = threading.Lock()  # lanes answer from several threads; frames must not interleave

    def send(self, message: object) -> bool:
        """False once the front is gone."""
        return self.send_all([message])

    def send_all(self, outgoing: list[object]) -> bool:
        """One write for a batch's replies: one wake-up of the front instead of one per reply."""
        data = b"".join(messages.frame(message) for message in outgoing)
        try:
            with self._lock:
                self._socket.sendall(data)
        except OSError:
            return False
        return True


class RequestLoop:
    """Answers the front's messages on one pipe."""

    def __init__(
        self,
        connection: Connection,
        outbox: Outbox,
        handler: Any,
        fitter: ThreadFitter | None = None,
        lanes: int = 1,
        allowed: Callable[[int], int] | None = None,
    ) -> None:
        self.connection = connection
        self.outbox = outbox
        self.handler = handler
        self.fitter = fitter  # torch threads fitted to the free cores before each call
        self.stopping = False
        # Several batches at once (lanes.py); such a model neither streams nor replies itself.
        self.lanes = LaneRunner(lanes, self.answer, self.send_all, allowed) if lanes > 1 else None

    def send(self, message: object) -> bool:
        return self.send_all([message])

    def send_all(self, outgoing: list[object]) -> bool:
        if not self.outbox.send_all(outgoing):
            self.stopping = True  # the front is gone
            return False
        return True

    def serve(self) -> None:
        try:
            self._serve()
        finally:
            if self.lanes is not None:
                self.lanes.finish()  # a Stop lets the batches in flight finish, as in one lane

    def _serve(self) -> None:
        while not self.stopping:
            try:
                message = self.connection.recv()
            except (EOFError, OSError):
                return
            if isinstance(message, messages.Stop):
                return
            if not isinstance(message, messages.Invoke):
                continue  # a Cancel for a stream that has already ended
            if self.lanes is not None:
                self.lanes.submit(message)
                continue
            if self.fitter is not None:
                requests = message.requests
                self.fitter.fit(small=len(requests) == 1 and len(requests[0].body) <= SMALL_CALL_BYTES)
            if getattr(self.handler, "runs_invokes", False):  # apis.service: it replies itself
                self._run_invoke(message)
                continue
            if len(message.requests) == 1 and message.requests[0].stream:
                self.stream(message.requests[0])
                continue
            if not self.send_all(self.answer(message)):
                return

    def answer(self, message: messages.Invoke) -> list[messages.Reply | messages.Failure]:
        """The replies to one batch, in order; a failure of any kind becomes Failure replies."""
        try:
            answers = self.handler.handle_many(message.requests)
            return [
                _reply(request, answer) for request, answer in zip(message.requests, answers, strict=True)
            ]
        except (Exception, SystemExit) as error:  # a bug here must not end the worker
            return [_failure(request, error) for request in message.requests]

    def _run_invoke(self, message: messages.Invoke) -> None:
        try:
            self.handler.run_invoke(message.requests, self)
        except (Exception, SystemExit) as error:  # a bug here must not end the worker
            self.send_all([_failure(request, error) for request in message.requests])

    def stream(self, request: messages.Request) -> None:
        try:
            events = self.handler.stream(request)
            for data in events.tokens():
                if not self.send(messages.Chunk(request.request_id, data)):
                    events.cancel()
                self._read_between_tokens(request, events)
            if events.cancelled:
                logger.info(
                    "stream %d stopped after %d token event(s): cancelled", request.request_id, events.count
                )
            self.send(messages.Reply(request.request_id, events.final(), sse.EVENT_STREAM))
        except (Exception, SystemExit) as error:
            self.send(_failure(request, error))

    def _read_between_tokens(self, request: messages.Request, events: Any) -> None:
        # Only a Cancel or a Stop can arrive while a stream runs: the front sends nothing else
        # to a busy worker. A Stop lets the stream finish (as any request in flight), then exits.
        try:
            while self.connection.poll():
                message = self.connection.recv()
                if isinstance(message, messages.Cancel) and message.request_id == request.request_id:
                    events.cancel()
                elif isinstance(message, messages.Stop):
                    self.stopping = True
        except (EOFError, OSError):
            self.stopping = True
            events.cancel()


def run_worker(connection: Connection, settings: Settings, model_dir: str, index: int) -> None:
    """Entry point of worker ``index``; ``connection`` is its end of the pipe to the front."""
    # The front decides when workers stop (it drains requests first), so they ignore the
    # signals a terminal or a process group would deliver to every process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    configure_logging(settings)
    # Before anything imports torch: its OpenMP runtime reads these once, as it loads.
    os.environ.update(settings.worker_environment())
    outbox = Outbox(connection)
    # No cyclic collection while loading: the imports and the model build hundreds of thousands
    # of objects, and the collector's passes over them cost 0.5-0.8 s of a ~3.5 s load of
    # all-MiniLM-L6-v2. Acyclic garbage is still freed at once; the cycles go in one pass below.
    gc.disable()
    try:
        handler, capabilities = load(settings, Path(model_dir), index)
    except ToolkitError as error:
        logger.error("loading the model failed: %s", error.message)
        outbox.send(messages.LoadFailed(ModelLoadError.__name__, error.message))
        return
    except (Exception, SystemExit) as error:
        logger.exception("loading the model failed")
        outbox.send(messages.LoadFailed(ModelLoadError.__name__, f"{type(error).__name__}: {error}"))
        return
    # The loaded libraries and model are hundreds of thousands of objects that live as long as
    # the worker: frozen, the collector's full passes skip them (one took ~185 ms with MiniLM,
    # a stall for whichever request it hit). Garbage is collected first, so none is kept.
    gc.collect()
    gc.freeze()
    gc.enable()
    outbox.send(messages.Ready(capabilities))
    lanes = capabilities.lanes
    if lanes > 1:
        # Lanes keep their threads (one lane's fitting would change the others' mid-call); the
        # lanes that compute at once are fitted instead, unless the user set how many.
        allowed = None if settings.lanes is not None else fitted_lanes(lanes, usable_cores())
        RequestLoop(connection, outbox, handler, lanes=lanes, allowed=allowed).serve()
        return
    fitter = fitter_for(settings.threads_per_worker, usable_cores(), settings.omp_num_threads)
    RequestLoop(connection, outbox, handler, fitter).serve()
