"""What the front's transport limits cost per request: ``GuardedProtocol`` (toolkit/transport.py)
against the uvicorn ``HttpToolsProtocol`` it extends, in this process, on the same requests.

    .venv/bin/python benchmarks/transport_protocol.py            # 9 alternating rounds
    .venv/bin/python benchmarks/transport_protocol.py --rounds 3

Each round feeds 20,000 keep-alive requests (a 36-byte JSON POST) through one connection of
each protocol, on uvloop, with a transport that drops what is written and an ASGI app that
reads the body and answers 2 bytes: what is left is the protocol's own work (parsing,
the request cycle, and for the guarded one its limits). CPU time per request, median of the
rounds; the difference is what the limits add to every request. For the whole request
through the toolkit (about 0.45 ms p50 on a 2-core VM) see ``benchmarks/serving_floor.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import uvicorn
import uvloop
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from sagemaker_hf.toolkit.connections import ConnectionGuard
from sagemaker_hf.toolkit.settings import Settings

BODY = b'{"inputs": "A man is eating food."}'
REQUEST = (
    b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
)
REQUESTS_PER_ROUND = 20_000


class NullTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8080), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def write(self, data: Any) -> None:
        pass

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def app(scope: dict, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


async def cpu_per_request(factory: Any) -> float:
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
    config.load()
    protocol = factory(config=config, server_state=ServerState(), app_state={})
    protocol.connection_made(NullTransport())
    started = time.process_time()
    for _ in range(REQUESTS_PER_ROUND):
        protocol.data_received(REQUEST)
        while not protocol.cycle.response_complete:
            await asyncio.sleep(0)
    elapsed = time.process_time() - started
    protocol.connection_lost(None)
    return elapsed / REQUESTS_PER_ROUND


async def main(rounds: int) -> None:
    guard = ConnectionGuard(Settings(), max_connections=1000)
    results: dict[str, list[float]] = {"uvicorn HttpToolsProtocol": [], "GuardedProtocol": []}
    for _ in range(rounds):
        results["uvicorn HttpToolsProtocol"].append(await cpu_per_request(HttpToolsProtocol))
        results["GuardedProtocol"].append(await cpu_per_request(guard.protocol))
    for name, values in results.items():
        rounds_text = ", ".join(f"{value * 1e6:.2f}" for value in values)
        print(f"{name:26s} {statistics.median(values) * 1e6:6.2f} us CPU per request (rounds: {rounds_text})")
    base, guarded = (statistics.median(values) for values in results.values())
    added = (guarded - base) * 1e6
    print(f"the limits add {added:.2f} us per request (x{guarded / base:.2f} of the protocol's own cost)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    uvloop.run(main(parser.parse_args().rounds))
