"""The fixed cost of one HTTP request, for benchmarks/serving.py: an empty Starlette app, and
the toolkit serving a ``predict_fn`` that returns at once. What a model call adds comes on top.

    python benchmarks/serving_floor.py PORT    # the empty app (uvicorn, uvloop, httptools)
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from serving_http import Connection, Server

from sagemaker_hf.local.processes import free_port
from sagemaker_hf.testing.server_process import ServerProcess

NO_OP_INFERENCE = """
def model_fn(model_dir):
    return None


def predict_fn(data, model):
    return {"ok": True}
"""
BODY = b'{"inputs": "A man is eating food."}'


def _empty_app(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    async def invocations(request):
        await request.body()
        return Response(b'{"ok":true}', media_type="application/json")

    async def ping(request):
        return Response(b"")

    routes = [Route("/invocations", invocations, methods=["POST"]), Route("/ping", ping)]
    uvicorn.run(Starlette(routes=routes), host="127.0.0.1", port=port, log_level="warning")


async def _p50(port: int, requests: int) -> float:
    connection = Connection(port)
    for _ in range(requests // 10):  # warm-up
        await connection.post(BODY)
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        status, _ = await connection.post(BODY)
        latencies.append(time.perf_counter() - started)
        assert status == 200
    connection.close()
    return sorted(latencies)[len(latencies) // 2]


def empty_app_p50(root: Path, requests: int) -> float:
    port = free_port()
    log = root / "empty-app.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, __file__, str(port)], stdout=output, stderr=subprocess.STDOUT
        )
    try:
        ServerProcess(f"http://127.0.0.1:{port}", process, log).wait_ready(timeout=60)
        return asyncio.run(_p50(port, requests))
    finally:
        process.terminate()
        process.wait(timeout=30)


def toolkit_no_op_p50(root: Path, requests: int) -> float:
    model_dir = root / "no-op-model"
    (model_dir / "code").mkdir(parents=True, exist_ok=True)
    (model_dir / "code" / "inference.py").write_text(NO_OP_INFERENCE)
    server = Server(model_dir, "text-classification", {}, "WARNING", log=root / "no-op.log")
    try:
        return asyncio.run(_p50(server.port, requests))
    finally:
        server.stop()


if __name__ == "__main__":
    _empty_app(int(sys.argv[1]))
