"""A server's whole process tree, read from /proc: members, peak RSS, CPU time, listeners, the stop.

Each server is started in its own session (``start_new_session=True``), so everything it
starts shares its process group, even processes that outlive their parent and are re-parented
to init (MMS's command-line tool exits after starting the Java frontend). The group is the tree.

RSS is the sum of ``VmRSS`` over the group's processes (pages shared between processes count
once per process, as ``ps`` adds them up); CPU is utime + stime of every live member plus what
it collected from children it reaped (cutime + cstime). Linux only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sagemaker_hf.local.processes import group_members
from sagemaker_hf.testing.load_rss import rss_bytes

_PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK")
_TCP_LISTEN = "0A"
_UNIX_ACCEPTING = 0x00010000  # __SO_ACCEPTCON: a listening unix socket


def cpu_seconds(pgid: int) -> float:
    """utime + stime + cutime + cstime of every live process of the group, in seconds."""
    total = 0
    for pid in group_members(pgid):
        try:
            stat = (_PROC / str(pid) / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()  # fields from the state on (the 3rd)
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / _TICKS


def tree_rss(pgid: int) -> int:
    """The group's RSS now, in bytes."""
    return sum(size for size in map(rss_bytes, group_members(pgid)) if size is not None)


class PeakRss:
    """Samples the group's RSS in a thread until :meth:`stop`; ``peak`` is the largest sum seen.

    Membership is re-read every ``refresh`` seconds (a scan of /proc), sizes every ``interval``."""

    def __init__(self, pgid: int, interval: float = 0.25, refresh: float = 1.0) -> None:
        self.pgid = pgid
        self.interval = interval
        self.refresh = refresh
        self.peak = 0
        self.samples = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{pgid}", daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        members: list[int] = []
        refreshed = 0.0
        while True:
            now = time.monotonic()
            if now - refreshed >= self.refresh:
                members, refreshed = group_members(self.pgid), now
            total = sum(size for size in map(rss_bytes, members) if size is not None)
            self.peak = max(self.peak, total)
            self.samples += 1
            if self._stopped.wait(self.interval):
                return


# ---------------------------------------------------------------------------- listeners


def _socket_inodes(pids: list[int]) -> set[str]:
    inodes = set()
    for pid in pids:
        try:
            descriptors = list((_PROC / str(pid) / "fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                target = os.readlink(descriptor)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def _tcp_listeners() -> dict[str, int]:
    """inode -> port of every listening TCP socket (IPv4 and IPv6)."""
    found = {}
    for table in ("tcp", "tcp6"):
        try:
            lines = (_PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            columns = line.split()
            if columns[3] == _TCP_LISTEN:
                found[columns[9]] = int(columns[1].rsplit(":", 1)[1], 16)
    return found


def _unix_listeners() -> dict[str, str]:
    """inode -> path of every listening unix socket that has a path."""
    found = {}
    try:
        lines = (_PROC / "net" / "unix").read_text().splitlines()[1:]
    except OSError:
        return found
    for line in lines:
        columns = line.split()
        if len(columns) >= 8 and int(columns[3], 16) & _UNIX_ACCEPTING:
            found[columns[6]] = columns[7]
    return found


def listeners(pgid: int) -> set[str]:
    """What the group listens on: ``tcp:PORT`` and ``unix:PATH`` entries."""
    inodes = _socket_inodes(group_members(pgid))
    tcp = {f"tcp:{port}" for inode, port in _tcp_listeners().items() if inode in inodes}
    unix = {f"unix:{path}" for inode, path in _unix_listeners().items() if inode in inodes}
    return tcp | unix


def still_listening(entries: set[str]) -> set[str]:
    """The entries of :func:`listeners` that something still listens on, whoever it is."""
    open_now = {f"tcp:{port}" for port in _tcp_listeners().values()}
    open_now |= {f"unix:{path}" for path in _unix_listeners().values()}
    return entries & open_now


# ---------------------------------------------------------------------------- the stop


@dataclass
class StopReport:
    """What SIGTERM to the group's leader left: ``seconds`` until no process of the group was
    alive (None: some still were at the deadline), the processes and listeners left then."""

    seconds: float | None
    left_processes: list[str] = field(default_factory=list)
    left_listeners: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.seconds is not None and not self.left_processes and not self.left_listeners

    def describe(self) -> str:
        if self.clean:
            return f"clean in {self.seconds:.1f} s"
        parts = [] if self.seconds is None else [f"exited in {self.seconds:.1f} s"]
        if self.left_processes:
            parts.append(f"{len(self.left_processes)} process(es) alive at the deadline, then killed")
        if self.left_listeners:
            names = sorted(entry.rsplit("/", 1)[-1] for entry in self.left_listeners)  # unix: the file name
            parts.append("still listening: " + ", ".join(names))
        return "; ".join(parts)


def command_line(pid: int) -> str:
    try:
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return f"pid {pid} (gone)"
    return f"pid {pid}: " + raw.replace(b"\0", b" ").decode(errors="replace").strip()[:160]


def stop_tree(leader: int, deadline: float) -> StopReport:
    """SIGTERM to the leader only (what a container runtime sends), then wait up to ``deadline``
    seconds for the whole group to end. Whatever is left is reported, then SIGKILLed, so that
    the benchmark never leaves a process behind."""
    before = listeners(leader)
    started = time.monotonic()
    with contextlib.suppress(ProcessLookupError):
        os.kill(leader, signal.SIGTERM)
    seconds = None
    while time.monotonic() - started < deadline:
        if not group_members(leader):
            seconds = time.monotonic() - started
            break
        time.sleep(0.05)
    left = [command_line(pid) for pid in group_members(leader)]
    report = StopReport(seconds, left, sorted(still_listening(before)))
    kill_group(leader)
    return report


def kill_group(pgid: int, deadline: float = 10.0) -> bool:
    """SIGKILL every process of the group; True once none is alive (zombies aside)."""
    started = time.monotonic()
    while group_members(pgid):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return True
        if time.monotonic() - started > deadline:
            return False
        time.sleep(0.05)
    return True
