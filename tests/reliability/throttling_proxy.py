"""An HTTP proxy on 127.0.0.1 that throttles chosen SageMaker operations, then forwards to moto.

SageMaker speaks JSON 1.1: the operation is in the ``X-Amz-Target`` header
(``SageMaker.DescribeEndpoint``), and a throttled call is answered with HTTP 400 and
``{"__type": "ThrottlingException", "message": "Rate exceeded"}``, which botocore's
standard retry mode classifies as a throttling error. The proxy answers the next
``throttle(operation, count)`` calls of an operation that way and forwards everything
else unchanged; it counts what it throttled and what it forwarded, per operation.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

THROTTLED_BODY = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


class ThrottlingProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.throttled: Counter[str] = Counter()
        self.forwarded: Counter[str] = Counter()
        self._budget: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="throttling-proxy", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def throttle(self, operation: str, count: int) -> None:
        """Answer the next ``count`` calls of ``operation`` (e.g. "DescribeEndpoint") with throttling."""
        with self._lock:
            self._budget[operation] = count

    def take(self, operation: str) -> bool:
        """Whether this call of ``operation`` is throttled (and count it either way)."""
        with self._lock:
            if self._budget[operation] > 0:
                self._budget[operation] -= 1
                self.throttled[operation] += 1
                return True
            self.forwarded[operation] += 1
            return False

    def __enter__(self) -> ThrottlingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def _handler_for(proxy: ThrottlingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # one stderr line per request otherwise

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
            if proxy.take(operation):
                self._answer(400, [("Content-Type", "application/x-amz-json-1.1")], THROTTLED_BODY)
                return
            upstream = http.client.HTTPConnection(*proxy.upstream, timeout=30)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body, headers=headers)
                reply = upstream.getresponse()
                data = reply.read()
                kept = [(k, v) for k, v in reply.getheaders() if k.lower() not in _HOP_BY_HOP]
                self._answer(reply.status, kept, data)
            finally:
                upstream.close()

        do_GET = do_POST

        def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
