"""Dynamic batching: the front's gathering rule (no server), and over real HTTP with user
code that reports the size and parameters of each model call it receives.

Requests are made to queue deterministically: the first one blocks inside the model on a
file the test creates (the "gate"), the others are sent meanwhile, and the test waits until
/metrics shows them queued before it opens the gate.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import textwrap
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from sagemaker_hf.toolkit import messages
from sagemaker_hf.toolkit.batching import NO_REFILL, REFILL_MAX_SECONDS, BatchPolicy, Pending, Refill
from tests.fixtures.toolkit_server import running_server

pytestmark = pytest.mark.slow

# predict_batch_fn: every answer tells the size of the call it was in and the distinct
# parameters that call saw; "fail" breaks the whole call; a "gate" input waits for a file.
BATCHING_CODE = """
import json
import time
from pathlib import Path

def model_fn(model_dir, context):
    return {"batch_size": context.system_properties["batch_size"]}

def predict_fn(data, model):
    raise RuntimeError("predict_fn must not be called when predict_batch_fn exists")

def predict_batch_fn(data_list, model):
    for data in data_list:
        gate = data.get("gate") if isinstance(data, dict) else None
        if gate:
            Path(gate + ".started").touch()
            deadline = time.monotonic() + 60
            while not Path(gate).exists() and time.monotonic() < deadline:
                time.sleep(0.01)
    if any(data.get("inputs") == "fail" for data in data_list):
        raise ValueError("this input breaks the model")
    seen = sorted({json.dumps(data.get("parameters"), sort_keys=True) for data in data_list})
    return [
        {"echo": data.get("inputs"), "call_size": len(data_list), "call_parameters": seen,
         "context_batch_size": model["batch_size"]}
        for data in data_list
    ]
"""

# The same gate, with an ordinary predict_fn: it never opted in to batching.
PREDICT_FN_CODE = """
import time
from pathlib import Path

def model_fn(model_dir):
    return None

def predict_fn(data, model):
    gate = data.get("gate")
    if gate:
        Path(gate + ".started").touch()
        deadline = time.monotonic() + 60
        while not Path(gate).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    return {"echo": data.get("inputs")}
