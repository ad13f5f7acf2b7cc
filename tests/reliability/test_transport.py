"""Attacks on the inference server's transport (issue 16, items 14 and 15), through real sockets.

Each test attacks one server, started with its limits lowered through settings so the attacks
stay small: an oversized head, slowloris connections (sending nothing, half a head, half a
body), a flood of idle connections past the connection cap, and every capped connection busy.
Each asserts that the attack is refused or cut, that ``GET /ping`` answered within 1 s on a new
connection throughout (:class:`~sagemaker_hf.testing.attacks.PingWatch`), and that a normal
request still succeeds afterwards. ``benchmarks/adversarial.py`` runs the same attacks at full
size (2,000 idle connections, a 64 MB header).
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from sagemaker_hf.testing.attacks import (
    PingWatch,
    answers,
    close_all,
    closed_by_server,
    endless_header,
    open_connections,
    request,
    trickling,
)
from tests.fixtures.toolkit_server import running_server, wait_until

pytestmark = pytest.mark.slow

MAX_CONNECTIONS = 40
TIMEOUT_SECONDS = 3  # header, body and keep-alive timeouts
MAX_HEADER_BYTES = 16 * 1024
MAX_HEADER_COUNT = 50
# How long a test waits for the server to cut what a timeout should cut: the timeout, the
# server's sweep, and room for a loaded machine.
CUT_WITHIN_SECONDS = TIMEOUT_SECONDS + 20
PING_DEADLINE_SECONDS = 1.0
HEAD = b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


@pytest.fixture(scope="module")
def server(tiny_models):
    env = {
        "HF_TASK": "text-classification",
        "SAGEMAKER_MODEL_SERVER_TIMEOUT": "30",
        "SAGEMAKER_HF_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
        "SAGEMAKER_HF_HEADER_TIMEOUT": str(TIMEOUT_SECONDS),
        "SAGEMAKER_HF_BODY_TIMEOUT": str(TIMEOUT_SECONDS),
        "SAGEMAKER_HF_KEEP_ALIVE_TIMEOUT": str(TIMEOUT_SECONDS),
        "SAGEMAKER_HF_MAX_HEADER_BYTES": str(MAX_HEADER_BYTES),
        "SAGEMAKER_HF_MAX_HEADER_COUNT": str(MAX_HEADER_COUNT),
    }
    with running_server(tiny_models["text-classification"], env=env) as server:
        server.port = int(server.url.rsplit(":", 1)[1])
        yield server
        assert "Traceback" not in server.log_text()


@pytest.fixture
def watch(server):
    """/ping on a new connection every 50 ms during the test; each must answer 200 within 1 s."""
    with PingWatch(server.port, deadline=PING_DEADLINE_SECONDS) as watch:
        yield watch
    assert watch.samples > 0
    assert not watch.failures, watch.summary()
    assert watch.worst < PING_DEADLINE_SECONDS, watch.summary()


def assert_serves(server) -> None:
    """A normal request, on a new connection, gets its answer."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        response = client.post("/invocations", json={"inputs": "a normal request"})
    assert response.status_code == 200, (response.text, server.log_text()[-3000:])
    assert response.json()[0]["label"]


def all_cut(sockets) -> bool:
    return all(closed_by_server(sock) for sock in sockets)


def test_a_header_over_the_limit_is_refused_while_it_is_read(server, watch):
    # The header never ends: the answer must come before it does, after about one read past
    # the limit, not once 4 MB (or 64 MB) have been buffered.
    status, sent = endless_header(server.port, size=4 * 1024 * 1024)
    assert status == 431, server.log_text()[-3000:]
    assert sent < 4 * 1024 * 1024
    big = request(server.port, HEAD + b"X-Big: " + b"a" * (1024 * 1024) + b"\r\nContent-Length: 2\r\n\r\n{}")
    assert big == 431
    many = b"".join(b"X-Field-%d: v\r\n" % index for index in range(MAX_HEADER_COUNT + 1))
    assert request(server.port, HEAD + many + b"Content-Length: 2\r\n\r\n{}") == 431
    # A chunked body's trailers are head too: one endless trailer is refused the same way.
    chunked = HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Trailer: "
    assert request(server.port, chunked + b"a" * (1024 * 1024) + b"\r\n\r\n") == 431
    with httpx.Client(base_url=server.url, timeout=30) as client:
        refused = client.post("/invocations", json={"inputs": "x"}, headers={"x-big": "a" * 100_000})
    assert refused.status_code == 431
    assert refused.json()["type"] == "HeadersTooLargeError"
    assert f"SAGEMAKER_HF_MAX_HEADER_BYTES={MAX_HEADER_BYTES}" in refused.json()["message"]
    # Right at the limits is still served.
    fields = {f"x-field-{index}": "v" for index in range(MAX_HEADER_COUNT - 10)}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        fine = client.post("/invocations", json={"inputs": "x"}, headers={**fields, "x-pad": "a" * 8000})
    assert fine.status_code == 200, fine.text
    assert_serves(server)


def test_connections_that_send_nothing_or_half_a_head_are_cut(server, watch):
    # Together under the cap: here the timeouts cut them, not the cap.
    silent = open_connections(server.port, 10)
    half_head = open_connections(server.port, 10, HEAD + b"Content-Le")
    try:
        assert answers(half_head, timeout=CUT_WITHIN_SECONDS) == [408] * 10
        cut = silent + half_head
        wait_until(lambda: all_cut(cut), timeout=CUT_WITHIN_SECONDS, what="the connections to be cut")
    finally:
        close_all(silent + half_head)
    assert_serves(server)


