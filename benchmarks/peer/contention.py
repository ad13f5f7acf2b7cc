"""Deliberate background load: one busy process per core (a pure-Python spin loop).

A busy process checks now and then that the benchmark that started it (whose pid it gets as its
argument: reading its parent at start could already see init) is still its parent, and ends by
itself otherwise, so that not even a benchmark killed with SIGKILL leaves one spinning.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# About 20-50 ms of spinning between two checks of the parent.
SPIN = """
import os, sys
parent = int(sys.argv[1])
while os.getppid() == parent:
    for _ in range(1_000_000):
        pass
"""


@contextmanager
def busy_processes(count: int) -> Iterator[list[subprocess.Popen]]:
    """``count`` spinning processes for the body of the ``with``; all ended (and reaped) after it."""
    spinners: list[subprocess.Popen] = []
    try:
        for _ in range(count):
            spinners.append(
                subprocess.Popen([sys.executable, "-c", SPIN, str(os.getpid())], stdin=subprocess.DEVNULL)
            )
        yield spinners
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait(timeout=30)