"""


def model_dir_with(root: Path, source: str) -> Path:
    (root / "code").mkdir(parents=True)
    (root / "code" / "inference.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return root


def metric(server, name: str) -> float:
    for line in server.client.get("/metrics").text.splitlines():
        if line.split(" ")[0] == name:
            return float(line.split(" ")[1])
    return 0.0


class Gate:
    """Holds the worker inside the model while the test queues more requests."""

    names = itertools.count()

    def __init__(self, server, folder: Path, executor: ThreadPoolExecutor) -> None:
        self.server = server
        self.path = folder / f"gate-{next(self.names)}"
        self.first = executor.submit(
            server.client.post, "/invocations", json={"inputs": "first", "gate": str(self.path)}
        )
        server.wait_until(
            Path(str(self.path) + ".started").exists, what="the first request to hold the model"
        )

    def queue(self, executor: ThreadPoolExecutor, bodies: list[dict]) -> list[Future]:
        queued_before = metric(self.server, "sagemaker_hf_queue_depth")
        futures = [executor.submit(self.server.client.post, "/invocations", json=body) for body in bodies]
        self.server.wait_until(
            lambda: metric(self.server, "sagemaker_hf_queue_depth") == queued_before + len(bodies),
            what=f"{len(bodies)} requests to queue",
        )
        return futures

    def open(self) -> None:
        self.path.touch()
        assert self.first.result(60).status_code == 200


@pytest.fixture(scope="module")
def batching_server(tmp_path_factory):
    model_dir = model_dir_with(tmp_path_factory.mktemp("batching"), BATCHING_CODE)
    with running_server(model_dir, env={"SAGEMAKER_HF_MAX_BATCH_SIZE": "4"}) as server:
        yield server


@pytest.fixture
def executor():
    with ThreadPoolExecutor(12) as pool:
        yield pool


# ---------------------------------------------------------------------------- the gathering rule


def pending(loop: asyncio.AbstractEventLoop, number: int, arrived: float, stream: bool = False) -> Pending:
    request = messages.Request(number, b"{}", None, "application/json", stream=stream)
    return Pending(request, arrived, loop.create_future())


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def test_an_idle_worker_takes_every_queued_request_up_to_the_maximum(loop):
    queue = collections.deque(pending(loop, n, arrived=0.0) for n in range(6))
    policy = BatchPolicy(max_size=4, max_delay=0.0)
    assert [p.request.request_id for p in policy.take(queue, True, now=0.0)] == [0, 1, 2, 3]
    assert [p.request.request_id for p in policy.take(queue, True, now=0.0)] == [4, 5]
    assert policy.take(queue, True, now=0.0) == []


def test_the_delay_waits_for_more_only_until_the_oldest_has_waited_it(loop):
    queue = collections.deque([pending(loop, 0, arrived=10.0)])
    policy = BatchPolicy(max_size=4, max_delay=0.005)
    assert policy.take(queue, True, now=10.002) == pytest.approx(0.003)
    assert len(queue) == 1
    queue.extend(pending(loop, n, arrived=10.003) for n in (1, 2, 3))
    assert len(policy.take(queue, True, now=10.003)) == 4  # full: no waiting
    queue.append(pending(loop, 4, arrived=10.0))
    assert len(policy.take(queue, True, now=10.006)) == 1  # waited long enough


def test_batching_off_streams_and_unbatchable_workers_take_one_at_a_time(loop):
    queue = collections.deque(pending(loop, n, arrived=0.0) for n in range(3))
    assert len(BatchPolicy(max_size=1, max_delay=0.0).take(queue, True, now=0.0)) == 1
    assert len(BatchPolicy(max_size=8, max_delay=0.0).take(queue, False, now=0.0)) == 1
    queue = collections.deque(
        [pending(loop, 0, 0.0), pending(loop, 1, 0.0, stream=True), pending(loop, 2, 0.0)]
    )
    policy = BatchPolicy(max_size=8, max_delay=1.0)
    assert [p.request.request_id for p in policy.take(queue, True, now=0.0)] == [0]  # stops at the stream
    assert [p.request.request_id for p in policy.take(queue, True, now=0.0)] == [1]  # a stream goes alone
    assert policy.take(queue, True, now=0.0) == pytest.approx(1.0)  # the last one may wait for company


def test_a_worker_waits_to_be_refilled_by_the_clients_it_has_just_answered(loop):
    # It answered 31 at t=10.0 with one straggler queued: the next batch waits for all 32.
    policy = BatchPolicy(max_size=32, max_delay=None)
    refill = Refill(size=32, until=10.008)
    queue = collections.deque([pending(loop, 0, arrived=9.95)])
    assert policy.take(queue, True, now=10.0, refill=refill) == pytest.approx(0.008)
    queue.extend(pending(loop, n, arrived=10.002) for n in range(1, 31))
    assert policy.take(queue, True, now=10.002, refill=refill) == pytest.approx(0.006)  # 31 of 32
    queue.append(pending(loop, 31, arrived=10.003))
    assert len(policy.take(queue, True, now=10.003, refill=refill)) == 32  # refilled: at once


def test_the_refill_wait_ends_at_its_deadline_and_never_holds_a_lone_request(loop):
    policy = BatchPolicy(max_size=32, max_delay=None)
    queue = collections.deque(pending(loop, n, arrived=0.0) for n in range(5))
    assert len(policy.take(queue, True, now=1.0, refill=Refill(size=32, until=1.0))) == 5  # deadline
    queue.append(pending(loop, 5, arrived=2.0))
    assert len(policy.take(queue, True, now=2.0, refill=Refill(size=1, until=2.5))) == 1  # lone after lone
    queue.append(pending(loop, 6, arrived=3.0))
    assert len(policy.take(queue, True, now=3.0, refill=NO_REFILL)) == 1  # a fresh worker


def test_a_refill_wants_at_most_a_full_batch_and_a_set_delay_replaces_it(loop):
    queue = collections.deque(pending(loop, n, arrived=0.0) for n in range(4))
    refill = Refill(size=40, until=5.0)  # 32 answered, 8 more were waiting
    assert len(BatchPolicy(max_size=4, max_delay=None).take(queue, True, now=0.0, refill=refill)) == 4
    queue.extend(pending(loop, n, arrived=0.0) for n in range(4, 7))
    assert len(BatchPolicy(max_size=8, max_delay=0.0).take(queue, True, now=0.0, refill=refill)) == 3


def test_the_refill_deadline_is_a_tenth_of_the_batch_and_at_most_fifty_ms():
    assert Refill.after(32, started=1.0, finished=1.1) == Refill(32, pytest.approx(1.11))
    assert Refill.after(8, started=1.0, finished=3.0).until == pytest.approx(3.0 + REFILL_MAX_SECONDS)


class _Sent:
    """A worker's pipe and process, as far as the pool's dispatch uses them."""

    def __init__(self) -> None:
        self.messages: list[messages.Invoke] = []
        self.pid = 4242

    def send(self, message) -> None:
        self.messages.append(message)


def _ready_worker(index: int, pipe: _Sent, lanes: int = 1):
    from sagemaker_hf.toolkit.worker_process import Worker, WorkerState

    capabilities = messages.Capabilities(
        pid=pipe.pid, task="t", accepts_csv=False, batchable=True, streams=False, reads_input=False,
        writes_output=False, hooks=(), gpu_id=None, threads=1, load_seconds=0.0, lanes=lanes,
    )  # fmt: skip
    return Worker(index, pipe, pipe, state=WorkerState.READY, capabilities=capabilities)


def test_a_worker_waiting_for_its_refill_leaves_the_queue_to_an_idle_one(loop):
    from sagemaker_hf.toolkit.pool import WorkerPool
    from sagemaker_hf.toolkit.settings import Settings

    pool = WorkerPool(Settings(max_batch_size=8))
    pool._loop = loop
    waiting, idle = _Sent(), _Sent()
    pool._workers = {0: _ready_worker(0, waiting), 1: _ready_worker(1, idle)}
    pool._workers[0].refill = Refill(size=8, until=time.monotonic() + 60)  # it answered 8 just now
    pool._queue.extend(pending(loop, n, arrived=time.monotonic()) for n in range(3))
    pool._dispatch()
    assert waiting.messages == []
    assert [request.request_id for request in idle.messages[0].requests] == [0, 1, 2]
    assert pool._batch_timer is None  # nothing left to wait for
    answered = [
        pool._workers[1].answered(pending, queued=0, now=time.monotonic()) for pending in _sent(pool, 1)
    ]
    assert answered == [False, False, True]  # the third answer completes the batch
    assert pool._workers[1].refill.size == 3  # its three clients are the next batch's company


def test_while_a_worker_is_busy_an_idle_one_takes_only_its_fair_share(loop):
    from sagemaker_hf.toolkit.pool import WorkerPool
    from sagemaker_hf.toolkit.settings import Settings

    pool = WorkerPool(Settings(max_batch_size=32))
    pool._loop = loop
    busy, idle = _Sent(), _Sent()
    pool._workers = {0: _ready_worker(0, busy), 1: _ready_worker(1, idle)}
    running = [pending(loop, n, arrived=time.monotonic()) for n in range(2)]
    pool._workers[0].started(running, time.monotonic())
    pool._queue.extend(pending(loop, n, arrived=time.monotonic()) for n in range(2, 32))
    pool._dispatch()
    # 30 queued and 2 in flight between 2 workers: 16 each, not all 30 to the idle one (which
    # left the other idle once its 2 were answered, and settled into batches of ~30 and ~2).
    assert [len(message.requests) for message in idle.messages] == [16]
    assert pool.queue_depth == 14 and busy.messages == []


def test_one_worker_still_takes_the_whole_queue(loop):
    from sagemaker_hf.toolkit.pool import WorkerPool
    from sagemaker_hf.toolkit.settings import Settings

    pool = WorkerPool(Settings(max_batch_size=32))
    pool._loop = loop
    pipe = _Sent()
    pool._workers = {0: _ready_worker(0, pipe)}
    pool._queue.extend(pending(loop, n, arrived=time.monotonic()) for n in range(30))
    pool._dispatch()
    assert [len(message.requests) for message in pipe.messages] == [30]


def _sent(pool, index: int) -> list:
    return list(pool._workers[index].in_flight.values())


def test_a_worker_with_lanes_takes_one_batch_per_lane_and_shares_the_batch_size(loop):
    from sagemaker_hf.toolkit.pool import WorkerPool
    from sagemaker_hf.toolkit.settings import Settings

    pool = WorkerPool(Settings(max_batch_size=8))
    pool._loop = loop
    pipe = _Sent()
    pool._workers = {0: _ready_worker(0, pipe, lanes=2)}
    pool._queue.extend(pending(loop, n, arrived=time.monotonic()) for n in range(10))
    pool._dispatch()
    # Two batches of 4 (8 between the lanes, the most per worker); two requests wait.
    assert [[r.request_id for r in message.requests] for message in pipe.messages] == [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
    ]
    assert pool.queue_depth == 2 and pool._workers[0].free_lanes == 0
    worker = pool._workers[0]
    first_batch = [entry for entry in _sent(pool, 0) if entry.request.request_id < 4]
    worker.batches[first_batch[0].batch_id].started -= 1.0  # it ran for a second: the refill may wait 50 ms
    for entry in first_batch:
        pool._on_message(worker, messages.Reply(entry.request.request_id, b"{}", "application/json", {}))
    # The first lane is free again and takes the two left (the refill wants 4 + 2, and only
    # 2 are queued: it waits for them, briefly).
    assert worker.free_lanes == 1 and worker.refill.size == 6
    assert all(entry.future.done() for entry in first_batch)
    assert pool._batch_timer is not None and len(pipe.messages) == 2


def test_the_front_sends_a_whole_batch_to_a_worker_fitted_to_one_lane(loop):
    from sagemaker_hf.toolkit.pool import WorkerPool
    from sagemaker_hf.toolkit.settings import Settings

    pool = WorkerPool(Settings(max_batch_size=8))
    pool._loop = loop
    pipe = _Sent()
    pool._workers = {0: _ready_worker(0, pipe, lanes=2)}
    pool._on_message(pool._workers[0], messages.LanesFitted(1))
    pool._queue.extend(pending(loop, n, arrived=time.monotonic()) for n in range(10))
    pool._dispatch()
    assert [len(message.requests) for message in pipe.messages] == [8]  # one lane: a full batch
    pool._on_message(pool._workers[0], messages.LanesFitted(2))
    # Two lanes again: the second takes the two requests left.
    assert pool._workers[0].lanes == 2 and [len(message.requests) for message in pipe.messages] == [8, 2]


def test_requests_that_timed_out_in_the_queue_are_skipped(loop):
    queue = collections.deque(pending(loop, n, arrived=0.0) for n in range(3))
    queue[0].future.cancel()
    queue[1].abandoned = True
    assert [p.request.request_id for p in BatchPolicy(4, 0.0).take(queue, True, now=0.0)] == [2]


# ---------------------------------------------------------------------------- over HTTP


def test_concurrent_requests_share_one_model_call(batching_server, tmp_path, executor):
    gate = Gate(batching_server, tmp_path, executor)
    batches_before = metric(batching_server, "sagemaker_hf_batch_size_count")
    futures = gate.queue(executor, [{"inputs": f"queued {n}"} for n in range(4)])
    gate.open()
    answers = [future.result(60).json() for future in futures]
    assert [answer["echo"] for answer in answers] == [f"queued {n}" for n in range(4)]
    assert {answer["call_size"] for answer in answers} == {4}
    assert answers[0]["context_batch_size"] == 4  # the hook can read the most it will get
    # The four went to the worker as one batch (the gate request was the batch before it).
    assert metric(batching_server, "sagemaker_hf_batch_size_count") == batches_before + 1
    assert metric(batching_server, 'sagemaker_hf_batch_size_bucket{le="4"}') > metric(
        batching_server, 'sagemaker_hf_batch_size_bucket{le="2"}'
    )


def test_the_client_a_worker_has_just_answered_joins_the_next_batch(batching_server, tmp_path, executor):
    # The refill: the worker answers the gate request with two more queued, and waits (up to a
    # tenth of that batch, at most 50 ms) for three, since the client it answered comes back.
    gate = Gate(batching_server, tmp_path, executor)
    futures = gate.queue(executor, [{"inputs": "a"}, {"inputs": "b"}])
    time.sleep(0.6)  # not a readiness wait: a long batch makes the refill window its full 50 ms
    gate.open()
    comeback = batching_server.client.post("/invocations", json={"inputs": "c"})
    answers = [future.result(60).json() for future in futures] + [comeback.json()]
    assert [answer["echo"] for answer in answers] == ["a", "b", "c"]
    assert [answer["call_size"] for answer in answers] == [3, 3, 3]  # dispatched at once: 2, 2, 1


def test_a_batch_never_goes_over_the_maximum(batching_server, tmp_path, executor):
    gate = Gate(batching_server, tmp_path, executor)
    futures = gate.queue(executor, [{"inputs": n} for n in range(6)])
    gate.open()
    sizes = [future.result(60).json()["call_size"] for future in futures]
    # The six are sent from concurrent threads, so which four share the first call varies.
    assert sorted(sizes) == [2, 2, 4, 4, 4, 4]


def test_different_parameters_never_share_a_model_call(batching_server, tmp_path, executor):
    gate = Gate(batching_server, tmp_path, executor)
    bodies = [
        {"inputs": "a", "parameters": {"top_k": 1}},
        {"inputs": "b", "parameters": {"top_k": 2}},
        {"inputs": "c", "parameters": {"top_k": 1}},
        {"inputs": "d"},
    ]
    futures = gate.queue(executor, bodies)
    gate.open()
    answers = [future.result(60).json() for future in futures]
    for body, answer in zip(bodies, answers, strict=True):
        assert answer["call_parameters"] == [json.dumps(body.get("parameters"), sort_keys=True)]
    assert [answer["call_size"] for answer in answers] == [2, 1, 2, 1]


def test_an_input_that_breaks_the_shared_call_fails_only_its_own_request(batching_server, tmp_path, executor):
    gate = Gate(batching_server, tmp_path, executor)
    futures = gate.queue(executor, [{"inputs": "ok 1"}, {"inputs": "fail"}, {"inputs": "ok 2"}])
    gate.open()
    first, failed, last = (future.result(60) for future in futures)
    assert (first.status_code, last.status_code) == (200, 200)
    assert (first.json()["echo"], last.json()["echo"]) == ("ok 1", "ok 2")
    assert first.json()["call_size"] == 1  # answered one by one after the shared call failed
    assert failed.status_code == 500
    assert (
        "predict_batch_fn in user code raised ValueError: this input breaks the model"
        in failed.json()["message"]
    )
    assert "one by one" in batching_server.log_text()


def test_a_multi_record_body_is_predicted_in_batches(batching_server):
    lines = "\n".join(json.dumps({"inputs": n}) for n in range(6))
    response = batching_server.client.post(
        "/invocations", content=lines, headers={"Content-Type": "application/jsonlines"}
    )
    assert response.status_code == 200, response.text
    answers = [json.loads(line) for line in response.text.split("\n")]
    assert [answer["echo"] for answer in answers] == list(range(6))
    assert [answer["call_size"] for answer in answers] == [4, 4, 4, 4, 2, 2]


def test_batch_size_1_turns_batching_off(tmp_path, executor):
    model_dir = model_dir_with(tmp_path / "model", BATCHING_CODE)
    with running_server(model_dir, env={"SAGEMAKER_HF_MAX_BATCH_SIZE": "1"}) as server:
        assert server.client.get("/info").json()["max_batch_size"] == 1
        gate = Gate(server, tmp_path, executor)
        futures = gate.queue(executor, [{"inputs": n} for n in range(3)])
        gate.open()
        assert [future.result(60).json()["call_size"] for future in futures] == [1, 1, 1]
        assert metric(server, 'sagemaker_hf_batch_size_bucket{le="1"}') == metric(
            server, "sagemaker_hf_batch_size_count"
        )


def test_a_predict_fn_is_not_batched_unless_it_opts_in(tmp_path, executor):
    model_dir = model_dir_with(tmp_path / "model", PREDICT_FN_CODE)
    with running_server(model_dir) as server:
        assert server.client.get("/info").json()["max_batch_size"] == 1
        gate = Gate(server, tmp_path, executor)
        futures = gate.queue(executor, [{"inputs": n} for n in range(3)])
        gate.open()
        assert [future.result(60).json()["echo"] for future in futures] == [0, 1, 2]
        count = metric(server, "sagemaker_hf_batch_size_count")
        assert count == 4
        assert metric(server, 'sagemaker_hf_batch_size_bucket{le="1"}') == count
