"""The front process's side of the model workers: start, dispatch, detect death, restart, stop.

Requests wait in one bounded queue in the front (full: 503 with Retry-After) and go to an
idle ready worker, several at once when the model batches (:mod:`batching` decides how
many); that is where queue time is measured. Each request has a deadline
(``SAGEMAKER_MODEL_SERVER_TIMEOUT``): past it the client gets a 504, the worker keeps
running and its late answer is dropped. All state changes happen on the event loop, which
also reads the workers' pipes.

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
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sagemaker_hf.toolkit import messages
from sagemaker_hf.toolkit.batching import BatchPolicy, Pending
from sagemaker_hf.toolkit.errors import (
    ModelLoadError,
    NotReadyError,
    OverloadedError,
    RequestTimeoutError,
    WorkerDiedError,
)
from sagemaker_hf.toolkit.metrics import Metrics
from sagemaker_hf.toolkit.settings import Settings
from sagemaker_hf.toolkit.sse import EVENT_STREAM, Relay
from sagemaker_hf.toolkit.worker_process import Worker, WorkerState, describe_exit, start_worker, stop_workers

logger = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 10.0
# Messages up to this size are written to the pipe from the event loop: the worker is idle
# and reading, and the pipe buffer (64 KiB on Linux) takes them at once. Larger ones are
# written from a thread so that a slow reader never stalls the loop.
INLINE_SEND_BYTES = 48 * 1024


class PoolState(enum.Enum):
    PREPARING = "preparing"
    LOADING = "loading"
    READY = "ready"
    RESTARTING = "restarting"  # was ready; every worker is reloading after a death (requests wait)
    FAILED = "failed"
    STOPPING = "stopping"


@dataclass
class Outcome:
    """A worker's answer and how long the request waited for a worker."""

    message: messages.Reply | messages.Failure
    queue_seconds: float
    worker_pid: int | None


