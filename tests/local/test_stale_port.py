"""A dead endpoint never answers through whatever listens on its old port now (issue 16.7).

The endpoint's server is SIGKILLed and another HTTP server takes its port, as any program
on the machine could. The registry's pid and start time tell that the endpoint's process
is gone, before a single byte goes to the impostor.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf.local import processes
from tests.local.conftest import deploy_echo, endpoint_record, error_code


class _Impostor(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        _Impostor.received.append(self.path)
        body = json.dumps({"answer": "from another model"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def _impostor_on(port: int) -> Iterator[list[str]]:
    _Impostor.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Impostor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield _Impostor.received
    finally:
        server.shutdown()
        server.server_close()


def test_a_killed_endpoint_does_not_answer_through_its_old_port(local_session, tmp_path):
    predictor = deploy_echo(local_session, tmp_path / "code", "stale-port")
    try:
        assert predictor.predict({"inputs": "hello"}) == {"echo": {"inputs": "hello"}}
        process = endpoint_record(local_session, "stale-port").current.process
        os.killpg(process.pid, signal.SIGKILL)  # the server and its workers
        assert processes.wait_until(lambda: not processes.group_alive(process.pid), 10)

        with _impostor_on(process.port) as received:
            with pytest.raises(ClientError) as raised:
                predictor.predict({"inputs": "hello"})
            runtime = local_session.sagemaker_runtime_client
            with pytest.raises(ClientError) as streamed:
                runtime.invoke_endpoint_with_response_stream(
                    EndpointName="stale-port", Body=b'{"inputs": "hello"}', ContentType="application/json"
                )
            assert received == []  # nothing was sent to the other server
        for error in (raised.value, streamed.value):
            assert error_code(error) == "ValidationError"
            assert "Endpoint stale-port is not in service (status Failed)" in str(error)
            assert "killed by SIGKILL" in str(error) or "no longer running" in str(error)
        status = local_session.sagemaker_client.describe_endpoint(EndpointName="stale-port")["EndpointStatus"]
        assert status == "Failed"
    finally:
        with contextlib.suppress(ClientError):
            predictor.delete_endpoint()
