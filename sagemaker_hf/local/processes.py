"""Processes of local mode: their environment, start them detached, recognise them later, stop their group.

A child plays a container, so :func:`child_environment` (the one builder, for endpoints,
training jobs and test servers) gives it the host's environment without what a container
gets only from its own settings, then those settings.

A process is recognised by its pid *and* its identity (the kernel's start time), so a
pid that was reused by an unrelated process is never taken for an endpoint, nor
signalled. Each child leads its own session (``start_new_session=True``), so its model
workers share its process group and one ``killpg`` reaches them all. Children outlive
the Python process that started them, like real endpoints; the registry finds them again.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import sagemaker_hf
from sagemaker_hf.local import secret_env

# Set in every child's environment to its working directory, so a process whose record
# was lost (a crash between spawn and save) can still be found and stopped.
MARKER_VARIABLE = "SAGEMAKER_HF_LOCAL_PROCESS"
_PROC = Path("/proc")
_HAS_PROC = _PROC.is_dir()
_POLL_SECONDS = 0.05
# SIGKILLed processes exit within milliseconds, but one unmapping a large model can take longer.
GROUP_EXIT_SECONDS = 10.0
# How long an ended child's exit code is waited for when it is not readable at once.
EXIT_CODE_WAIT_SECONDS = 2.0

# Host variables a container never sees: its own settings (a model's or a job's) decide them.
CONTAINER_PREFIXES = ("SM_", "SAGEMAKER_")
# ... and those an inference container gets only from its model's Environment.
MODEL_VARIABLES = frozenset(
    {"HF_MODEL_ID", "HF_MODEL_REVISION", "HF_TASK", "HF_API_TOKEN", "HF_TOKEN", "HF_TRUST_REMOTE_CODE"}
)

# Popen objects of the children this Python process started: kept so their exit codes
# can be read (and zombies reaped); others are recognised through /proc or ps.
_children: dict[int, subprocess.Popen] = {}


def _reap_finished() -> None:
    """Reap children that ended while nobody here looked (e.g. stopped by ``local rm``); their
    exit codes stay readable. Children still running are left running, like real endpoints."""
    for process in list(_children.values()):
        process.poll()


atexit.register(_reap_finished)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_environment(
    own: Mapping[str, str], gpu: bool, withheld: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The environment of a child that plays a container.

    The host's (PATH, the Hugging Face cache and offline settings, proxies) without
    ``SM_*``, ``SAGEMAKER_*`` and the ``withheld`` names, then the child's ``own`` variables;
    this very package first on ``PYTHONPATH`` (the child runs it even from a source tree that
    is not installed); on a CPU instance (not ``gpu``) no GPU of this machine is visible.
    """
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in withheld and not name.startswith(CONTAINER_PREFIXES)
    }
    package_root = str(Path(sagemaker_hf.__file__).resolve().parent.parent)
    environment = {
        **inherited,
        **own,
        "PYTHONPATH": os.pathsep.join(filter(None, [package_root, inherited.get("PYTHONPATH")])),
    }
    if not gpu:
        environment["CUDA_VISIBLE_DEVICES"] = ""
    return environment


