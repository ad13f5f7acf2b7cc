"""Lanes: several batches in one worker, side by side only inside the model's forward pass."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from sagemaker_hf.toolkit import lanes, messages
from sagemaker_hf.toolkit.lanes import LaneRunner, default_lanes, threads_per_lane
from sagemaker_hf.toolkit.settings import default_threads, load_settings, usable_cores
from tests.fixtures.toolkit_server import running_server

DEADLINE = 10.0


class _Recorder:
    """An ``answer`` for LaneRunner that records how many lanes were outside the forward at once."""

    def __init__(self, in_model: threading.Barrier | None = None, pin: bool = False) -> None:
        self.in_model = in_model
        self.pin = pin
        self.outside = 0
        self.most_outside = 0
        self.count_lock = threading.Lock()
        self.sent: list[list[str]] = []
        self.met_in_model: list[bool] = []
        self.threads: list[str] = []

    def _outside(self, step: int) -> None:
        with self.count_lock:
            self.outside += step
            self.most_outside = max(self.most_outside, self.outside)

    def answer(self, message: str) -> list[str]:
        self.threads.append(threading.current_thread().name)
        self._outside(+1)
        time.sleep(0.02)  # decoding and tokenizing: long enough for another lane to try to enter
        self._outside(-1)
        with lanes.pinned() if self.pin else contextlib.nullcontext(), lanes.model_call():
            try:
                self.in_model.wait(timeout=1.0)  # both lanes in a forward pass at once?
                self.met_in_model.append(True)
            except threading.BrokenBarrierError:
                self.met_in_model.append(False)
        self._outside(+1)
        time.sleep(0.02)  # encoding the answers
        self._outside(-1)
        return [f"answer to {message}"]

    def send_all(self, replies: list[str]) -> bool:
        self.sent.append(replies)
        return True


def two_batches(pin: bool = False, allowed=None) -> _Recorder:
    """Two batches through two lanes; what happened, as recorded."""
    recorder = _Recorder(in_model=threading.Barrier(2), pin=pin)
    runner = LaneRunner(2, recorder.answer, recorder.send_all, allowed=allowed)
    runner.submit("first")
    runner.submit("second")
    runner.finish()
    return recorder


def test_two_lanes_compute_at_once_and_never_run_their_other_steps_together():
    recorder = two_batches()
    assert sorted(recorder.sent) == [["answer to first"], ["answer to second"]]
    assert recorder.met_in_model == [True, True]  # the forward passes overlapped
    assert recorder.most_outside == 1  # decoding and encoding never did


def test_a_pinned_forward_keeps_the_other_lane_out():
    recorder = two_batches(pin=True)
    assert len(recorder.sent) == 2
    assert recorder.met_in_model == [False, False]  # each waited alone: the other could not enter


def test_on_shared_cores_one_lane_runs_at_a_time_and_the_front_is_told():
    recorder = two_batches(allowed=lambda running: 1)
    assert recorder.sent[0] == [messages.LanesFitted(1)]  # once, before the first batch
    assert sorted(map(str, recorder.sent[1:])) == ["['answer to first']", "['answer to second']"]
    assert recorder.met_in_model == [False, False]  # never two batches at once
    # ... and each on the thread that reads the pipe: no wake-up of a lane thread per batch
    assert recorder.threads == [threading.current_thread().name] * 2


def test_with_cores_for_two_lanes_batches_run_on_lane_threads():
    recorder = two_batches(allowed=lambda running: 2)
    assert recorder.met_in_model == [True, True]
    assert all(name.startswith("lane") for name in recorder.threads)
    assert messages.LanesFitted(1) not in [reply for replies in recorder.sent for reply in replies]


def test_model_call_outside_a_lane_does_nothing():
    with lanes.model_call():  # no gate held: nothing to release, nothing to re-take
        pass
    with lanes.batch(), lanes.model_call():
        pass
    assert not lanes._gate.locked()


def test_default_lanes_follow_the_threads_up_to_the_cap_and_the_users_threads_win():
    assert default_lanes(2, None) == 2
    assert default_lanes(1, None) == 1
    assert default_lanes(64, None) == lanes.MAX_LANES
    assert default_lanes(8, user_threads=8) == 1
    assert threads_per_lane(2, 2) == 1
    assert threads_per_lane(16, 4) == 4


def test_a_bad_lane_count_names_the_variable():
    with pytest.raises(Exception, match="SAGEMAKER_HF_LANES='0'"):
        load_settings({"SAGEMAKER_HF_LANES": "0"})


# ---------------------------------------------------------------------------- a real worker

READY = re.compile(r"(\d+) torch thread\(s\), \d+ inter-op thread\(s\), (\d+) lane\(s\)")


def _ready(server) -> tuple[int, int]:
    match = READY.search(server.wait_for_log("lane(s)"))
    assert match
    return int(match.group(1)), int(match.group(2))


@pytest.mark.slow
@pytest.mark.parametrize("task", ["sentence-embeddings", "feature-extraction"])
def test_embedding_tasks_run_in_lanes_of_one_thread_by_default(tiny_models, monkeypatch, task):
    for name in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY"):
        monkeypatch.delenv(name, raising=False)
    with running_server(tiny_models[task], env={"HF_TASK": task}) as server:
        expected = default_lanes(default_threads(usable_cores(), 1), None)
        assert _ready(server) == (threads_per_lane(default_threads(usable_cores(), 1), expected), expected)
        assert server.client.get("/info").json()["workers"][0]["lanes"] == expected


@pytest.mark.slow
def test_answers_from_lanes_equal_the_answers_alone(tiny_models):
    texts = [f"sentence number {n} " + "word " * (n % 7) for n in range(48)]
    for task in ("sentence-embeddings", "feature-extraction"):
        env = {"HF_TASK": task, "SAGEMAKER_HF_LANES": "2"}
        with running_server(tiny_models[task], env=env) as server:
            assert _ready(server)[1] == 2
            alone = [server.client.post("/invocations", json={"inputs": text}).json() for text in texts]
            with ThreadPoolExecutor(16) as pool:
                together = list(pool.map(lambda text: _post(server, text), texts))
            assert all(status == 200 for status, _ in together)
            for mine, (_, theirs) in zip(alone, together, strict=True):
                assert _close(mine, theirs), task
            assert server.client.get("/info").json()["workers"][0]["lanes"] == 2


def _post(server, text):
    import httpx

    answer = httpx.post(f"{server.url}/invocations", json={"inputs": text}, timeout=DEADLINE * 6)
    return answer.status_code, answer.json()


def _close(a, b, tolerance: float = 1e-5) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return (
            isinstance(b, list) and len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
        )
    return abs(a - b) <= tolerance


@pytest.mark.slow
def test_one_lane_when_asked(tiny_models, monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    env = {"HF_TASK": "feature-extraction", "SAGEMAKER_HF_LANES": "1"}
    with running_server(tiny_models["feature-extraction"], env=env) as server:
        assert _ready(server) == (default_threads(usable_cores(), 1), 1)


@pytest.mark.slow
def test_lanes_for_a_model_that_cannot_run_in_them_are_refused_in_the_log(tiny_models):
    env = {"HF_TASK": "text-classification", "SAGEMAKER_HF_LANES": "2"}
    with running_server(tiny_models["text-classification"], env=env) as server:
        assert _ready(server)[1] == 1
        assert "SAGEMAKER_HF_LANES=2 has no effect" in server.log_text()
        assert server.client.post("/invocations", json={"inputs": "fine"}).status_code == 200


def test_a_gpu_worker_runs_one_lane_unless_asked():
    from types import SimpleNamespace

    from sagemaker_hf.toolkit.worker_main import lane_count

    def handler(device: str) -> SimpleNamespace:
        return SimpleNamespace(runs_in_lanes=True, lanes_by_default=True, device=device)

    settings = load_settings({})
    assert lane_count(settings, handler("cuda:0")) == 1
    assert lane_count(settings, handler("cpu")) == default_lanes(settings.threads_per_worker, None)
    assert lane_count(load_settings({"SAGEMAKER_HF_LANES": "3"}), handler("cuda:0")) == 3
