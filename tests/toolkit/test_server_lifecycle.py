"""Server lifecycle over real HTTP: readiness, failed loads, requirements.txt, worker death,
timeouts, several workers and SIGTERM draining. Each test owns its server (they change its state).

Slow requests wait on files the test controls (never on timing): the model writes a
``started`` file holding its pid, then waits until the ``release`` file appears.
"""

from __future__ import annotations

import os
import signal
import textwrap
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.fixtures.toolkit_server import running_server, wait_until

pytestmark = pytest.mark.slow

CONTROLLED_MODEL = """
import os
import time
from pathlib import Path

def model_fn(model_dir):
    if (Path(model_dir) / "load-gate").exists():  # hold loading until the test creates load-released
        deadline = time.monotonic() + 60
        while not (Path(model_dir) / "load-released").exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    def model(inputs, **parameters):
        if isinstance(inputs, dict) and "release" in inputs:
            partial = Path(inputs["started"] + ".partial")
            partial.write_text(str(os.getpid()))
            partial.rename(inputs["started"])  # atomic: the test never reads an empty file
            deadline = time.monotonic() + 60
            while not Path(inputs["release"]).exists():
                if time.monotonic() > deadline:
                    return {"waited": "gave up"}
                time.sleep(0.02)
            return {"waited": "released", "pid": os.getpid()}
        return {"echo": inputs, "pid": os.getpid()}
    return model
"""


def model_dir_with(root: Path, source: str, requirements: str | None = None) -> Path:
    code = root / "code"
    code.mkdir(parents=True, exist_ok=True)
    (code / "inference.py").write_text(textwrap.dedent(source), encoding="utf-8")
    if requirements is not None:
        (code / "requirements.txt").write_text(requirements, encoding="utf-8")
    return root


def slow_request(server, executor: ThreadPoolExecutor, folder: Path, name: str) -> tuple[Future, Path, Path]:
    """Start a request that blocks in the model; returns (future response, started file, release file)."""
    started, release = folder / f"{name}.started", folder / f"{name}.release"
    body = {"inputs": {"started": str(started), "release": str(release)}}
    future = executor.submit(server.client.post, "/invocations", json=body)
    server.wait_until(started.exists, what=f"{name} to reach the model")
    return future, started, release


def info(server) -> dict:
    return server.client.get("/info").json()


def test_ping_is_503_until_the_model_is_loaded(tmp_path):
    model_dir = model_dir_with(tmp_path, CONTROLLED_MODEL)
    (model_dir / "load-gate").touch()
    with running_server(model_dir, wait_ready=False) as server:
        loading = server.wait_for_ping(503)
        assert loading.json()["type"] == "NotReadyError"
        assert "retry shortly" in loading.json()["message"]
        invocation = server.client.post("/invocations", json={"inputs": "early"})
        assert (invocation.status_code, invocation.json()["type"]) == (503, "NotReadyError")
        assert server.client.get("/ping").status_code == 503  # still loading: never 200 early
        (model_dir / "load-released").touch()
        server.wait_for_ping(200)
        assert server.client.post("/invocations", json={"inputs": "now"}).json()["echo"] == "now"


def test_a_failed_load_is_reported_on_ping_and_the_server_stays_up(tmp_path):
    model_dir = model_dir_with(
        tmp_path, "def model_fn(model_dir):\n    raise RuntimeError('weights are missing')\n"
    )
    with running_server(model_dir, wait_ready=False) as server:
        ping = server.wait_for_ping(lambda r: r.status_code == 503 and r.json()["type"] == "ModelLoadError")
        assert ping.json() == {
            "code": 503,
            "type": "ModelLoadError",
            "message": "model_fn in user code raised RuntimeError: weights are missing",
        }
        invocation = server.client.post("/invocations", json={"inputs": "x"})
        assert (invocation.status_code, invocation.json()["type"]) == (503, "ModelLoadError")
        assert server.process.poll() is None
        assert [worker["state"] for worker in info(server)["workers"]] == ["failed"]
        assert server.log_text().count("started worker 0") == 1  # no restart loop


def test_a_nested_archive_is_explained_on_ping(tmp_path):
    (tmp_path / "my-model").mkdir()
    (tmp_path / "my-model" / "config.json").write_text("{}")
    with running_server(tmp_path, wait_ready=False) as server:
        ping = server.wait_for_ping(lambda r: r.status_code == 503 and r.json()["type"] == "ModelLoadError")
        assert (
            "put the files at the archive root: tar -czf model.tar.gz -C my-model ." in ping.json()["message"]
        )


def test_a_failed_requirements_install_is_reported_without_starting_workers(tmp_path):
    model_dir = model_dir_with(tmp_path, CONTROLLED_MODEL, requirements="this is not a requirement!!\n")
    with running_server(model_dir, wait_ready=False) as server:
        ping = server.wait_for_ping(lambda r: r.status_code == 503 and r.json()["type"] == "ModelLoadError")
        message = ping.json()["message"]
        assert "requirements.txt failed (pip exit code" in message
        assert "Invalid requirement" in message
        assert info(server)["workers"] == []
        assert "pip: " in server.log_text()


def test_an_installable_requirements_file_runs_pip_then_serves(tmp_path):
    model_dir = model_dir_with(tmp_path, CONTROLLED_MODEL, requirements="numpy\n")
    with running_server(model_dir) as server:
        assert "Requirement already satisfied: numpy" in server.log_text()
        assert server.client.post("/invocations", json={"inputs": 1}).json()["echo"] == 1


