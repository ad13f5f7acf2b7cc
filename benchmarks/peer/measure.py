"""One server, one task, one condition: start it, measure it, stop it, and check its answers.

Phases, in order, on the same inputs and the same client (benchmarks/serving_http.py's
keep-alive client, benchmarks/serving.py's closed-loop load):

1. cold start: process start → ``/ping`` 200 → the first correct answer (status 200 and a body
   of the task's shape with finite numbers);
2. sequential: one keep-alive connection, the inputs in order (5 warm-up requests first), at
   most ``requests`` of them or ``seconds``, whichever ends first;
3. load: ``clients`` keep-alive clients for ``seconds``, each sending its next input as soon as
   its answer arrives; CPU time of the whole process tree before and after, and of the client
   (this process, on the same cores);
4. stop: SIGTERM to the server's first process, the time until its whole tree is gone, and
   what it left (processes, listeners).

Peak RSS of the whole tree is sampled from start to stop.
"""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import time
from dataclasses import dataclass, field

from serving import load, percentile, same
from serving_http import Connection

from peer.servers import ServerSpec
from peer.tree import PeakRss, StopReport, cpu_seconds, stop_tree
from sagemaker_hf.testing.server_process import ping_status

WARM_UP_REQUESTS = 5
POLL_SECONDS = 0.05
# Docker's own grace is 10 s; the peer's MMS worker parent is known to outlive it for good.
STOP_DEADLINE_SECONDS = 20.0
TOLERANCE = 1e-4  # serving.same's, relative or absolute


@dataclass
class Phases:
    """How long each phase may take."""

    clients: int
    seconds: float
    requests: int
    start_deadline: float = 300.0


@dataclass
class Result:
    server: str
    task: str
    ping_seconds: float | None = None
    cold_start_seconds: float | None = None  # process start -> first correct answer
    sequential_ms: list[float] = field(default_factory=list)
    load_seconds: float = 0.0
    load_ms: list[float] = field(default_factory=list)
    load_errors: int = 0
    cpu_seconds: float | None = None  # the tree's, over the load phase
    client_cpu_seconds: float | None = None  # this process's (the clients'), over the load phase
    peak_rss_bytes: int = 0
    stop: StopReport | None = None
    failure: str | None = None
    # input index -> the distinct answers to it (bodies), from the sequential and load phases
    answers: dict[int, set[bytes]] = field(default_factory=dict, repr=False)

    @property
    def answered(self) -> int:
        return len(self.load_ms) - self.load_errors

    @property
    def throughput(self) -> float | None:
        return self.answered / self.load_seconds if self.load_ms else None

    @property
    def cpu_ms_per_request(self) -> float | None:
        if self.cpu_seconds is None or not self.answered:
            return None
        return 1000 * self.cpu_seconds / self.answered

    @property
    def client_cpu_ms_per_request(self) -> float | None:
        if self.client_cpu_seconds is None or not self.answered:
            return None
        return 1000 * self.client_cpu_seconds / self.answered

    def p(self, values: list[float], fraction: float) -> float | None:
        return percentile(values, fraction) if values else None

    def summary(self) -> dict:
        """The numbers, JSON-ready."""
        return {
            "server": self.server,
            "task": self.task,
            "ping_seconds": self.ping_seconds,
            "cold_start_seconds": self.cold_start_seconds,
            "sequential_requests": len(self.sequential_ms),
            "sequential_p50_ms": self.p(self.sequential_ms, 0.5),
            "sequential_p99_ms": self.p(self.sequential_ms, 0.99),
            "load_requests": len(self.load_ms),
            "load_errors": self.load_errors,
            "load_requests_per_second": self.throughput,
            "load_p50_ms": self.p(self.load_ms, 0.5),
            "load_p99_ms": self.p(self.load_ms, 0.99),
            "peak_rss_bytes": self.peak_rss_bytes,
            "cpu_ms_per_request": self.cpu_ms_per_request,
            "client_cpu_ms_per_request": self.client_cpu_ms_per_request,
            "stop_seconds": None if self.stop is None else self.stop.seconds,
            "stop_clean": None if self.stop is None else self.stop.clean,
            "stop_left_processes": [] if self.stop is None else self.stop.left_processes,
            "stop_left_listeners": [] if self.stop is None else self.stop.left_listeners,
            "failure": self.failure,
        }


def valid_answer(task: str, body: bytes) -> bool:
    """The task's shape, with finite numbers: {"embeddings": [...]} or nested lists of floats."""
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    if task == "sentence-embeddings":
        if not isinstance(answer, dict) or set(answer) != {"embeddings"}:
            return False
        answer = answer["embeddings"]
    numbers = flatten(answer)
    return bool(numbers) and all(isinstance(x, float | int) and math.isfinite(x) for x in numbers)


def flatten(value) -> list:
    if isinstance(value, list):
        return [item for element in value for item in flatten(element)]
    if isinstance(value, dict):
        return [item for key in sorted(value) for item in flatten(value[key])]
    return [value]


