"""benchmarks/ is a folder of scripts, not a package: its modules import each other by their
top-level names (``serving``, ``peer``), as they do when a script there runs. So do these tests."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

SPIN_MARK = b"parent = int(sys.argv[1])"  # a line of peer.contention.SPIN


@pytest.fixture
def spinners_of() -> Callable[[int], list[int]]:
    """pid -> the live busy loops that process started (their last argument is its pid)."""

    def find(starter: int) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if len(arguments) >= 3 and SPIN_MARK in arguments[-3] and arguments[-2] == str(starter).encode():
                found.append(int(entry.name))
        return sorted(found)

    return find
