"""Resident memory of a local endpoint: every process of its group, sampled, and judged flat or not.

**Flat** (:class:`RssBound`), for each process and for their total, from the *start* sample
(after the warm-up) to the *end* sample (after the last answer): (a) end - start <=
max(10% of start, 50 MiB), and (b) the growth over the second half of the run is at most the
growth over the first half plus 5 MiB (allocator noise). A process that appears or
disappears during the run (a worker restart) is not flat.

Linux only: sizes are ``VmRSS`` from ``/proc/<pid>/status``, and the group's members come
from ``/proc/*/stat``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from sagemaker_hf.local import processes

MIB = 1024 * 1024
_PROC = Path("/proc")


class RssBound(BaseModel):
    """What "flat" means; see the module docstring."""

    relative: float = 0.10
    absolute_bytes: int = 50 * MIB
    noise_bytes: int = 5 * MIB

    def allowed_growth(self, start: int) -> int:
        return max(int(self.relative * start), self.absolute_bytes)


def rss_bytes(pid: int) -> int | None:
    """``VmRSS`` of ``pid`` in bytes; None once it is gone."""
    try:
        status = (_PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None  # a zombie has no VmRSS


def _role(pid: int, leader: int) -> str:
    if pid == leader:
        return "front"
    try:
        command = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return "child"
    if b"resource_tracker" in command:
        return "resource tracker"
    return "worker" if b"multiprocessing" in command else "child"


class RssSample(BaseModel):
    at_seconds: float
    bytes_by_process: dict[str, int]  # label ("front", "worker 1 (pid 123)") -> bytes

    @property
    def total(self) -> int:
        return sum(self.bytes_by_process.values())


class ProcessGroupRss:
    """Samples the RSS of every process in the group led by ``leader``; a process keeps the
    label it got when first seen, so a restarted worker shows as a new one."""

    def __init__(self, leader: int) -> None:
        self.leader = leader
        self._labels: dict[int, str] = {}

    def _label(self, pid: int) -> str:
        if pid not in self._labels:
            role = _role(pid, self.leader)
            workers = sum(1 for label in self._labels.values() if label.startswith("worker"))
            names = {"front": "front", "worker": f"worker {workers + 1} (pid {pid})"}
            self._labels[pid] = names.get(role, f"{role} (pid {pid})")
        return self._labels[pid]

    def sample(self, at_seconds: float) -> RssSample:
        sizes = {}
        for pid in processes.group_members(self.leader):
            size = rss_bytes(pid)
            if size is not None:
                sizes[self._label(pid)] = size
        return RssSample(at_seconds=at_seconds, bytes_by_process=sizes)


class RssRow(BaseModel):
    label: str
    start: int | None
    middle: int | None
    end: int | None
    flat: bool
    reason: str = ""

    @property
    def growth(self) -> int | None:
        return None if self.start is None or self.end is None else self.end - self.start


def judge_rss(start: RssSample, middle: RssSample, end: RssSample, bound: RssBound) -> list[RssRow]:
    """One row per process, then ``total``, each judged flat or not (see the module docstring)."""
    labels = list(dict.fromkeys([*start.bytes_by_process, *end.bytes_by_process]))
    rows = [
        _judge(
            label,
            start.bytes_by_process.get(label),
            middle.bytes_by_process.get(label),
            end.bytes_by_process.get(label),
            bound,
        )
        for label in labels
    ]
    rows.append(_judge("total", start.total, middle.total, end.total, bound))
    return rows


def _judge(label: str, start: int | None, middle: int | None, end: int | None, bound: RssBound) -> RssRow:
    def row(flat: bool, reason: str = "") -> RssRow:
        return RssRow(label=label, start=start, middle=middle, end=end, flat=flat, reason=reason)

    if start is None:
        return row(False, "started during the run (a restarted worker?)")
    if end is None:
        return row(False, "gone at the end (died?)")
    allowed = bound.allowed_growth(start)
    if end - start > allowed:
        return row(False, f"grew {mib(end - start)} MiB, more than the {mib(allowed)} MiB allowed")
    middle = start if middle is None else middle
    first, second = middle - start, end - middle
    if second > first + bound.noise_bytes:
        return row(False, f"grew {mib(second)} MiB in the second half, {mib(first)} MiB in the first")
    return row(True)


def mib(size: int | None) -> str:
    return "-" if size is None else f"{size / MIB:.1f}"
