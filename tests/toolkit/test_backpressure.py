"""Backpressure over real HTTP: a full queue answers 503 with Retry-After at once, a request
past the timeout answers 504 while the worker lives on, and requests wait (rather than
fail) while a dead worker restarts.

The model holds a request (or its own loading) until a file appears, so every state is
reached by waiting on files and /metrics, never on timing.
"""

from __future__ import annotations

import os
import signal
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fixtures.toolkit_server import running_server

pytestmark = pytest.mark.slow

GATED_MODEL = """
import os
import time
from pathlib import Path

def wait_for(path):
    deadline = time.monotonic() + 60
    while not Path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.01)

def model_fn(model_dir):
    if (Path(model_dir) / "load-gate").exists():
        Path(model_dir, "loading").touch()
        wait_for(Path(model_dir) / "load-released")
    return None

def predict_fn(data, model):
    gate = data.get("gate")
    if gate:
        Path(gate + ".started").write_text(str(os.getpid()))
        wait_for(gate)
    return {"echo": data.get("inputs"), "pid": os.getpid()}
"""


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "inference.py").write_text(textwrap.dedent(GATED_MODEL), encoding="utf-8")
    return tmp_path


@pytest.fixture
def executor():
    with ThreadPoolExecutor(8) as pool:
        yield pool


def metric(server, name: str) -> float:
    for line in server.client.get("/metrics").text.splitlines():
        if line.split(" ")[0] == name:
            return float(line.split(" ")[1])
    return 0.0


def hold_the_worker(server, executor, gate: Path):
    future = executor.submit(server.client.post, "/invocations", json={"inputs": "held", "gate": str(gate)})
    server.wait_until(Path(f"{gate}.started").exists, what="the worker to hold a request")
    return future


def test_a_full_queue_answers_503_with_retry_after_at_once(model_dir, tmp_path, executor):
    with running_server(model_dir, env={"SAGEMAKER_HF_MAX_QUEUE_SIZE": "2"}) as server:
        held = hold_the_worker(server, executor, tmp_path / "gate")
        queued = [executor.submit(server.client.post, "/invocations", json={"inputs": n}) for n in range(2)]
        server.wait_until(lambda: metric(server, "sagemaker_hf_queue_depth") == 2, what="a full queue")

        refused = server.client.post("/invocations", json={"inputs": "one too many"}, timeout=10)
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        body = refused.json()
        assert body["type"] == "OverloadedError"
        assert "SAGEMAKER_HF_MAX_QUEUE_SIZE=2" in body["message"]
        assert metric(server, 'sagemaker_hf_requests_total{status="503"}') == 1

        (tmp_path / "gate").touch()
        assert held.result(60).status_code == 200
        assert [future.result(60).json()["echo"] for future in queued] == [0, 1]


def test_past_the_timeout_requests_get_504_and_the_worker_keeps_serving(model_dir, tmp_path, executor):
    with running_server(model_dir, extra_args=["--timeout", "1"]) as server:
        worker_pid = server.client.get("/info").json()["workers"][0]["pid"]
        held = hold_the_worker(server, executor, tmp_path / "gate")
        waiting = server.client.post("/invocations", json={"inputs": "queued behind"})
        assert (waiting.status_code, waiting.json()["type"]) == (504, "RequestTimeoutError")
        assert "(waiting for a worker)" in waiting.json()["message"]
        assert metric(server, "sagemaker_hf_queue_depth") == 0  # it left the queue

        in_model = held.result(60)
        assert (in_model.status_code, in_model.json()["type"]) == (504, "RequestTimeoutError")
        assert "SAGEMAKER_MODEL_SERVER_TIMEOUT=1 s (in the model)" in in_model.json()["message"]

        (tmp_path / "gate").touch()  # the worker finishes; its late answer is dropped
        server.wait_until(lambda: metric(server, "sagemaker_hf_in_flight") == 0, what="the late answer")
        after = server.client.post("/invocations", json={"inputs": "after"}).json()
        assert after == {"echo": "after", "pid": worker_pid}
        assert metric(server, 'sagemaker_hf_requests_total{status="504"}') == 2
        assert metric(server, "sagemaker_hf_worker_restarts_total") == 0


def test_requests_wait_for_a_restarting_worker_instead_of_failing(model_dir, executor):
    with running_server(model_dir) as server:
        old_pid = server.client.get("/info").json()["workers"][0]["pid"]
        (model_dir / "load-gate").touch()  # the restarted worker holds in model_fn
        os.kill(old_pid, signal.SIGKILL)
        server.wait_until((model_dir / "loading").exists, what="the worker to restart")
        ping = server.client.get("/ping")
        assert ping.status_code == 503 and "restarting" in ping.json()["message"]

        waiting = executor.submit(server.client.post, "/invocations", json={"inputs": "patient"})
        server.wait_until(
            lambda: metric(server, "sagemaker_hf_queue_depth") == 1, what="the request to queue"
        )
        (model_dir / "load-released").touch()
        answer = waiting.result(60)
        assert answer.status_code == 200, answer.text
        assert answer.json()["echo"] == "patient" and answer.json()["pid"] != old_pid
        assert metric(server, "sagemaker_hf_worker_restarts_total") == 1
