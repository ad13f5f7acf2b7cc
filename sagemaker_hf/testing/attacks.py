"""Hostile HTTP clients on raw sockets, and a watch on ``/ping`` while they attack.

Shared by ``tests/reliability/test_transport.py`` (small attacks, CI) and
``benchmarks/adversarial.py`` (full size)::

    with PingWatch(server.url) as watch:
        sockets = open_connections(port, 300)            # slowloris: connect, send nothing
        ...
    assert not watch.failures and watch.worst < 1.0

Every function takes the server's 127.0.0.1 port, writes exactly the bytes an attacker would,
and reads what the server answers with a deadline; nothing here sleeps to wait for the server.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

HOST = "127.0.0.1"
PING = b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def status_of(answer: bytes) -> int | None:
    """The status code of an HTTP/1.1 answer's first line, or None when there is none."""
    first = answer.split(b"\r\n", 1)[0].split()
    return int(first[1]) if len(first) >= 2 and first[0].startswith(b"HTTP/") and first[1].isdigit() else None


def connect(port: int, timeout: float = 10.0) -> socket.socket:
    sock = socket.create_connection((HOST, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_answer(sock: socket.socket, timeout: float) -> bytes:
    """The server's answer: read until it is complete (by its Content-Length), the server closes
    the connection, or ``timeout`` passes (then what came)."""
    deadline = time.monotonic() + timeout
    received = bytearray()
    while (left := deadline - time.monotonic()) > 0 and not _complete(received):
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except TimeoutError:
            break
        except OSError:  # reset: the server closed with our bytes unread
            break
        if not data:
            break
        received += data
    return bytes(received)


def _complete(answer: bytearray) -> bool:
    head_end = answer.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    for line in bytes(answer[:head_end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return len(answer) >= head_end + 4 + int(value)
    return False  # no length: the answer ends when the server closes


def request(port: int, raw: bytes, timeout: float = 10.0) -> int | None:
    """Send ``raw`` on a new connection; the status of the answer (None: no answer in time)."""
    with connect(port, timeout) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(raw)
        return status_of(read_answer(sock, timeout))


def open_connections(port: int, count: int, first_bytes: bytes = b"") -> list[socket.socket]:
    """``count`` connections, each having sent ``first_bytes`` (slowloris: nothing, half a head...)."""
    sockets = []
    try:
        for _ in range(count):
            sock = connect(port)
            if first_bytes:
                sock.sendall(first_bytes)
            sockets.append(sock)
    except BaseException:
        close_all(sockets)
        raise
    return sockets


def close_all(sockets: Iterable[socket.socket]) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.close()


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed this connection (any answer it sent first is read and dropped)."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def answers(sockets: Iterable[socket.socket], timeout: float) -> list[int | None]:
    """For each connection, the status the server answered before closing it (None: none in time)."""
    deadline = time.monotonic() + timeout
    return [status_of(read_answer(sock, max(0.01, deadline - time.monotonic()))) for sock in sockets]


def endless_header(
    port: int, size: int, chunk: int = 64 * 1024, timeout: float = 30.0
) -> tuple[int | None, int]:
    """Send a request whose one header grows to ``size`` bytes (made as it is sent, never held),
    stopping early if the server answers or cuts; returns (status or None, bytes sent)."""
    sent = 0
    with connect(port, timeout) as sock:
        piece = b"a" * chunk
        try:
            sock.sendall(b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ")
            while sent < size:
                sock.sendall(piece[: min(chunk, size - sent)])
                sent += min(chunk, size - sent)
                if _has_data(sock):  # the server has answered (or closed) mid-header
                    break
            else:
                sock.sendall(b"\r\nContent-Length: 0\r\n\r\n")
        except OSError:  # cut while sending: what it answered is still readable, or nothing is
            pass
        return status_of(read_answer(sock, timeout)), sent


def _has_data(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)  # an answer, or b"" for a close
        return True
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


@dataclass
class PingWatch:
    """Polls ``GET /ping`` on a new connection every ``interval`` seconds in a thread, each with
    ``deadline`` seconds to answer; records the worst latency and every failure."""

    port: int
    deadline: float = 1.0
    interval: float = 0.05
    samples: int = 0
    worst: float = 0.0
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> PingWatch:
        self._thread = threading.Thread(target=self._run, name="ping-watch", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.deadline + 5)

    def ping(self) -> None:
        started = time.monotonic()
        try:
            status = request(self.port, PING, timeout=self.deadline)
        except OSError as error:
            status, problem = None, f"{type(error).__name__}: {error}"
        else:
            problem = f"answered {status}" if status is not None else f"no answer within {self.deadline:g} s"
        elapsed = time.monotonic() - started
        self.samples += 1
        self.worst = max(self.worst, elapsed)
        if status != 200:
            self.failures.append(f"ping {self.samples} after {elapsed:.2f} s: {problem}")

    def _run(self) -> None:
        while not self._stop.is_set():
            self.ping()
            self._stop.wait(self.interval)

    def summary(self) -> str:
        failed = f"{len(self.failures)} failed: {self.failures[:5]}"
        return f"{self.samples} pings, worst {self.worst:.3f} s, {failed}"


@contextlib.contextmanager
def trickling(sockets: list[socket.socket], every: float) -> Iterator[None]:
    """Send one more body byte on each connection every ``every`` seconds while the block runs
    (a slow body that never goes silent long enough for a body timeout)."""
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(every):
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b" ")

    thread = threading.Thread(target=trickle, name="trickle", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
