"""The HTTP side of benchmarks/serving.py: a minimal keep-alive client, and the server in a child process.

The client is a bare HTTP/1.1 client on asyncio streams, so that its own CPU cost (it shares
the machine with the server) stays small next to the server's.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


class Connection:
    """One keep-alive HTTP/1.1 connection: POST a body, read status and body (Content-Length)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert self.reader is not None
        head = (
            "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        lines = (await self.reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
        length = next(int(line[15:]) for line in lines if line[:15].lower() == b"content-length:")
        return int(lines[0].split()[1]), await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class Server:
    """``sagemaker_hf.toolkit serve`` in a child process, on a free port of 127.0.0.1."""

    def __init__(
        self, directory: Path, task: str, batching: dict[str, str] | None, log_level: str, log: Path
    ) -> None:
        """``batching``: the batching variables to set (empty: the server's defaults), or None: off."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        environment = {key: value for key, value in os.environ.items() if not key.startswith("SAGEMAKER_")}
        environment.update({"HF_TASK": task, "SAGEMAKER_CONTAINER_LOG_LEVEL": log_level})
        environment.update({"SAGEMAKER_HF_MAX_BATCH_SIZE": "1"} if batching is None else batching)
        command = [sys.executable, "-m", "sagemaker_hf.toolkit", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--model-dir", str(directory)]
        self.log = log
        with open(log, "wb") as output:
            self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=environment)
        deadline = time.monotonic() + 180
        while not self._ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not become ready; its log:\n{log.read_text()}")
            time.sleep(0.1)

    def _ping(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ping", timeout=2) as reply:
                return reply.status == 200
        except OSError:
            return False

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=10) as reply:
            return reply.read().decode()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
