"""The front process's side of the model workers: start, dispatch, detect death, restart, stop.

Requests wait in one queue in the front and go to an idle ready worker, one request per
worker at a time; that is where queue time is measured and where batching will take
several requests at once. All state changes happen on the event loop: each worker has a
reader thread that only forwards its pipe's messages to the loop.

Before any worker starts, a preparation thread fetches the model (Hub download) and
installs ``code/requirements.txt`` once for all workers.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
import itertools
import logging
import multiprocessing
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sagemaker_hf.toolkit import protocol
from sagemaker_hf.toolkit.errors import (
    ModelLoadError,
    NotReadyError,
    OverloadedError,
    RequestTimeoutError,
    WorkerDiedError,
)
from sagemaker_hf.toolkit.settings import Settings

logger = logging.getLogger(__name__)

QUEUE_LIMIT_PER_WORKER = 128
STOP_GRACE_SECONDS = 10.0


class WorkerState(enum.Enum):
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"  # the model did not load; not restarted
    DEAD = "dead"
    STOPPED = "stopped"


class PoolState(enum.Enum):
    PREPARING = "preparing"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"
    STOPPING = "stopping"


@dataclass
class Pending:
    request: protocol.Request
    future: asyncio.Future
    arrived: float
    dispatched: float | None = None
    worker_pid: int | None = None


@dataclass
class Outcome:
    """A worker's answer and how long the request waited for a worker."""

    message: protocol.Reply | protocol.Failure
    queue_seconds: float
    worker_pid: int | None


@dataclass
class Worker:
    index: int
    process: multiprocessing.process.BaseProcess
    connection: multiprocessing.connection.Connection
    state: WorkerState = WorkerState.STARTING
    capabilities: protocol.Capabilities | None = None
    failure: str | None = None
    in_flight: dict[int, Pending] = field(default_factory=dict)
    restarts: int = 0
    join_lock: threading.Lock = field(default_factory=threading.Lock)

    def join(self, timeout: float) -> None:
        # The reader thread and stop() may both wait; two concurrent waitpid() calls on one
        # child would leave one of them without the exit code.
        with self.join_lock:
            self.process.join(timeout=timeout)


def describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "exit status unknown"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (SIGKILL: often the out-of-memory killer)" if -exitcode == signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    return f"exit code {exitcode}"


