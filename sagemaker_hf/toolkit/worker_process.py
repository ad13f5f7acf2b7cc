"""One model worker process as the front sees it: the process and its pipe.

The pool (:mod:`pool`) owns the state; this module starts a worker with the ``spawn``
context, hands every message it sends to a callback on the event loop, reports its exit,
and stops it. The loop reads the pipe itself, without blocking (``MSG_DONTWAIT``): a thread
in between would cost a wake-up per answer, which shows in every request's latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import itertools
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sagemaker_hf.toolkit import messages
from sagemaker_hf.toolkit.batching import NO_REFILL, Pending, Refill
from sagemaker_hf.toolkit.settings import Settings

logger = logging.getLogger(__name__)


class WorkerState(enum.Enum):
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"  # the model did not load; not restarted
    DEAD = "dead"
    STOPPED = "stopped"


@dataclass
class OpenBatch:
    size: int  # requests sent
    started: float  # time.monotonic() when it was sent
    waiting: int  # requests not answered yet


@dataclass
class Worker:
    index: int
    process: multiprocessing.process.BaseProcess
    connection: multiprocessing.connection.Connection
    state: WorkerState = WorkerState.STARTING
    capabilities: messages.Capabilities | None = None
    failure: str | None = None
    in_flight: dict[int, Pending] = field(default_factory=dict)
    restarts: int = 0
    batches: dict[int, OpenBatch] = field(default_factory=dict)  # by id: those it is running
    refill: Refill = NO_REFILL  # what the next batch waits for (batching.Refill)
    join_lock: threading.Lock = field(default_factory=threading.Lock)
    _batch_ids: itertools.count = field(default_factory=itertools.count)
    fitted_lanes: int | None = None  # of its lanes, those it runs now (messages.LanesFitted)

    def join(self, timeout: float) -> None:
        # The reader thread and stop() may both wait; two concurrent waitpid() calls on one
        # child would leave one of them without the exit code.
        with self.join_lock:
            self.process.join(timeout=timeout)

    def send(self, message: object) -> None:
        # On failure the reader thread sees the worker's exit and fails its requests.
        with contextlib.suppress(OSError, ValueError):
            self.connection.send(message)

    def ready(self, capabilities: messages.Capabilities, batch_size: int) -> None:
        """It has loaded the model and serves up to ``batch_size`` requests per batch."""
        self.state, self.capabilities = WorkerState.READY, capabilities
        logger.info(
            "worker %d ready in %.1f s (task %s, hooks: %s, %d thread(s) in each of %d lane(s), batching %s, "
            "streaming %s)",
            self.index,
            capabilities.load_seconds,
            capabilities.task or "from user code",
            ", ".join(capabilities.hooks) or "none",
            capabilities.threads,
            capabilities.lanes,
            f"up to {batch_size}" if batch_size > 1 else "off",
            "on" if capabilities.streams else "off",
        )

    @property
    def lanes(self) -> int:
        """Batches it runs at once now (lanes.py): its lanes, or fewer while the cores are shared."""
        most = self.capabilities.lanes if self.capabilities is not None else 1
        return most if self.fitted_lanes is None else max(1, min(most, self.fitted_lanes))

    @property
    def free_lanes(self) -> int:
        return self.lanes - len(self.batches) if self.state is WorkerState.READY else 0

    def lane_size(self, max_size: int) -> int:
        """The most requests one of its batches takes: lanes share the maximum batch size, so
        that the queue is spread over them and all they run at once is at most ``max_size``."""
        return max(1, -(-max_size // self.lanes))

    def started(self, batch: list[Pending], now: float) -> None:
        """``batch`` went to this worker at ``now``."""
        batch_id = next(self._batch_ids)
        for pending in batch:
            pending.batch_id = batch_id
            self.in_flight[pending.request.request_id] = pending
        self.batches[batch_id] = OpenBatch(len(batch), now, len(batch))

    def answered(self, pending: Pending, queued: int, now: float) -> bool:
        """``pending`` is answered; True when that completes its batch, freeing a lane. Its
        clients come back, and the ``queued`` requests stay: the next batch waits for their
        company (:class:`batching.Refill`)."""
        batch = self.batches.get(pending.batch_id)
        if batch is None:
            return False
        batch.waiting -= 1
        if batch.waiting > 0:
            return False
        del self.batches[pending.batch_id]
        self.refill = Refill.after(batch.size + queued, batch.started, now)
        return True

    def describe(self) -> dict[str, object]:
        """This worker, for ``/info``."""
        return {
            "index": self.index,
            "pid": self.process.pid,
            "state": self.state.value,
            "in_flight": len(self.in_flight),
            "lanes": self.lanes,
            "restarts": self.restarts,
            "threads": self.capabilities.threads if self.capabilities else None,
            "gpu_id": self.capabilities.gpu_id if self.capabilities else None,
            "failure": self.failure,
        }


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


def start_worker(
    loop: asyncio.AbstractEventLoop,
    settings: Settings,
    model_dir: Path,
    index: int,
    restarts: int,
    on_message: Callable[[Worker, messages.WorkerMessage], None],
    on_exit: Callable[[Worker], None],
) -> Worker:
    """Spawn worker ``index`` (call this on ``loop``). ``on_message`` runs on the loop for each
    message the worker sends, and ``on_exit`` once it has exited."""
    from sagemaker_hf.toolkit.worker_main import run_worker

    context = multiprocessing.get_context("spawn")
    parent_end, child_end = context.Pipe()
    process = context.Process(
        target=run_worker, args=(child_end, settings, str(model_dir), index), name=f"worker-{index}"
    )
    process.start()
    child_end.close()
    worker = Worker(index, process, parent_end, restarts=restarts)
    logger.info("started worker %d (pid %d)", index, process.pid)
    reader = socket.socket(fileno=os.dup(parent_end.fileno()))
    frames = messages.FrameReader()

    def readable() -> None:
        # One read per call: a worker that streams tokens faster than they are sent on must
        # not keep the loop here (epoll calls again while data is left).
        try:
            arrived = frames.receive(reader, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError:
            arrived = None
        if arrived is None:  # the worker's end is closed: it has exited (or is exiting)
            loop.remove_reader(reader.fileno())
            reader.close()
            waited = loop.run_in_executor(None, worker.join, 5)
            waited.add_done_callback(lambda _: on_exit(worker))
            return
        for message in arrived:
            on_message(worker, message)

    loop.add_reader(reader.fileno(), readable)
    # uvloop (libuv) makes a watched descriptor non-blocking, and the dup shares that flag with
    # the connection that sends. A large Invoke, written from a thread, then stopped at the
    # first full pipe buffer (EAGAIN) with half a message sent, and the worker waited for the
    # rest forever. The loop's reads pass MSG_DONTWAIT, so they never block either way.
    os.set_blocking(parent_end.fileno(), True)
    return worker


def stop_workers(workers: list[Worker], grace: float) -> None:
    """Ask every worker to stop (killing those still loading), wait up to ``grace``, then kill."""
    for worker in workers:
        if worker.state is WorkerState.STARTING:
            worker.process.kill()  # nothing to finish while loading
        else:
            worker.send(messages.Stop())
    deadline = time.monotonic() + grace
    for worker in workers:
        worker.join(timeout=max(0.0, deadline - time.monotonic()))
        if worker.process.exitcode is None:
            logger.warning("worker %d did not stop within %.0f s; killing it", worker.index, grace)
            worker.process.kill()
            worker.join(timeout=5)
    logger.info("stopped %d worker(s)", len(workers))
