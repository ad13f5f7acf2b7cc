"""Dynamic micro-batching in the front: which queued requests an idle worker takes at once.

Two knobs:

- ``max_batch_size`` (``SAGEMAKER_HF_MAX_BATCH_SIZE``): at most this many requests per
  worker message; 1 turns batching off.
- ``max_batch_delay_ms`` (``SAGEMAKER_HF_MAX_BATCH_DELAY_MS``): when set, and fewer than the
  maximum are queued, wait for more until the oldest has waited this long (0: never wait).

Under load, batches form by themselves: requests queue while the worker runs the previous
batch, and the next one takes them all (up to the maximum). A fixed delay only helps a server
with light, bursty traffic, and costs every lone request that much latency.

Unset, the delay is a *refill* (:class:`Refill`): a worker that has just answered N requests,
with M more queued, waits for N + M to queue (up to the maximum), for at most a tenth of that
batch's time and 50 ms. Its clients send their next requests within a round trip, and a
batch dispatched the instant the worker is free leaves those that are a moment late behind
for a whole batch: with 32 clients the batches settled into 31 and 1 (a lone call between
every two full ones), and the stragglers' latency was two batches (the 32-client p99). A
lone request after a lone request never waits, so sequential latency is unchanged, and the
wait ends as soon as the queue holds that many requests.

With several workers, while any of them is busy, a batch takes at most its worker's fair
share of the requests outstanding (queued and in flight, divided by the ready workers).
Otherwise the first idle worker took the whole queue, and once unequal the batches stayed
so: with 32 closed-loop clients, the clients of a big batch all come back to the worker that
answered them, while the other worker runs its few. Two one-thread workers on 2 cores then
served no more than one two-thread worker; shared, feature-extraction went from 207 to 262
req/s idle and from 150 to 165 with one busy process per core (``benchmarks/serving_defaults.py``,
one run). One worker's share is the whole queue, so a single worker batches as before.

Requests are taken oldest first, and a batch stops at the first one that must run alone (a
stream). The front does not look inside bodies: the worker decodes each request and calls
the model once per distinct ``parameters`` (see :mod:`handler`), which it must decode anyway,
while parsing bodies here would stall the event loop that serves every connection.
"""

from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass

from sagemaker_hf.toolkit import messages
from sagemaker_hf.toolkit.errors import ToolkitError


@dataclass
class Pending:
    """A request from its arrival until its answer (or, for a stream, its last event)."""

    request: messages.Request
    arrived: float
    future: asyncio.Future  # the Reply or Failure; unused by streams
    stream_queue: asyncio.Queue | None = None  # a stream's Chunks, then its Reply, Failure or error
    dispatched: float | None = None
    worker_pid: int | None = None
    abandoned: bool = False  # timed out or the client left; late messages are dropped
    batch_id: int = -1  # which of its worker's batches it went in

    @property
    def batchable(self) -> bool:
        # The image-family APIs' worker streams several requests from one generate call.
        return not self.request.stream or self.request.route is not None

    @property
    def settled(self) -> bool:
        return self.abandoned or self.future.done()

    def deliver(self, message: messages.WorkerMessage) -> None:
        if self.stream_queue is not None:
            if not self.abandoned:
                self.stream_queue.put_nowait(message)
        elif not self.future.done():
            self.future.set_result(message)

    def fail(self, error: ToolkitError) -> None:
        if self.stream_queue is not None:
            if not self.abandoned:
                self.stream_queue.put_nowait(error)
        elif not self.future.done():
            self.future.set_exception(error)


# The longest refill wait, as a share of the batch the worker has just answered and at most
# REFILL_MAX_SECONDS: what waiting costs when the clients do not come back (open traffic). A
# round trip of 32 clients took ~20 ms with feature-extraction's large answers, on 2 cores.
REFILL_FRACTION = 0.1
REFILL_MAX_SECONDS = 0.05


@dataclass(frozen=True)
class Refill:
    """What a worker that has just answered a batch waits for: ``size`` queued requests (the
    batch's and those that were already waiting), until ``until``."""

    size: int = 0
    until: float = 0.0

    @classmethod
    def after(cls, company: int, started: float, finished: float) -> Refill:
        return cls(company, finished + min(REFILL_FRACTION * (finished - started), REFILL_MAX_SECONDS))


NO_REFILL = Refill()


@dataclass(frozen=True)
class BatchPolicy:
    max_size: int
    max_delay: float | None  # seconds; None: refill (see the module docstring)

    def take(
        self,
        queue: collections.deque[Pending],
        worker_batches: bool,
        now: float,
        refill: Refill = NO_REFILL,
        share: int | None = None,
    ) -> list[Pending] | float:
        """The requests an idle worker gets now (none when the queue is empty), or how many
        seconds to wait for more before asking again. ``refill``: what the worker last answered;
        ``share``: the most it should take when other workers share the load (below ``max_size``)."""
        limit = self.max_size if share is None else max(1, min(share, self.max_size))
        while True:
            while queue and queue[0].settled:
                queue.popleft()
            if not queue:
                return []
            head = queue[0]
            if not (worker_batches and head.batchable) or limit == 1:
                return [queue.popleft()]
            run = 0
            for pending in queue:
                if not pending.batchable or run == limit:
                    break
                run += 1
            if run < limit and run == len(queue):  # more may come
                wait_until = self._wait_until(head, run, refill, limit)
                if now < wait_until:
                    return wait_until - now
            taken = [queue.popleft() for _ in range(run)]
            taken = [pending for pending in taken if not pending.settled]
            if taken:
                return taken

    def _wait_until(self, head: Pending, queued: int, refill: Refill, limit: int) -> float:
        if self.max_delay is not None:
            return head.arrived + self.max_delay
        return refill.until if queued < min(refill.size, limit) else 0.0