class WorkerPool:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._context = multiprocessing.get_context("spawn")
        self._workers: dict[int, Worker] = {}
        self._queue: collections.deque[Pending] = collections.deque()
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._model_dir: Path | None = None
        self._preparing = True
        self._prepare_error: str | None = None
        self._pip: subprocess.Popen | None = None
        self._stopping = False

    # ------------------------------------------------------------------ status

    def state(self) -> tuple[PoolState, str]:
        """The pool's state and a sentence for /ping."""
        workers = list(self._workers.values())
        if self._stopping:
            return PoolState.STOPPING, "the server is shutting down"
        if self._prepare_error is not None:
            return PoolState.FAILED, self._prepare_error
        if any(worker.state is WorkerState.READY for worker in workers):
            return PoolState.READY, "ready"
        if workers and all(worker.state is WorkerState.FAILED for worker in workers):
            return PoolState.FAILED, next(worker.failure for worker in workers if worker.failure)
        if self._preparing:
            return PoolState.PREPARING, "preparing the model (download, requirements.txt); retry shortly"
        return PoolState.LOADING, "the model is loading; retry shortly"

    @property
    def capabilities(self) -> protocol.Capabilities | None:
        for worker in self._workers.values():
            if worker.state is WorkerState.READY:
                return worker.capabilities
        return None

    def describe(self) -> list[dict[str, object]]:
        return [
            {
                "index": worker.index,
                "pid": worker.process.pid,
                "state": worker.state.value,
                "in_flight": len(worker.in_flight),
                "restarts": worker.restarts,
                "failure": worker.failure,
            }
            for worker in self._workers.values()
        ]

    # ------------------------------------------------------------------ start

    async def start(self) -> None:
        """Begin preparing and loading in the background; returns at once."""
        self._loop = asyncio.get_running_loop()
        threading.Thread(target=self._prepare, name="prepare-model", daemon=True).start()

    def _prepare(self) -> None:
        from sagemaker_hf.toolkit import loading, user_code

        try:
            model_dir = loading.resolve_model_dir(self.settings)
            requirements = self.settings.code_dir(logger) / "requirements.txt"
            user_code.install_requirements(requirements, on_start=self._remember_pip)
        except Exception as error:
            message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
            logger.error("preparing the model failed: %s", message)
            self._call_soon(self._prepared, None, message)
            return
        self._call_soon(self._prepared, model_dir, None)

    def _remember_pip(self, process: subprocess.Popen) -> None:
        self._pip = process

    def _call_soon(self, callback, *arguments) -> None:
        assert self._loop is not None
        with contextlib.suppress(RuntimeError):  # a closed loop: the server is gone
            self._loop.call_soon_threadsafe(callback, *arguments)

    def _prepared(self, model_dir: Path | None, error: str | None) -> None:
        self._preparing = False
        self._prepare_error = error
        if error is not None or self._stopping:
            return
        self._model_dir = model_dir
        for index in range(self.settings.workers):
            self._spawn(index)

    def _spawn(self, index: int, restarts: int = 0) -> None:
        parent_end, child_end = self._context.Pipe()
        from sagemaker_hf.toolkit.worker_main import run_worker

        process = self._context.Process(
            target=run_worker,
            args=(child_end, self.settings, str(self._model_dir), index),
            name=f"worker-{index}",
        )
        process.start()
        child_end.close()
        worker = Worker(index, process, parent_end, restarts=restarts)
        self._workers[index] = worker
        logger.info("started worker %d (pid %d)", index, process.pid)
        threading.Thread(
            target=self._read, args=(worker,), name=f"worker-{index}-reader", daemon=True
        ).start()

    def _read(self, worker: Worker) -> None:
        while True:
            try:
                message = worker.connection.recv()
            except (EOFError, OSError):
                break
            self._call_soon(self._on_message, worker, message)
        worker.join(timeout=5)
        self._call_soon(self._on_exit, worker)

    # ------------------------------------------------------------------ messages from workers

    def _on_message(self, worker: Worker, message: protocol.WorkerMessage) -> None:
        if isinstance(message, protocol.Ready):
            worker.state, worker.capabilities = WorkerState.READY, message.capabilities
            logger.info(
                "worker %d ready in %.1f s (task %s, hooks: %s)",
                worker.index,
                message.capabilities.load_seconds,
                message.capabilities.task or "from user code",
                ", ".join(message.capabilities.hooks) or "none",
            )
        elif isinstance(message, protocol.LoadFailed):
            worker.state, worker.failure = WorkerState.FAILED, message.message
            logger.error("worker %d could not load the model: %s", worker.index, message.message)
        else:
            pending = worker.in_flight.pop(message.request_id, None)
            if pending is not None and not pending.future.done():
                pending.future.set_result(message)
        self._after_change()

    def _on_exit(self, worker: Worker) -> None:
        if self._workers.get(worker.index) is not worker:
            return
        how = describe_exit(worker.process.exitcode)
        if self._stopping:
            worker.state = WorkerState.STOPPED
            return
        if worker.state is WorkerState.STARTING:
            worker.state = WorkerState.FAILED
            worker.failure = f"the worker process died while loading the model ({how}); see the log above"
            logger.error("worker %d (pid %s) died while loading: %s", worker.index, worker.process.pid, how)
        elif worker.state is WorkerState.READY:
            worker.state = WorkerState.DEAD
            logger.error(
                "worker %d (pid %s) died (%s) holding %d request(s); restarting it",
                worker.index,
                worker.process.pid,
                how,
                len(worker.in_flight),
            )
            error = WorkerDiedError(
                f"the model worker (pid {worker.process.pid}) died while handling this request ({how}); "
                "it is being restarted. Retry the request; if it fails again, the input may crash the model"
            )
            for pending in worker.in_flight.values():
                if not pending.future.done():
                    pending.future.set_exception(error)
            worker.in_flight.clear()
            self._spawn(worker.index, restarts=worker.restarts + 1)
        worker.connection.close()
        self._after_change()

    def _after_change(self) -> None:
        state, reason = self.state()
        if state is PoolState.FAILED:
            while self._queue:
                pending = self._queue.popleft()
                if not pending.future.done():
                    pending.future.set_exception(ModelLoadError(reason))
        self._dispatch()

    # ------------------------------------------------------------------ requests

    def _dispatch(self) -> None:
        idle = [w for w in self._workers.values() if w.state is WorkerState.READY and not w.in_flight]
        while self._queue and idle:
            pending = self._queue.popleft()
            if pending.future.done():  # timed out while queued
                continue
            worker = idle.pop(0)
            pending.dispatched = time.monotonic()
            pending.worker_pid = worker.process.pid
            worker.in_flight[pending.request.request_id] = pending
            assert self._loop is not None
            self._loop.run_in_executor(None, self._send, worker, protocol.Invoke((pending.request,)))

    @staticmethod
    def _send(worker: Worker, message: object) -> None:
        # On failure the reader thread sees the worker's exit and fails its requests.
        with contextlib.suppress(OSError, ValueError):
            worker.connection.send(message)

    async def submit(self, body: bytes, content_type: str | None, accept: str) -> Outcome:
        """Run one request on a worker; raises a :class:`ToolkitError` for 503 and 504 cases."""
        state, reason = self.state()
        if state is PoolState.FAILED:
            raise ModelLoadError(reason)
        if state is PoolState.STOPPING:
            raise NotReadyError(reason)
        if len(self._queue) >= QUEUE_LIMIT_PER_WORKER * self.settings.workers:
            raise OverloadedError(
                f"{len(self._queue)} requests are waiting for a model worker; retry after a second, or add "
                "workers (SAGEMAKER_MODEL_SERVER_WORKERS) or instances"
            )
        assert self._loop is not None
        request = protocol.Request(next(self._ids), body, content_type, accept)
        pending = Pending(request, self._loop.create_future(), arrived=time.monotonic())
        self._queue.append(pending)
        self._dispatch()
        try:
            message = await asyncio.wait_for(pending.future, timeout=self.settings.timeout)
        except asyncio.TimeoutError:
            where = "waiting for a worker" if pending.dispatched is None else "in the model"
            raise RequestTimeoutError(
                f"the request ran longer than SAGEMAKER_MODEL_SERVER_TIMEOUT={self.settings.timeout:g} s "
                f"({where}); send smaller inputs or raise the timeout"
            ) from None
        queue_seconds = (pending.dispatched or pending.arrived) - pending.arrived
        return Outcome(message, queue_seconds, pending.worker_pid)

    # ------------------------------------------------------------------ stop

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop every worker: idle ones at once, busy ones after their current request (up to ``grace``)."""
        self._stopping = True
        while self._queue:
            pending = self._queue.popleft()
            if not pending.future.done():
                pending.future.set_exception(
                    NotReadyError("the server is shutting down; retry on another instance")
                )
        if self._pip is not None and self._pip.poll() is None:
            self._pip.terminate()
        workers = list(self._workers.values())
        await asyncio.to_thread(self._stop_blocking, workers, grace)

    @staticmethod
    def _stop_blocking(workers: list[Worker], grace: float) -> None:
        for worker in workers:
            if worker.state is WorkerState.STARTING:
                worker.process.kill()  # nothing to finish while loading
            else:
                WorkerPool._send(worker, protocol.Stop())
        deadline = time.monotonic() + grace
        for worker in workers:
            worker.join(timeout=max(0.0, deadline - time.monotonic()))
            if worker.process.exitcode is None:
                logger.warning("worker %d did not stop within %.0f s; killing it", worker.index, grace)
                worker.process.kill()
                worker.join(timeout=5)
        logger.info("stopped %d worker(s)", len(workers))
