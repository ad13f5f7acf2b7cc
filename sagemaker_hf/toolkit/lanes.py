"""Lanes: several batches in one worker process at once, each on its own thread.

On a CPU, one batch split over every core spends part of each model call waiting: every
parallel region ends when its slowest thread does, and the worker's single-threaded steps
(decoding, tokenizing, writing JSON) leave the other cores idle in between. Two batches on one
torch thread each never wait for each other, and one lane's Python steps run while the other
computes. The model, the libraries and their memory are shared: a second lane costs a thread
(~30 MiB), where a second worker process costs another copy of torch and the model (~450 MiB
for all-MiniLM-L6-v2).

Measured on 2 cores with all-MiniLM-L6-v2 (``benchmarks/serving_defaults.py``, 32 clients,
two runs each, interleaved): sentence-embeddings served 348 req/s in two lanes against 299 in
one batch on two threads, with a lower 32-client p99 (124 against 139 ms), and the same with
one busy process per core (206 against 203). In-process, without HTTP, two lanes answered 432
sentences/s against 328. feature-extraction, once every default call ran its own marked
forward (token_states.py), served 287 against 257 req/s in two lanes, at a lower p99 (156
against 166 ms); with one busy process per core, where the worker is fitted to one lane,
170 against 173.

- Each lane's batch takes at most ``max_batch_size / lanes`` requests, so that the queue is
  spread over the lanes (one lane taking all 32 left the other idle) and all the batches in
  flight together are at most ``max_batch_size``.
- On shared cores a second lane only competes with the neighbours for the same core. Before
  each batch the worker fits the lanes that compute at once to the cores no other process
  holds steadily (:class:`cpu_share.ThreadFitter`), and tells the front
  (:class:`messages.LanesFitted`), which then sends one full batch at a time. A user's
  ``SAGEMAKER_HF_LANES`` is kept as set; a user's ``OMP_NUM_THREADS`` means one lane, and so
  does a GPU (lanes are measured on CPUs only). Fitted to one lane, the worker answers a
  batch on the thread that reads the pipe, as a worker without lanes does.

Only what runs *inside* the model's forward pass runs side by side: a lane holds the worker's
gate for its whole batch and lets go of it only around the forward calls that the task code
marks with :func:`model_call`. Tokenizers (whose fast Rust side refuses concurrent calls that
change their padding or truncation), pipelines, user hooks and the encoders never run in two
lanes at once. Only task models that mark their forward calls run in lanes
(``runs_in_lanes``): sentence-embeddings, sentence-similarity and feature-extraction, without a
user ``predict_fn``, ``predict_batch_fn`` or ``transform_fn``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sagemaker_hf.toolkit.messages import LanesFitted

# More lanes than this split the default batch of 32 into batches too small to pack well;
# bigger machines give each lane several threads instead. Measured on 2 cores only.
MAX_LANES = 4

_gate = threading.Lock()
_state = threading.local()  # holding: this thread runs a lane's batch; pinned: keep the gate


def default_lanes(threads_per_worker: int, user_threads: int | None) -> int:
    """Lanes for a worker whose model can run in lanes: one per thread the worker would have
    had, up to :data:`MAX_LANES`; one when the user set ``OMP_NUM_THREADS`` (theirs win)."""
    if user_threads is not None:
        return 1
    return max(1, min(threads_per_worker, MAX_LANES))


def threads_per_lane(threads_per_worker: int, lanes: int) -> int:
    return max(1, threads_per_worker // max(1, lanes))


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Hold the gate for one lane's batch."""
    with _gate:
        _state.holding = True
        try:
            yield
        finally:
            _state.holding = False


@contextlib.contextmanager
def model_call() -> Iterator[None]:
    """Around a forward pass: other lanes may run while this one computes. Outside a lane, or
    inside :func:`pinned`, it does nothing."""
    if not getattr(_state, "holding", False) or getattr(_state, "pinned", False):
        yield
        return
    _gate.release()
    try:
        yield
    finally:
        _gate.acquire()


@contextlib.contextmanager
def pinned() -> Iterator[None]:
    """Keep the gate through forward calls: for work that must finish before any other lane
    runs, such as a packing probe that decides how every later batch runs."""
    before = getattr(_state, "pinned", False)
    _state.pinned = True
    try:
        yield
    finally:
        _state.pinned = before


class LaneRunner:
    """Runs each batch a worker gets on the first free lane of ``count``.

    ``allowed(running)``, when given, says how many lanes may compute now, given that
    ``running`` other lanes already are (:func:`fitted_lanes`). On shared cores a second lane
    only competes with the neighbours for the same core: a batch then waits for the running
    one, and each time the number changes a :class:`messages.LanesFitted` tells the front
    (through ``send_all``), so that it sends one full batch at a time instead of one lane's
    share.
    """

    def __init__(
        self,
        count: int,
        answer: Callable[[Any], list[Any]],
        send_all: Callable[[list[Any]], bool],
        allowed: Callable[[int], int] | None = None,
    ):
        self.count = count
        self._answer = answer  # one Invoke message -> its replies
        self._send_all = send_all
        self._allowed = allowed
        self._fitted = count
        self._running = 0
        self._turns = threading.Condition()
        self._threads = ThreadPoolExecutor(max_workers=count, thread_name_prefix="lane")

    def submit(self, message: Any) -> None:
        """Run the batch ``message`` on a free lane; called by the thread that reads the pipe.

        Fitted to one lane with none running, the batch runs on the calling thread instead:
        the front sends nothing more until it is answered, and under shared cores handing it
        to a lane thread cost a wake-up per batch (feature-extraction served 156 against 173
        req/s in one lane with one busy process per core).
        """
        with self._turns:
            free = self._running == 0  # a turn is free whatever the fit: it takes its reading now
            here = free and self._fit() == 1
            if free:
                self._running += 1
        if not free:
            self._threads.submit(self._run, message)
        elif here:
            self._answer_batch(message)
        else:
            self._threads.submit(self._answer_batch, message)

    def _run(self, message: Any) -> None:
        with self._turns:
            while self._running >= self._fit():
                self._turns.wait()
            self._running += 1
        self._answer_batch(message)

    def _answer_batch(self, message: Any) -> None:
        """Answer a batch whose turn is taken (``_running`` counts it), then send its replies."""
        try:
            with batch():
                replies = self._answer(message)
        finally:
            with self._turns:
                self._running -= 1
                self._turns.notify()
        self._send_all(replies)  # outside the gate: another lane's batch need not wait for the pipe

    def _fit(self) -> int:
        if self._allowed is None:
            return self.count
        fitted = max(1, min(self.count, self._allowed(self._running)))
        if fitted != self._fitted:
            self._fitted = fitted
            self._send_all([LanesFitted(fitted)])
        return fitted

    def finish(self) -> None:
        """Wait for every batch in flight to be answered."""
        self._threads.shutdown(wait=True)


def fitted_lanes(lanes: int, cores: int) -> Callable[[int], int]:
    """``allowed`` for :class:`LaneRunner`: the lanes that fit the cores no other process holds
    steadily (:class:`cpu_share.ThreadFitter`, which counts this lane and the front as the
    server's own; the lanes already running are the server's own too)."""
    from sagemaker_hf.toolkit.cpu_share import ThreadFitter, runnable_tasks

    fitter = ThreadFitter(lanes, cores, set_threads=lambda _: None)

    def allowed(running: int) -> int:
        runnable = runnable_tasks()
        return fitter.threads_for(None if runnable is None else runnable - running)

    return allowed
