"""Torch threads fitted to the free cores before each model call (toolkit/cpu_share.py)."""

from __future__ import annotations

import sys

import pytest

from sagemaker_hf.toolkit import cpu_share
from sagemaker_hf.toolkit.cpu_share import WINDOW, ThreadFitter, fitter_for, runnable_tasks

STAT = """cpu  1 2 3 4 5 6 7 0 0 0
intr 12345 0 0
ctxt 999
btime 1700000000
processes 4242
procs_running {running}
procs_blocked 0
"""


def test_runnable_tasks_are_read_from_proc_stat(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text(STAT.format(running=3))
    assert runnable_tasks(stat) == 3
    stat.write_text("cpu 1 2 3\nprocs_running 7")  # last line without a line break
    assert runnable_tasks(stat) == 7


def test_without_a_reading_the_count_is_unknown(tmp_path):
    assert runnable_tasks(tmp_path / "missing") is None
    stat = tmp_path / "stat"
    stat.write_text("cpu 1 2 3\n")
    assert runnable_tasks(stat) is None
    stat.write_text("procs_running many\n")
    assert runnable_tasks(stat) is None


def test_this_machine_reports_runnable_tasks():
    if not cpu_share.PROC_STAT.exists():
        pytest.skip("no /proc/stat on this system")
    running = runnable_tasks()
    assert running is not None and running >= 1  # this test's own thread is running


class Recorder:
    def __init__(self, readings):
        self.readings = list(readings)
        self.calls: list[int] = []

    def read(self):
        return self.readings.pop(0)

    def set(self, threads):
        self.calls.append(threads)


def test_an_idle_host_gives_every_thread_and_a_steady_neighbour_takes_its_core():
    recorder = Recorder([1] * 3 + [3] * WINDOW + [1])
    fitter = ThreadFitter(most=2, cores=2, set_threads=recorder.set, read_runnable=recorder.read)
    assert [fitter.fit() for _ in range(3)] == [2, 2, 2]
    assert recorder.calls == []  # nothing changed: torch is not called
    fitted = [fitter.fit() for _ in range(WINDOW)]
    assert fitted[-1] == 1  # two busy neighbours in every reading of the window: one thread
    assert fitted[:-1] == [2] * (WINDOW - 1)  # until then the idle readings still count
    assert recorder.calls == [1]
    assert fitter.fit() == 2  # the host is idle again: back at once
    assert recorder.calls == [1, 2]


def test_the_servers_own_front_process_is_not_a_neighbour():
    recorder = Recorder([2] * (2 * WINDOW))  # the worker and its front, at every reading
    fitter = ThreadFitter(most=2, cores=2, set_threads=recorder.set, read_runnable=recorder.read)
    assert {fitter.fit() for _ in range(2 * WINDOW)} == {2}
    assert recorder.calls == []


def test_a_process_runnable_now_and_then_does_not_take_a_thread():
    readings = [2, 3] * WINDOW  # the front and a client, around each call
    recorder = Recorder(readings)
    fitter = ThreadFitter(most=4, cores=4, set_threads=recorder.set, read_runnable=recorder.read)
    assert {fitter.fit() for _ in readings} == {4}
    assert recorder.calls == []


def test_threads_never_exceed_the_workers_share_nor_fall_below_one():
    fitter = ThreadFitter(most=2, cores=8, set_threads=lambda threads: None, read_runnable=lambda: 1)
    assert fitter.fit() == 2  # one worker of four on eight cores keeps its two
    crowded = ThreadFitter(most=4, cores=4, set_threads=lambda threads: None, read_runnable=lambda: 40)
    assert [crowded.fit() for _ in range(WINDOW)][-1] == 1
    unknown = ThreadFitter(most=3, cores=3, set_threads=lambda threads: None, read_runnable=lambda: None)
    assert unknown.fit() == 3  # no reading: the worker's share


def test_a_small_call_runs_on_one_thread():
    recorder = Recorder([1, 1])
    fitter = ThreadFitter(most=2, cores=2, set_threads=recorder.set, read_runnable=recorder.read)
    assert fitter.fit(small=True) == 1
    assert fitter.fit(small=False) == 2
    assert recorder.calls == [1, 2]


def test_the_users_threads_turn_fitting_off(monkeypatch):
    pytest.importorskip("torch")
    assert fitter_for(most=2, cores=2, user_threads=2) is None
    assert fitter_for(most=1, cores=2, user_threads=None) is None  # nothing to fit
    assert isinstance(fitter_for(most=2, cores=2, user_threads=None), ThreadFitter)
    monkeypatch.delitem(sys.modules, "torch")
    assert fitter_for(most=2, cores=2, user_threads=None) is None  # user code without torch
