"""benchmarks/peer/tree.py and contention.py on real processes: a leader and its child, one of
which listens and holds 64 MiB; busy loops that spin, stop, and end when orphaned."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from peer.contention import SPIN, busy_processes
from peer.tree import PeakRss, cpu_seconds, listeners, still_listening, stop_tree, tree_rss

from sagemaker_hf.local.processes import group_members
from sagemaker_hf.testing.load_rss import rss_bytes
from tests.fixtures.toolkit_server import wait_until

MIB = 1024 * 1024
BALLAST_MIB = 64

# The child holds the ballast and listens; it reports its port, then waits for its stdin (the
# leader's pipe) to close, or, when told to ignore SIGTERM, waits for ever.
CHILD = f"""
import signal, socket, sys, threading
ignore_term = sys.argv[1] == "ignore-term"
if ignore_term:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
ballast = b"x" * ({BALLAST_MIB} * 1024 * 1024)
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
print(server.getsockname()[1], flush=True)
sys.stdin.read()
if ignore_term:
    threading.Event().wait()
"""
# The leader starts the child, passes its port on and waits for its own stdin (the test's).
LEADER = """
import subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
print(child.pid, child.stdout.readline().strip(), flush=True)
sys.stdin.read()
"""


class Family:
    def __init__(self, mode: str) -> None:
        self.leader = subprocess.Popen(
            [sys.executable, "-c", LEADER, CHILD, mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        child, port = self.leader.stdout.readline().split()  # the child is listening once this arrives
        self.child, self.port = int(child), int(port)

    def close(self) -> None:
        if group_members(self.leader.pid):
            os.killpg(self.leader.pid, 9)
        self.leader.wait(timeout=10)


@pytest.fixture
def family(request):
    started = Family(request.param)
    yield started
    started.close()


@pytest.mark.parametrize("family", ["exit-with-parent"], indirect=True)
def test_the_tree_is_the_process_group_with_its_memory_cpu_and_listeners(family):
    assert group_members(family.leader.pid) == sorted([family.leader.pid, family.child])
    assert listeners(family.leader.pid) == {f"tcp:{family.port}"}
    assert cpu_seconds(family.leader.pid) > 0  # two interpreters started, 64 MiB written
    leader_rss = rss_bytes(family.leader.pid)
    assert tree_rss(family.leader.pid) >= leader_rss + BALLAST_MIB * MIB
    with PeakRss(family.leader.pid, interval=0.02) as sampler:
        wait_until(lambda: sampler.samples >= 3, timeout=10, what="three RSS samples")
    assert sampler.peak >= leader_rss + BALLAST_MIB * MIB  # both processes, not the leader alone
    samples = sampler.samples
    assert sampler.samples == samples  # stopped: no sampling after the with block


@pytest.mark.parametrize("family", ["exit-with-parent"], indirect=True)
def test_a_tree_that_ends_on_sigterm_stops_clean(family):
    report = stop_tree(family.leader.pid, deadline=20)
    assert report.clean, report
    assert report.seconds is not None and report.seconds < 20
    assert report.describe().startswith("clean in ")
    assert group_members(family.leader.pid) == []
    assert still_listening({f"tcp:{family.port}"}) == set()


@pytest.mark.parametrize("family", ["ignore-term"], indirect=True)
def test_what_outlives_sigterm_is_reported_then_killed(family):
    report = stop_tree(family.leader.pid, deadline=1.0)
    assert not report.clean
    assert report.seconds is None
    assert len(report.left_processes) == 1 and report.left_processes[0].startswith(f"pid {family.child}:")
    assert report.left_listeners == [f"tcp:{family.port}"]
    assert "alive at the deadline" in report.describe() and f"tcp:{family.port}" in report.describe()
    assert group_members(family.leader.pid) == []  # the benchmark leaves nothing running


def cpu_of(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    utime, stime = stat[stat.rfind(")") + 2 :].split()[11:13]
    return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] not in "ZX"


def test_busy_processes_spin_for_the_block_and_are_gone_after_it(spinners_of):
    with busy_processes(2) as spinners:
        started = sorted(spinner.pid for spinner in spinners)
        # (a process that has just been started can show its parent's command line for a moment)
        wait_until(
            lambda: spinners_of(os.getpid()) == started, timeout=10, what="both spinners' command lines"
        )
        assert len(spinners) == 2
        for spinner in spinners:
            wait_until(lambda s=spinner: cpu_of(s.pid) >= 0.1, timeout=30, what="a spinner to burn CPU")
            assert spinner.poll() is None
    assert all(spinner.returncode is not None for spinner in spinners)
    assert not any(alive(spinner.pid) for spinner in spinners)
    assert spinners_of(os.getpid()) == []


STARTER = """
import os, subprocess, sys
spinner = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid())], stdout=subprocess.DEVNULL)
print(spinner.pid)
"""


def test_a_busy_process_whose_benchmark_died_ends_by_itself():
    """Its starter exits at once, before the spinner's interpreter is even up."""
    starter = subprocess.run(
        [sys.executable, "-c", STARTER, SPIN],
        capture_output=True,
        text=True,
        check=True,
    )
    orphan = int(starter.stdout)
    try:
        assert wait_until(lambda: not alive(orphan), timeout=10, what="the orphaned spinner to end")
    finally:
        if alive(orphan):
            os.kill(orphan, 9)