class WorkerPool:
    def __init__(self, settings: Settings, metrics: Metrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics or Metrics()
        delay = settings.max_batch_delay_ms
        self._policy = BatchPolicy(settings.max_batch_size, None if delay is None else delay / 1000)
        self._batch_timer: asyncio.TimerHandle | None = None
        self._known: messages.Capabilities | None = None  # of the last worker that was ready
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
        if self._known is not None:
            return PoolState.RESTARTING, "the model worker is restarting; requests wait for it"
        if self._preparing:
            return PoolState.PREPARING, "preparing the model (download, requirements.txt); retry shortly"
        return PoolState.LOADING, "the model is loading; retry shortly"

    @property
    def capabilities(self) -> messages.Capabilities | None:
        """What the loaded model can do; while workers restart, what it could do."""
        for worker in self._workers.values():
            if worker.state is WorkerState.READY:
                return worker.capabilities
        return self._known

    @property
    def queue_depth(self) -> int:
        return len(self._queue)

    @property
    def in_flight(self) -> int:
        return sum(len(worker.in_flight) for worker in self._workers.values())

    def worker_states(self) -> dict[str, int]:
        counts = {state.value: 0 for state in WorkerState}
        for worker in self._workers.values():
            counts[worker.state.value] += 1
        return counts

    def describe(self) -> list[dict[str, object]]:
        return [worker.describe() for worker in self._workers.values()]

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
        assert self._model_dir is not None and self._loop is not None
        self._workers[index] = start_worker(
            self._loop,
            self.settings,
            self._model_dir,
            index,
            restarts,
            on_message=self._on_message,
            on_exit=self._on_exit,
        )

    # ------------------------------------------------------------------ messages from workers

    def _on_message(self, worker: Worker, message: messages.WorkerMessage) -> None:
        if isinstance(message, messages.Chunk):
            pending = worker.in_flight.get(message.request_id)
            if pending is not None:
                pending.deliver(message)
            return
        if isinstance(message, messages.LanesFitted):
            worker.fitted_lanes = message.lanes
        elif isinstance(message, messages.Ready):
            worker.ready(
                message.capabilities, self._policy.max_size if self._batches(message.capabilities) else 1
            )
            self._known = message.capabilities
        elif isinstance(message, messages.LoadFailed):
            worker.state, worker.failure = WorkerState.FAILED, message.message
            logger.error("worker %d could not load the model: %s", worker.index, message.message)
        else:
            pending = worker.in_flight.pop(message.request_id, None)
            if pending is None:
                return
            pending.deliver(message)
            if not worker.answered(pending, queued=len(self._queue), now=time.monotonic()):
                return  # the rest of its batch is still coming
        self._after_change()

    def _batches(self, capabilities: messages.Capabilities | None) -> bool:
        return capabilities is not None and capabilities.batchable and self._policy.max_size > 1

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
            self.metrics.worker_restarts += 1
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
                pending.fail(error)
            worker.in_flight.clear()
            self._spawn(worker.index, restarts=worker.restarts + 1)
        worker.connection.close()
        self._after_change()

    def _after_change(self) -> None:
        state, reason = self.state()
        if state is PoolState.FAILED:
            self._known = None
            while self._queue:
                self._queue.popleft().fail(ModelLoadError(reason))
        self._dispatch()

    # ------------------------------------------------------------------ requests

    def _dispatch(self) -> None:
        if self._batch_timer is not None:
            self._batch_timer.cancel()
            self._batch_timer = None
        assert self._loop is not None
        wait: float | None = None
        ready = sum(worker.state is WorkerState.READY for worker in self._workers.values())
        lanes = [worker for worker in self._workers.values() for _ in range(worker.free_lanes)]
        for worker in lanes:
            # batching.py: while other workers are busy, a fair share of what is outstanding
            busy = self.in_flight
            share = -(-(len(self._queue) + busy) // ready) if ready > 1 and busy else None
            batch = self._policy.take(
                self._queue,
                self._batches(worker.capabilities),
                time.monotonic(),
                worker.refill,
                worker.lane_size(self._policy.max_size if share is None else share),
            )
            if isinstance(batch, float):  # this lane waits for more; another idle one may not
                wait = batch if wait is None else min(wait, batch)
                continue
            if not batch:
                break
            self._assign(worker, batch)
        if wait is not None and self._queue:
            self._batch_timer = self._loop.call_later(wait, self._dispatch)

    def _assign(self, worker: Worker, batch: list[Pending]) -> None:
        now = time.monotonic()
        for pending in batch:
            pending.dispatched, pending.worker_pid = now, worker.process.pid
        worker.started(batch, now)
        self.metrics.record_batch(len(batch))
        message = messages.Invoke(tuple(pending.request for pending in batch))
        if sum(len(pending.request.body) for pending in batch) <= INLINE_SEND_BYTES:
            worker.send(message)
        else:
            assert self._loop is not None
            self._loop.run_in_executor(None, worker.send, message)

    def _enqueue(self, request: messages.Request) -> Pending:
        state, reason = self.state()
        if state is PoolState.FAILED:
            raise ModelLoadError(reason)
        if state is PoolState.STOPPING:
            raise NotReadyError(reason)
        if len(self._queue) >= self.settings.queue_limit:
            raise OverloadedError(
                f"{len(self._queue)} requests are waiting for a model worker, the most this server queues "
                f"(SAGEMAKER_HF_MAX_QUEUE_SIZE={self.settings.queue_limit}); retry after a second, or add "
                "workers (SAGEMAKER_MODEL_SERVER_WORKERS) or instances"
            )
        assert self._loop is not None
        pending = Pending(request, time.monotonic(), self._loop.create_future())
        if request.stream:
            pending.stream_queue = asyncio.Queue()
        self._queue.append(pending)
        self._dispatch()
        return pending

    def _expire(self, pending: Pending) -> None:
        if pending.future.done():
            return
        where = "in the model"
        if pending.dispatched is None:
            where = "waiting for a worker"
            with contextlib.suppress(ValueError):
                self._queue.remove(pending)
        pending.future.set_exception(
            RequestTimeoutError(
                f"the request ran longer than SAGEMAKER_MODEL_SERVER_TIMEOUT={self.settings.timeout:g} s "
                f"({where}); send smaller inputs or raise the timeout"
            )
        )

    async def submit(
        self, body: bytes, content_type: str | None, accept: str, route: str | None = None
    ) -> Outcome:
        """Run one request on a worker; raises a :class:`ToolkitError` for 503 and 504 cases."""
        request = messages.Request(next(self._ids), body, content_type, accept, route=route)
        pending = self._enqueue(request)
        assert self._loop is not None
        deadline = self._loop.call_later(self.settings.timeout, self._expire, pending)
        try:
            message = await pending.future
        finally:
            deadline.cancel()
        queue_seconds = (pending.dispatched or pending.arrived) - pending.arrived
        return Outcome(message, queue_seconds, pending.worker_pid)

    async def open_stream(
        self,
        body: bytes,
        content_type: str | None,
        on_end: Callable[[Pending], None],
        route: str | None = None,
    ) -> Relay:
        """Start a streamed request; returns once its first event is in (raises its error if it
        fails before that, so the client still gets a status code). ``on_end`` runs when the
        stream is over."""
        pending = self._enqueue(
            messages.Request(next(self._ids), body, content_type, EVENT_STREAM, stream=True, route=route)
        )
        assert pending.stream_queue is not None
        relay = Relay(
            pending.stream_queue,
            self.settings.timeout,
            cancel=lambda: self._cancel(pending),
            on_end=lambda: on_end(pending),
        )
        await relay.first()
        return relay

    def _cancel(self, pending: Pending) -> None:
        """Stop a stream whose client left or timed out: drop it from the queue, or ask its worker."""
        if pending.abandoned:
            return
        pending.abandoned = True
        if pending.dispatched is None:
            with contextlib.suppress(ValueError):
                self._queue.remove(pending)
            return
        for worker in self._workers.values():
            if pending.request.request_id in worker.in_flight:
                worker.send(messages.Cancel(pending.request.request_id))

    # ------------------------------------------------------------------ stop

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop every worker: idle ones at once, busy ones after their current request (up to ``grace``)."""
        self._stopping = True
        if self._batch_timer is not None:
            self._batch_timer.cancel()
        leaving = NotReadyError("the server is shutting down; retry on another instance")
        while self._queue:
            self._queue.popleft().fail(leaving)
        if self._pip is not None and self._pip.poll() is None:
            self._pip.terminate()
        await asyncio.to_thread(stop_workers, list(self._workers.values()), grace)
