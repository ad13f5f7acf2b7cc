"""Start ``python -m sagemaker_hf.toolkit serve`` on a free 127.0.0.1 port, for benchmarks and scripts.

(The tests use ``tests/fixtures/toolkit_server.py``, which adds waiting helpers.)
The child gets the caller's environment without a model's own variables (as a local endpoint
does: :func:`~sagemaker_hf.local.processes.child_environment`), plus ``env``;
its output goes to ``log_path``. Readiness is polled on ``/ping`` with a deadline.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sagemaker_hf.local.processes import MODEL_VARIABLES, child_environment, free_port, serve_command


def ping_status(url: str, timeout: float = 5.0) -> int | None:
    """``GET /ping``'s status, or None when nothing answers."""
    try:
        with urllib.request.urlopen(f"{url}/ping", timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while ping_status(self.url) != 200:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.process.returncode}:\n{self.log_text()[-3000:]}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"/ping did not answer 200 within {timeout:g} s:\n{self.log_text()[-3000:]}"
                )
            time.sleep(0.1)


@contextmanager
def toolkit_server(
    model_dir: Path,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    ready_timeout: float = 180.0,
    new_session: bool = False,
) -> Iterator[ServerProcess]:
    """A ready server for ``model_dir``; SIGTERM (then SIGKILL after 60 s) on exit. With
    ``new_session`` it leads its own process group (as local mode starts servers), so that
    :class:`~sagemaker_hf.testing.load_rss.ProcessGroupRss` can sample it and its workers."""
    own = {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"), **(env or {})}
    child_env = child_environment(own, gpu=True, withheld=MODEL_VARIABLES)
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            serve_command(port, model_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=child_env,
            start_new_session=new_session,
        )
    server = ServerProcess(f"http://127.0.0.1:{port}", process, log_path)
    try:
        server.wait_ready(ready_timeout)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
