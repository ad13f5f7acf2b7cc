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
