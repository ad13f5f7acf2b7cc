"""Worker and thread defaults (issue 18): what the settings compute per core and GPU count,
that the user's values win, and that a real worker runs with them (its log line, and what
torch's OpenMP runtime itself reports when asked with OMP_DISPLAY_ENV)."""

from __future__ import annotations

import re

import pytest

from sagemaker_hf.toolkit import settings as settings_module
from sagemaker_hf.toolkit.errors import SettingsError
from sagemaker_hf.toolkit.settings import default_threads, load_settings, usable_cores
from tests.fixtures.toolkit_server import running_server


@pytest.mark.parametrize(
    ("cores", "workers", "threads"),
    [(1, 1, 1), (2, 1, 2), (4, 1, 4), (8, 1, 8), (8, 2, 4), (16, 4, 4), (2, 2, 1), (4, 8, 1), (6, 4, 1)],
)
def test_default_threads_share_the_cores_out_among_the_workers(cores, workers, threads):
    assert default_threads(cores, workers) == threads


def _fake_gpus(monkeypatch, tmp_path, count: int) -> None:
    # The driver's folder as the NVIDIA driver lays it out: one entry per GPU.
    for index in range(count):
        (tmp_path / f"0000:0{index}:00.0").mkdir()
    monkeypatch.setattr(settings_module, "_NVIDIA_GPUS", tmp_path)


@pytest.mark.parametrize("gpus", [0, 1, 4])
def test_one_worker_per_gpu_and_one_on_cpu(monkeypatch, tmp_path, gpus):
    _fake_gpus(monkeypatch, tmp_path, gpus)
    settings = load_settings({})
    assert settings.workers == max(1, gpus)
    assert settings.threads_per_worker == default_threads(usable_cores(), max(1, gpus))


def test_the_worker_environment_defaults_to_passive_waiting_and_the_default_threads():
    environment = load_settings({}).worker_environment()
    assert environment == {
        "OMP_NUM_THREADS": str(default_threads(usable_cores(), 1)),
        "OMP_WAIT_POLICY": "PASSIVE",
    }


def test_the_users_threads_workers_and_wait_policy_win():
    settings = load_settings(
        {"OMP_NUM_THREADS": "3", "SAGEMAKER_MODEL_SERVER_WORKERS": "2", "OMP_WAIT_POLICY": "active"}
    )
    assert (settings.workers, settings.threads_per_worker) == (2, 3)
    assert settings.worker_environment() == {"OMP_NUM_THREADS": "3", "OMP_WAIT_POLICY": "ACTIVE"}


def test_user_workers_share_the_cores():
    settings = load_settings({"SAGEMAKER_MODEL_SERVER_WORKERS": "2"})
    assert settings.threads_per_worker == default_threads(usable_cores(), 2)


def test_a_bad_wait_policy_names_the_variable():
    with pytest.raises(SettingsError, match="OMP_WAIT_POLICY='sometimes'"):
        load_settings({"OMP_WAIT_POLICY": "sometimes"})


READY = re.compile(
    r"worker 0 ready in [\d.]+ s \(pid \d+; user code [\d.]+ s, imports [\d.]+ s, model [\d.]+ s\): "
    r"(\d+) torch thread\(s\), (\d+) inter-op thread\(s\), (\d+) lane\(s\); "
    r"OMP_NUM_THREADS=(\d+), OMP_WAIT_POLICY=(\w+)"
)


def _ready_line(server) -> re.Match:
    line = server.wait_for_log("inter-op thread(s)")
    match = READY.search(line)
    assert match, line
    return match


@pytest.mark.slow
def test_a_worker_runs_with_the_default_threads_and_passive_waiting(tiny_models, monkeypatch):
    # The defaults only apply when the user sets nothing; the suite's own OMP_NUM_THREADS=1 goes.
    for name in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT"):
        monkeypatch.delenv(name, raising=False)
    env = {"HF_TASK": "text-classification", "OMP_DISPLAY_ENV": "VERBOSE"}
    with running_server(tiny_models["text-classification"], env=env) as server:
        threads = str(default_threads(usable_cores(), 1))
        assert _ready_line(server).groups() == (threads, "1", "1", threads, "PASSIVE")
        assert server.client.post("/invocations", json={"inputs": "fine"}).status_code == 200
        # torch's OpenMP runtime (GNU libgomp) prints what it read as it loaded: passive waiting
        # means no spinning, and the team size is the worker's thread count.
        log = server.log_text()
        assert "OMP_WAIT_POLICY = 'PASSIVE'" in log, log
        assert "GOMP_SPINCOUNT = '0'" in log, log
        assert f"OMP_NUM_THREADS = '{threads}'" in log, log


@pytest.mark.slow
def test_a_worker_runs_with_the_users_threads_and_wait_policy(tiny_models, monkeypatch):
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    env = {
        "HF_TASK": "text-classification",
        "OMP_NUM_THREADS": "2",
        "OMP_WAIT_POLICY": "active",
        "OMP_DISPLAY_ENV": "VERBOSE",
    }
    with running_server(tiny_models["text-classification"], env=env) as server:
        assert _ready_line(server).groups() == ("2", "1", "1", "2", "ACTIVE")
        assert "OMP_WAIT_POLICY = 'ACTIVE'" in server.log_text()


GC_PROBE_CODE = """
import gc

def model_fn(model_dir):
    return {"collector_on_while_loading": gc.isenabled()}

def predict_fn(data, model):
    return {**model, "collector_on_while_serving": gc.isenabled(), "frozen": gc.get_freeze_count()}
"""


@pytest.mark.slow
def test_a_worker_loads_without_the_cycle_collector_and_serves_with_it(tmp_path):
    # Cold start: the collector's passes over the imports cost 0.5-0.8 s of a 3.5 s load; it is
    # off while the model loads, then one pass, the survivors frozen, and on again to serve.
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "inference.py").write_text(GC_PROBE_CODE)
    with running_server(tmp_path) as server:
        answer = server.client.post("/invocations", json={"inputs": "x"}).json()
    assert answer["collector_on_while_loading"] is False
    assert answer["collector_on_while_serving"] is True
    assert answer["frozen"] > 1000  # the loaded libraries, skipped by every later pass
