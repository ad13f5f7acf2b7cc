"""Dynamic micro-batching in the front: which queued requests an idle worker takes at once.

Two knobs, nothing adaptive:

- ``max_batch_size`` (``SAGEMAKER_HF_MAX_BATCH_SIZE``): at most this many requests per
  worker message; 1 turns batching off.
- ``max_batch_delay_ms`` (``SAGEMAKER_HF_MAX_BATCH_DELAY_MS``): when fewer than that are
  queued, wait for more until the oldest has waited this long.

Under load, batches form by themselves: requests queue while the worker runs the previous
batch, and the next one takes them all (up to the maximum). The delay only helps a server
with light, bursty traffic, and costs every lone request that much latency.

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


@dataclass(frozen=True)
class BatchPolicy:
    max_size: int
    max_delay: float  # seconds

    def take(
        self, queue: collections.deque[Pending], worker_batches: bool, now: float
    ) -> list[Pending] | float:
        """The requests an idle worker gets now (none when the queue is empty), or how many
        seconds to wait for more before asking again."""
        while True:
            while queue and queue[0].settled:
                queue.popleft()
            if not queue:
                return []
            head = queue[0]
            if not (worker_batches and head.batchable) or self.max_size == 1:
                return [queue.popleft()]
            run = 0
            for pending in queue:
                if not pending.batchable or run == self.max_size:
                    break
                run += 1
            waiting_for_more = run < self.max_size and run == len(queue)
            if waiting_for_more and now < head.arrived + self.max_delay:
                return head.arrived + self.max_delay - now
            taken = [queue.popleft() for _ in range(run)]
            taken = [pending for pending in taken if not pending.settled]
            if taken:
                return taken