def test_a_killed_worker_fails_its_request_and_is_restarted(tmp_path):
    with (
        running_server(model_dir_with(tmp_path, CONTROLLED_MODEL)) as server,
        ThreadPoolExecutor(1) as executor,
    ):
        future, started, _ = slow_request(server, executor, tmp_path, "victim")
        old_pid = int(started.read_text())
        os.kill(old_pid, signal.SIGKILL)
        response = future.result(timeout=60)
        assert response.status_code == 500
        error = response.json()
        assert error["type"] == "WorkerDiedError"
        assert f"pid {old_pid}" in error["message"]
        assert "killed by SIGKILL" in error["message"]
        assert "being restarted" in error["message"]
        server.wait_until(
            lambda: [(w["state"], w["restarts"]) for w in info(server)["workers"]] == [("ready", 1)],
            what="the restarted worker",
        )
        after = server.client.post("/invocations", json={"inputs": "after"}).json()
        assert after["echo"] == "after"
        assert after["pid"] != old_pid


def test_a_request_past_the_timeout_is_504_and_the_worker_recovers(tmp_path):
    model_dir = model_dir_with(tmp_path, CONTROLLED_MODEL)
    with running_server(model_dir, extra_args=["--timeout", "1"]) as server:
        body = {"inputs": {"started": str(tmp_path / "s"), "release": str(tmp_path / "r")}}
        response = server.client.post("/invocations", json=body)
        assert (response.status_code, response.json()["type"]) == (504, "RequestTimeoutError")
        assert "SAGEMAKER_MODEL_SERVER_TIMEOUT=1 s (in the model)" in response.json()["message"]
        (tmp_path / "r").touch()
        server.wait_until(lambda: info(server)["workers"][0]["in_flight"] == 0, what="the worker to finish")
        assert server.client.post("/invocations", json={"inputs": "next"}).json()["echo"] == "next"


def test_two_workers_serve_requests_in_parallel(tmp_path):
    model_dir = model_dir_with(tmp_path, CONTROLLED_MODEL)
    with (
        running_server(model_dir, extra_args=["--workers", "2"]) as server,
        ThreadPoolExecutor(2) as executor,
    ):
        server.wait_until(
            lambda: [w["state"] for w in info(server)["workers"]] == ["ready", "ready"], what="both workers"
        )
        first, first_started, first_release = slow_request(server, executor, tmp_path, "first")
        second, second_started, second_release = slow_request(server, executor, tmp_path, "second")
        # Both are inside the model at once, in different processes.
        assert first_started.read_text() != second_started.read_text()
        first_release.touch()
        second_release.touch()
        assert {first.result(60).json()["waited"], second.result(60).json()["waited"]} == {"released"}
        parameters = server.client.get("/execution-parameters").json()
        assert parameters["MaxConcurrentTransforms"] == 2


def test_sigterm_drains_the_request_in_flight_and_exits_0(tmp_path):
    with (
        running_server(model_dir_with(tmp_path, CONTROLLED_MODEL)) as server,
        ThreadPoolExecutor(1) as executor,
    ):
        future, started, release = slow_request(server, executor, tmp_path, "in-flight")
        worker_pid = int(started.read_text())
        server.process.send_signal(signal.SIGTERM)
        server.wait_for_log("Shutting down")
        with pytest.raises(httpx.TransportError):
            httpx.get(server.url + "/ping", timeout=5)  # no longer accepting
        release.touch()
        response = future.result(timeout=60)
        assert response.status_code == 200
        assert response.json() == {"waited": "released", "pid": worker_pid}
        assert server.process.wait(timeout=60) == 0
        log = server.log_text()
        assert "stopped 1 worker(s)" in log
        wait_until(lambda: not Path(f"/proc/{worker_pid}").exists(), timeout=10, what="the worker to exit")


def test_sigterm_while_loading_stops_the_loading_worker_and_exits_0(tmp_path):
    model_dir = model_dir_with(tmp_path, CONTROLLED_MODEL)
    (model_dir / "load-gate").touch()  # never released: the worker stays in model_fn
    with running_server(model_dir, wait_ready=False) as server:
        server.wait_for_ping(503)
        workers = server.wait_until(lambda: info(server)["workers"], what="the worker to start")
        assert workers[0]["state"] == "starting"
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
        worker_proc = Path(f"/proc/{workers[0]['pid']}")
        wait_until(lambda: not worker_proc.exists(), timeout=10, what="the loading worker to be stopped")


def test_accepted_connections_get_tcp_nodelay():
    # Without TCP_NODELAY each response waits ~40 ms for the client's delayed ACK, because
    # uvicorn writes headers and body separately; asyncio sets it only for IPPROTO_TCP sockets.
    import asyncio
    import socket

    from sagemaker_hf.toolkit.server import bind

    async def accepted_nodelay() -> int:
        result: asyncio.Future = asyncio.get_running_loop().create_future()

        def on_connect(reader, writer):
            result.set_result(
                writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            )
            writer.close()

        server = await asyncio.start_server(on_connect, sock=bind("127.0.0.1", 0))
        port = server.sockets[0].getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(result, 10)
        writer.close()
        server.close()
        return value

    assert asyncio.run(accepted_nodelay()) != 0


def test_a_port_in_use_stops_the_server_with_a_clear_message(tmp_path):
    import socket

    from sagemaker_hf.toolkit.server import bind

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}: .*choose another port"):
            bind("127.0.0.1", port)
