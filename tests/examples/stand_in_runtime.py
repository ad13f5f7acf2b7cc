"""A stand-in SageMaker runtime on 127.0.0.1 for the examples that stream (moto has no
InvokeEndpointWithResponseStream): InvokeEndpoint answers queued JSON, and
InvokeEndpointWithResponseStream recorded server-sent events in real event-stream framing,
which boto3 parses in the example's process. The example reaches it by configuration alone
(``AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME``), while the control plane stays on the moto server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.hosting.recorded_streams import event_message


@dataclass
class StandInRuntime:
    url: str = ""
    answers: list[Any] = field(default_factory=list)  # InvokeEndpoint bodies, in order
    streams: list[bytes] = field(default_factory=list)  # response streams, in order
    requests: list[tuple[str, Any]] = field(default_factory=list)  # (path, JSON body)

    @property
    def env(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": self.url}


def _handler(runtime: StandInRuntime) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            runtime.requests.append((self.path, json.loads(body)))
            if self.path.endswith("/invocations-response-stream"):
                stream = runtime.streams.pop(0)
                parts = [stream[start : start + 50] for start in range(0, len(stream), 50)]
                payload = b"".join(event_message(part) for part in parts)
                content_type, inner = "application/vnd.amazon.eventstream", "text/event-stream"
            else:
                payload = json.dumps(runtime.answers.pop(0)).encode()
                content_type = inner = "application/json"
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("X-Amzn-SageMaker-Content-Type", inner)
            self.send_header("x-Amzn-Invoked-Production-Variant", "AllTraffic")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *arguments: Any) -> None:
            pass

    return Handler


@contextmanager
def stand_in_runtime() -> Iterator[StandInRuntime]:
    runtime = StandInRuntime()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(runtime))
    runtime.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield runtime
    finally:
        server.shutdown()
        server.server_close()
