"""Torch threads fitted, before each model call, to the cores nobody else is using right now.

A worker owns ``threads_per_worker`` cores on paper, but an endpoint host is never only the
model: the front process, the clients' connections, logging, sidecars and neighbours run on
the same cores. A torch call split over two threads needs both to run at once; when another
runnable process holds one of the cores, every parallel region waits for the descheduled
thread, and a 12 ms call takes 20-40 ms. One thread on the free core does not wait.

So before each call the worker reads how many tasks are runnable on the host
(``procs_running`` in ``/proc/stat``: one read of a small in-memory file, ~20 µs) and uses
``threads_per_worker`` minus the cores that others hold steadily, at least one. Others are
what is runnable besides the worker and its own front process (which hands each batch over
and sends the replies around every call). Steadily means in each of the last :data:`WINDOW`
readings: clients and logging are runnable now and then, a busy neighbour at every reading.
Idle, a batch gets every core; shared, it gets what is free. A call on one short request
runs on one thread at any load: with passive waiting, waking a second thread costs more
than it saves (sequential p50 12.5 -> 9.4 ms idle on all-MiniLM-L6-v2).
``torch.set_num_threads`` is only called when the number changes (< 50 µs). A user's
``OMP_NUM_THREADS`` turns this off: the worker then keeps exactly the threads asked for.

Measured with ``benchmarks/peer_aws_toolkit.py`` (see the README's table).
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path

PROC_STAT = Path("/proc/stat")
_FIELD = b"procs_running "
# A call on one short request is too small to split: waking a second thread costs more than it
# saves, with OpenMP's passive waiting (idle threads sleep until woken).
SMALL_CALL_BYTES = 2048
# Runnable tasks that are the server itself: this worker's thread, reading, and the front
# process, which hands each batch over and sends its replies around every call.
OWN_TASKS = 2
WINDOW = 8  # readings, one per model call; a load that shows in all of them is a steady one


def runnable_tasks(stat: Path = PROC_STAT) -> int | None:
    """Tasks runnable on the host now, this one included; None where the kernel does not say."""
    try:
        data = stat.read_bytes()
    except OSError:
        return None
    start = data.find(_FIELD)
    if start < 0:
        return None
    end = data.find(b"\n", start)
    try:
        return int(data[start + len(_FIELD) : end if end >= 0 else None])
    except ValueError:
        return None


class ThreadFitter:
    """Sets torch's intra-op threads to the free cores (at most ``most``, at least one)."""

    def __init__(
        self,
        most: int,
        cores: int,
        set_threads: Callable[[int], None],
        read_runnable: Callable[[], int | None] = runnable_tasks,
    ) -> None:
        self.most = max(1, most)
        self.cores = max(1, cores)
        self.set_threads = set_threads
        self.read_runnable = read_runnable
        self.current = self.most
        self.readings: deque[int] = deque(maxlen=WINDOW)

    def threads_for(self, runnable: int | None) -> int:
        """The threads for the next call, given this reading and the previous ones."""
        if runnable is None:
            return self.most
        self.readings.append(runnable)
        others = max(0, min(self.readings) - OWN_TASKS)
        return max(1, min(self.most, self.cores - others))

    def fit(self, small: bool = False) -> int:
        """Fit the threads to the host's load now (one for a ``small`` call); returns the
        threads the next call uses."""
        wanted = self.threads_for(self.read_runnable())
        if small:
            wanted = 1
        if wanted != self.current:
            self.set_threads(wanted)
            self.current = wanted
        return wanted


def fitter_for(most: int, cores: int, user_threads: int | None) -> ThreadFitter | None:
    """The worker's fitter; None when the user set the threads (theirs win) or there is
    nothing to fit (one thread, or no torch loaded)."""
    if user_threads is not None or most <= 1 or "torch" not in sys.modules:
        return None
    import torch

    return ThreadFitter(most, cores, torch.set_num_threads)
