"""A small fixed pool of threads for a transform job's requests in flight.

Not ``concurrent.futures``: its executors refuse new work once the main thread has ended,
and a job started with ``transform(wait=False)`` by a script that then ends must still
run to its end (its thread keeps the interpreter alive until then).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Pending(Generic[T]):
    """The result of one submitted call, once a pool thread has run it."""

    def __init__(self, call: Callable[[], T]) -> None:
        self._call = call
        self._done = threading.Event()
        self._cancelled = False
        self._ran = False
        self._value: Any = None
        self._error: BaseException | None = None

    def _run(self) -> None:
        if not self._cancelled:
            self._ran = True
            try:
                self._value = self._call()
            except BaseException as error:  # handed to whoever waits for the result
                self._error = error
        self._done.set()

    def cancel(self) -> None:
        """Skip the call if no thread has started it; either way, wait until it is settled."""
        self._cancelled = True
        self._done.wait()

    @property
    def succeeded(self) -> bool:
        """Whether the call ran to its end without raising (False while it is still running)."""
        return self._done.is_set() and self._ran and self._error is None

    def result(self) -> T:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value


class RequestPool:
    """``size`` threads running submitted calls in submission order; use it as a context manager."""

    def __init__(self, size: int, name: str) -> None:
        self._queue: queue.Queue[Pending[Any] | None] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{index}", daemon=True) for index in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while (pending := self._queue.get()) is not None:
            pending._run()

    def submit(self, call: Callable[[], T]) -> Pending[T]:
        pending: Pending[T] = Pending(call)
        self._queue.put(pending)
        return pending

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()

    def __enter__(self) -> RequestPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