def measure(spec: ServerSpec, bodies: list[bytes], phases: Phases) -> Result:
    """Run every phase against the server ``spec`` describes; it is stopped whatever happens."""
    result = Result(spec.name, spec.task)
    started = time.monotonic()
    with open(spec.log, "wb") as log:
        process = subprocess.Popen(
            spec.command,
            env=spec.env,
            cwd=spec.cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        with PeakRss(process.pid) as rss:
            try:
                _cold_start(spec, process, bodies[0], phases.start_deadline, started, result)
                asyncio.run(_sequential(spec, bodies, phases, result))
                _load(spec, process.pid, bodies, phases, result)
            except Exception as error:  # reported in the table; the server is stopped below
                result.failure = f"{type(error).__name__}: {error}"
            finally:
                rss.stop()
                result.peak_rss_bytes = rss.peak
    finally:
        result.stop = stop_tree(process.pid, STOP_DEADLINE_SECONDS)
        process.wait(timeout=10)
    return result


def _cold_start(spec, process, body, deadline, started, result) -> None:
    while ping_status(spec.url, timeout=2) != 200:
        _check_alive(spec, process, started, deadline, "/ping 200")
        time.sleep(POLL_SECONDS)
    result.ping_seconds = time.monotonic() - started
    while True:
        answer = asyncio.run(_post_once(spec.port, body))
        if answer is not None and valid_answer(spec.task, answer):
            result.cold_start_seconds = time.monotonic() - started
            return
        _check_alive(spec, process, started, deadline, "a first correct answer")
        time.sleep(POLL_SECONDS)


def _check_alive(spec, process, started, deadline, waiting_for) -> None:
    if process.poll() is not None:
        tail = spec.log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the server exited ({process.returncode}) before {waiting_for}:\n{tail}")
    if time.monotonic() - started > deadline:
        raise TimeoutError(f"no {waiting_for} within {deadline:g} s (log: {spec.log})")


async def _post_once(port: int, body: bytes) -> bytes | None:
    connection = Connection(port)
    try:
        status, answer = await connection.post(body)
    except OSError:
        return None
    except asyncio.IncompleteReadError:
        return None
    finally:
        connection.close()
    return answer if status == 200 else None


async def _sequential(spec: ServerSpec, bodies: list[bytes], phases: Phases, result: Result) -> None:
    connection = Connection(spec.port)
    try:
        for index in range(WARM_UP_REQUESTS):
            await connection.post(bodies[index % len(bodies)])
        stop_at = time.perf_counter() + phases.seconds
        for index in range(min(phases.requests, len(bodies))):
            started = time.perf_counter()
            if started >= stop_at:
                break
            status, answer = await connection.post(bodies[index])
            result.sequential_ms.append(1000 * (time.perf_counter() - started))
            if status != 200 or not valid_answer(spec.task, answer):
                raise RuntimeError(f"sequential request {index}: status {status}, {answer[:300]!r}")
            result.answers.setdefault(index, set()).add(answer)
    finally:
        connection.close()


def _load(spec: ServerSpec, pgid: int, bodies: list[bytes], phases: Phases, result: Result) -> None:
    before, client_before = cpu_seconds(pgid), time.process_time()
    loaded = asyncio.run(load(spec.port, bodies, phases.clients, phases.seconds, warmup=0.0))
    result.cpu_seconds = cpu_seconds(pgid) - before
    result.client_cpu_seconds = time.process_time() - client_before
    result.load_seconds = loaded.seconds
    result.load_ms = [1000 * seconds for seconds in loaded.latencies]
    result.load_errors = loaded.errors
    for index, answers in loaded.answers.items():
        result.answers.setdefault(index, set()).update(
            answer for answer in answers if valid_answer(spec.task, answer)
        )


@dataclass
class Agreement:
    inputs: int  # inputs both servers answered
    compared: int  # pairs of answers compared
    differing: int
    max_difference: float

    @property
    def equal(self) -> bool:
        return self.compared > 0 and self.differing == 0


def agreement(ours: Result, theirs: Result) -> Agreement:
    """Every distinct answer of ours against every distinct answer of theirs to the same input."""
    shared = sorted(set(ours.answers) & set(theirs.answers))
    compared = differing = 0
    largest = 0.0
    for index in shared:
        mine = [json.loads(body) for body in ours.answers[index]]
        others = [json.loads(body) for body in theirs.answers[index]]
        for left in mine:
            for right in others:
                compared += 1
                differing += not same(left, right)
                largest = max(largest, largest_difference(left, right))
    return Agreement(len(shared), compared, differing, largest)


def largest_difference(left, right) -> float:
    """The largest absolute difference between two answers' numbers; inf when shapes differ."""
    numbers = flatten(left), flatten(right)
    if len(numbers[0]) != len(numbers[1]):
        return math.inf
    if not all(isinstance(x, float | int) for x in [*numbers[0], *numbers[1]]):
        return 0.0 if left == right else math.inf
    return max((abs(a - b) for a, b in zip(*numbers, strict=True)), default=0.0)