def test_a_body_that_stops_arriving_is_cut(server, watch):
    half_body = open_connections(server.port, 10, HEAD + b'Content-Length: 100\r\n\r\n{"inputs": "')
    try:
        statuses = answers(half_body, timeout=CUT_WITHIN_SECONDS)
        wait_until(lambda: all_cut(half_body), timeout=CUT_WITHIN_SECONDS, what="the connections to be cut")
    finally:
        close_all(half_body)
    assert statuses == [408] * 10, server.log_text()[-3000:]
    assert_serves(server)


def test_an_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout(server, watch):
    sockets = open_connections(server.port, 1, b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    try:
        wait_until(lambda: all_cut(sockets), timeout=CUT_WITHIN_SECONDS, what="the idle connection to close")
    finally:
        close_all(sockets)


def test_a_connection_answered_before_its_body_arrived_is_closed_once_idle(server, watch):
    # Over 64 MB declared, the front answers 413 at once and does not read the body. The body
    # still comes, and its bytes cancelled uvicorn's keep-alive timer: the connection stayed open.
    declared = 65 * 1024 * 1024
    sockets = open_connections(server.port, 1, HEAD + b"Content-Length: %d\r\n\r\n" % declared)
    try:
        piece = bytes(1024 * 1024)
        for _ in range(declared // len(piece)):
            sockets[0].sendall(piece)
        assert answers(sockets, timeout=CUT_WITHIN_SECONDS) == [413]
        wait_until(lambda: all_cut(sockets), timeout=CUT_WITHIN_SECONDS, what="the idle connection to close")
    finally:
        close_all(sockets)


def test_a_flood_of_idle_connections_past_the_cap_leaves_ping_and_requests_answered(server, watch):
    flood = open_connections(server.port, 300)  # 7.5 times the cap
    try:
        assert_serves(server)
        # The longest idle were closed to make room for newer ones (before any timeout could).
        shed = f"closed for new ones at the cap of {MAX_CONNECTIONS}"
        server.wait_for_log(shed, timeout=CUT_WITHIN_SECONDS)
        wait_until(lambda: all_cut(flood), timeout=CUT_WITHIN_SECONDS, what="the idle flood to be cut")
    finally:
        close_all(flood)
    assert_serves(server)


def test_with_every_connection_busy_ping_is_still_answered_and_other_requests_get_503(server):
    # Every connection the cap allows holds a body that trickles in, never silent long enough
    # for the body timeout: none is idle, so none can be closed for a newcomer. Those past the
    # cap land in the /ping reserve, and are refused.
    head = HEAD + b'Content-Length: 100000\r\n\r\n{"inputs": "'
    busy = open_connections(server.port, MAX_CONNECTIONS + 10, head)
    try:
        with (
            trickling(busy, every=TIMEOUT_SECONDS / 3),
            PingWatch(server.port, deadline=PING_DEADLINE_SECONDS) as watch,
            httpx.Client(base_url=server.url, timeout=30) as client,
        ):
            refused = request(server.port, HEAD + b"Content-Length: 2\r\n\r\n{}")
            answer = client.post("/invocations", json={"inputs": "x"})
            watch.ping()  # at least one, whatever the thread's pace
        statuses = answers(busy, timeout=CUT_WITHIN_SECONDS)  # the trickle stopped: cut
    finally:
        close_all(busy)
    assert not watch.failures and watch.worst < PING_DEADLINE_SECONDS, watch.summary()
    assert refused == 503
    assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
    assert "SAGEMAKER_HF_MAX_CONNECTIONS" in json.loads(answer.text)["message"]
    assert sorted(statuses) == [408] * MAX_CONNECTIONS + [503] * 10, statuses
    assert_serves(server)


@contextlib.contextmanager
def open_file_limit(soft: int) -> Iterator[None]:
    """This process's soft open-file limit lowered to ``soft`` (children started meanwhile inherit it)."""
    previous = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, previous[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, previous)


def test_a_server_started_under_a_low_open_file_limit_holds_more_idle_connections_than_it(tiny_models):
    # Issue 16: under a 1024 open-file limit, 1,100 idle sockets made /ping fail (every accept
    # failed with EMFILE). Scaled down: a limit of 256 and 300 idle connections. The server
    # raises its soft limit to what SAGEMAKER_HF_MAX_CONNECTIONS needs (the hard limit allows it).
    environment = {"HF_TASK": "text-classification", "SAGEMAKER_HF_HEADER_TIMEOUT": "60"}
    with contextlib.ExitStack() as stack:
        with open_file_limit(256):
            server = stack.enter_context(running_server(tiny_models["text-classification"], env=environment))
        port = int(server.url.rsplit(":", 1)[1])
        with PingWatch(port, deadline=PING_DEADLINE_SECONDS) as watch:
            flood = open_connections(port, 300)
            stack.callback(close_all, flood)
            assert_serves(server)
            watch.ping()
        assert not watch.failures and watch.worst < PING_DEADLINE_SECONDS, watch.summary()
        assert not any(closed_by_server(sock) for sock in flood)  # under the cap of 1000: all kept
        assert "the open-file limit is" not in server.log_text()


def test_when_the_open_file_limit_cannot_rise_the_cap_is_lowered_to_fit_it():
    code = (
        "import logging, resource\n"
        "logging.basicConfig(level=logging.WARNING)\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (300, 300))\n"
        "from sagemaker_hf.toolkit.settings import Settings\n"
        "from sagemaker_hf.toolkit.connections import connection_cap\n"
        "print(connection_cap(Settings(workers=2)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    cap = int(result.stdout)
    assert 0 < cap < 300 - 32  # room left for the /ping reserve and the front's own files
    assert "the open-file limit is 300" in result.stderr
    assert "SAGEMAKER_HF_MAX_CONNECTIONS=1000" in result.stderr
