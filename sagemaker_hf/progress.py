"""Progress on stderr: one line per wait or transfer, redrawn in place on a terminal.

:class:`ProgressLine` is the line every wait (:mod:`sagemaker_hf.waiting`) writes;
:class:`TransferProgress` feeds one from the byte counts of an upload or a packing. Time is
read and spent only through a :class:`Clock`, so tests inject a fake one.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Protocol, TextIO

HEARTBEAT_SECONDS = 30.0
TRANSFER_PROGRESS_MIN_BYTES = 50_000_000
TRANSFER_REDRAW_SECONDS = 0.5


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()


def format_elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


class ProgressLine:
    """``<label>: <status> (<elapsed>)`` on stderr.

    On a terminal the line is redrawn in place; otherwise (logs, CI) a line is written
    when the status changes and every :data:`HEARTBEAT_SECONDS`.
    """

    def __init__(
        self, label: str, stream: TextIO | None = None, heartbeat: float = HEARTBEAT_SECONDS
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.heartbeat = heartbeat
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_status: str | None = None
        self._last_written = float("-inf")
        self._width = 0

    def show(self, status: str, elapsed: float, detail: str = "") -> None:
        """Report ``status``; ``detail`` (e.g. bytes done) changes often and never forces a line."""
        text = f"{self.label}: {status}{' ' + detail if detail else ''} ({format_elapsed(elapsed)})"
        if self.interactive:
            self.stream.write("\r" + text.ljust(self._width))
            self._width = max(self._width, len(text))
        elif status != self._last_status or elapsed - self._last_written >= self.heartbeat:
            self.stream.write(text + "\n")
            self._last_written = elapsed
        self._last_status = status
        self.stream.flush()

    def close(self) -> None:
        if self.interactive and self._width:
            self.stream.write("\n")
            self.stream.flush()


class TransferProgress:
    """Progress of a long byte transfer (upload, packing), fed from any thread by :meth:`add`.

    Silent for transfers under :data:`TRANSFER_PROGRESS_MIN_BYTES`; on a terminal redraws
    at most every :data:`TRANSFER_REDRAW_SECONDS`.
    """

    def __init__(
        self,
        label: str,
        total_bytes: int,
        stream: TextIO | None = None,
        clock: Clock = SYSTEM_CLOCK,
        min_bytes: int = TRANSFER_PROGRESS_MIN_BYTES,
    ) -> None:
        self.total_bytes = total_bytes
        self.enabled = total_bytes >= min_bytes
        self.clock = clock
        self._line = ProgressLine(label, stream)
        self._lock = threading.Lock()
        self._done = 0
        self._start = clock.monotonic()
        self._last_drawn = float("-inf")

    def add(self, byte_count: int) -> None:
        with self._lock:
            self._done += byte_count
            now = self.clock.monotonic()
            finished = self._done >= self.total_bytes
            if self.enabled and (finished or now - self._last_drawn >= TRANSFER_REDRAW_SECONDS):
                self._last_drawn = now
                megabytes = f"{self._done / 1e6:,.0f}/{self.total_bytes / 1e6:,.0f} MB"
                self._line.show("done" if finished else "in progress", now - self._start, megabytes)

    def close(self) -> None:
        if self.enabled:
            self._line.close()