def serve_command(port: int, model_dir: Path | str | None = None) -> list[str]:
    """The command that runs the inference toolkit on ``127.0.0.1:port`` with this Python
    (local mode never listens beyond this machine); without ``model_dir`` the toolkit reads
    ``SM_MODEL_DIR`` or downloads ``HF_MODEL_ID``."""
    command = [
        sys.executable,
        "-m",
        "sagemaker_hf.toolkit",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return command if model_dir is None else [*command, "--model-dir", str(model_dir)]


def spawn(
    command: Sequence[str], env: Mapping[str, str], cwd: Path, log_path: Path
) -> tuple[int, str | None]:
    """Start ``command`` in its own session, output to ``log_path``; return (pid, identity)."""
    _reap_finished()
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            list(command),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _children[process.pid] = process
    return process.pid, identity(process.pid)


def identity(pid: int) -> str | None:
    """The start time of a live process ``pid``; None if there is none (or only a zombie)."""
    if _HAS_PROC:
        try:  # bytes, not text: this runs before every local invoke (about 6 us, not 18)
            with open(f"/proc/{pid}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            return None
        fields = stat[stat.rfind(b")") + 2 :].split()  # the command name may hold spaces
        state, start_time = fields[0], fields[19]
        return None if state in (b"Z", b"X") else start_time.decode()
    result = subprocess.run(  # macOS and other systems without /proc
        ["ps", "-o", "stat=,lstart=", "-p", str(pid)], capture_output=True, text=True, check=False
    )
    line = result.stdout.strip()
    return None if not line or line.startswith("Z") else line.split(None, 1)[-1]


def is_running(pid: int, expected_identity: str | None) -> bool:
    """Whether ``pid`` is alive and is the process that had ``expected_identity``."""
    current = identity(pid)
    return current is not None and (expected_identity is None or current == expected_identity)


def exit_code(pid: int) -> int | None:
    """The exit code of a child this Python process started, once it has ended."""
    process = _children.get(pid)
    if process is None:
        return None
    code = process.poll()
    if code is None and identity(pid) is None:
        # It has ended, but its code is not readable yet: a killed multi-threaded leader shows
        # as a zombie before its last threads exit (waitpid answers 0 until they have), and
        # poll() answers None while another thread of ours is reaping. Wait a moment for it.
        with contextlib.suppress(subprocess.TimeoutExpired):
            code = process.wait(timeout=EXIT_CODE_WAIT_SECONDS)
    return code


def describe_exit(pid: int) -> str:
    code = exit_code(pid)
    if code is None:
        return f"the server process (pid {pid}) is no longer running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"the server process (pid {pid}) was killed by {signal.Signals(-code).name}"
    return f"the server process (pid {pid}) exited with code {code}"


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass; return whether it held."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_SECONDS)
    return True


def stop_group(pid: int, expected_identity: str | None, timeout: float) -> None:
    """SIGTERM the process group led by ``pid``, wait up to ``timeout``, then SIGKILL what is left.

    The server drains its requests and stops its workers on SIGTERM. Nothing is
    signalled when ``pid`` now belongs to another process.
    """
    alive = is_running(pid, expected_identity)
    if alive:
        _signal_group(pid, signal.SIGTERM)
        wait_until(lambda: exit_code(pid) is not None or not is_running(pid, expected_identity), timeout)
    if alive or expected_identity is None or identity(pid) is None:
        # Workers whose leader already died still carry its pid as their group id.
        _signal_group(pid, signal.SIGKILL)
        # A killed worker holding a model takes a moment to exit; the endpoint is gone only
        # once all of it is (a caller that looks right after must not find it running).
        wait_until(lambda: not group_alive(pid), GROUP_EXIT_SECONDS)
    process = _children.pop(pid, None)
    if process is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def group_members(pgid: int) -> list[int]:
    """Live processes (zombies aside) of the process group ``pgid``, read from /proc (Linux;
    elsewhere an empty list)."""
    members = []
    if not _PROC.is_dir():
        return members
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _parent, group = stat[stat.rfind(")") + 2 :].split()[:3]  # the name may hold spaces
        if int(group) == pgid and state not in ("Z", "X"):
            members.append(int(entry.name))
    return sorted(members)


def group_alive(pgid: int) -> bool:
    """Whether a process of the group ``pgid`` is still alive (zombies aside)."""
    if _PROC.is_dir():
        return bool(group_members(pgid))
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def log_tail(path: Path, max_lines: int = 25, max_chars: int = 3000) -> str:
    """The last lines of a log (progress bars' carriage returns resolved to their last state)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 64 * 1024))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    lines = [line.rsplit("\r", 1)[-1] for line in text.splitlines() if line.strip()]
    tail = "\n".join(lines[-max_lines:])
    return secret_env.redact(tail)[-max_chars:]  # masked first, so no secret is cut in half


def marked_processes(home: Path) -> dict[int, Path]:
    """Processes (pid -> working dir) whose marker points below ``home`` (Linux only; else empty)."""
    if not _PROC.is_dir():
        return {}
    home_text = str(Path(home).resolve())
    found: dict[int, Path] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        for item in environ.split(b"\0"):
            key, _, value = item.decode("utf-8", errors="replace").partition("=")
            if key == MARKER_VARIABLE and (value == home_text or value.startswith(home_text + os.sep)):
                found[int(entry.name)] = Path(value)
    return found


def cuda_available() -> bool:
    """Whether torch here sees a CUDA GPU, asked in a child process so this one never imports torch."""
    if sys.platform.startswith("linux") and not Path("/proc/driver/nvidia").exists():
        return False  # no NVIDIA driver: no need to start Python to know
    probe = "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)"
    try:
        return subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
