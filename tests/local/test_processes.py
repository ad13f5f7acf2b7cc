"""Stopping a local server's process group: nothing of it is left running when stop_group returns."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from sagemaker_hf.local import processes

# A leader that exits on SIGTERM, and a member of its group that ignores SIGTERM and holds
# 512 MiB, so that its exit after SIGKILL takes a moment, as a worker holding a model does.
LEADER = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    member = '''
    import signal, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    memory = bytearray(512 << 20)
    memory[::4096] = b"x" * (len(memory) // 4096)
    print("ready", flush=True)
    time.sleep(600)
    '''
    child = subprocess.Popen([sys.executable, "-c", member])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    time.sleep(600)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads process groups from /proc")
def test_a_member_that_ignores_sigterm_is_killed_and_gone_on_return():
    leader = subprocess.Popen(
        [sys.executable, "-c", LEADER], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert leader.stdout.readline().strip() == "ready"
        assert processes.group_alive(leader.pid)
        processes.stop_group(leader.pid, processes.identity(leader.pid), timeout=2)
        assert not processes.group_alive(leader.pid)
    finally:
        processes._signal_group(leader.pid, processes.signal.SIGKILL)
        leader.wait(timeout=10)


def test_a_killed_server_is_named_killed_while_another_thread_reaps_children(tmp_path):
    """The exit code of a dead server may not be readable at once; describe waits for it.

    CI met this once: describe said "is no longer running" instead of naming SIGKILL. Here the
    window is made by holding the Popen's waitpid lock, as another thread reaping children
    does (``Popen.poll()`` then answers None); a leader that shows as a zombie before its
    other threads exit opens the same window.
    """
    import os
    import signal
    import threading

    pid, identity = processes.spawn(
        [sys.executable, "-c", "import time; time.sleep(600)"], dict(os.environ), tmp_path, tmp_path / "log"
    )
    child = processes._children[pid]  # the race window: another thread holds its waitpid lock
    os.kill(pid, signal.SIGKILL)
    assert processes.wait_until(lambda: not processes.is_running(pid, identity), 10)
    child._waitpid_lock.acquire()
    releaser = threading.Timer(0.2, child._waitpid_lock.release)
    releaser.start()
    try:
        assert processes.describe_exit(pid) == f"the server process (pid {pid}) was killed by SIGKILL"
    finally:
        releaser.join()
