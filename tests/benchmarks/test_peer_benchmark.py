"""benchmarks/peer_aws_toolkit.py end to end without the peer: our server alone (``--only ours``)
on a tiny model; the conditions chosen; and what the benchmark and scripts/setup-peer say when the
peer or java is missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import peer_aws_toolkit
import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_our_server_alone_is_measured_and_stopped_clean(tiny_models, tmp_path):
    out = tmp_path / "results.json"
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "peer_aws_toolkit.py"),
        *("--only", "ours", "--idle", "--task", "sentence-embeddings", "--seconds", "1"),
        *("--requests", "10", "--clients", "4", "--sentences", "12", "--json", str(out)),
        *("--model-dir", str(tiny_models["sentence-embeddings"])),
    ]
    # The test harness's OMP_NUM_THREADS=1 is in this environment: the benchmark withholds it.
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    stdout = finished.stdout
    assert finished.returncode == 0, finished.stderr[-3000:]
    data = json.loads(out.read_text())
    assert list(data) == ["idle"]
    condition = data["idle"]
    assert condition["busy_processes"] == 0
    (measured,) = condition["results"]
    assert (measured["server"], measured["task"], measured["failure"]) == (
        "sagemaker-hf",
        "sentence-embeddings",
        None,
    )
    assert 0 < measured["ping_seconds"] <= measured["cold_start_seconds"]
    assert measured["sequential_requests"] >= 1 and measured["sequential_p50_ms"] > 0
    assert measured["load_requests"] > 0 and measured["load_errors"] == 0
    assert measured["load_requests_per_second"] > 0 and measured["load_p99_ms"] >= measured["load_p50_ms"]
    assert measured["peak_rss_bytes"] > 50 * 1024 * 1024  # a front and a worker with torch
    assert measured["cpu_ms_per_request"] > 0
    assert measured["stop_clean"] is True and measured["stop_seconds"] < 20
    assert condition["verdicts"] == [] and condition["agreements"] == {}  # no peer, no targets
    ceiling = condition["model_alone"]["sentence-embeddings"]  # the same task model, no HTTP
    assert ceiling["per_second"] > 0 and ceiling["cpu_ms"] > 0 and "thread" in ceiling["best"]
    assert (
        "BOUND sentence-embeddings: the model alone, in-process, batches of 32, no HTTP: at best " in stdout
    )
    assert "### idle: 0 busy process(es); 1-minute load average" in stdout
    assert "| sagemaker-hf | sentence-embeddings | " in stdout
    assert "PASS" not in stdout and "FAIL" not in stdout


@pytest.mark.parametrize(
    ("flags", "conditions"),
    [([], ["idle", "contention"]), (["--idle"], ["idle"]), (["--contention"], ["contention"])],
)
def test_both_conditions_by_default_and_one_per_core_busy_under_contention(flags, conditions):
    assert peer_aws_toolkit.chosen_conditions(peer_aws_toolkit.parse(flags)) == conditions
    assert peer_aws_toolkit.busy_process_count("contention") == len(os.sched_getaffinity(0))
    assert peer_aws_toolkit.busy_process_count("idle") == 0


def test_without_the_peer_the_benchmark_says_how_to_install_it(tmp_path, capsys):
    assert peer_aws_toolkit.main(["--idle", "--peer-python", str(tmp_path / "missing" / "python")]) == 2
    error = capsys.readouterr().err
    assert "the peer is not installed" in error and "scripts/setup-peer" in error and "--only ours" in error


def test_setup_peer_without_java_says_so_and_stops(tmp_path):
    tools = tmp_path / "bin"  # what the script needs before its java check, and no java
    tools.mkdir()
    (tools / "dirname").symlink_to("/usr/bin/dirname")
    finished = subprocess.run(
        ["/bin/bash", str(ROOT / "scripts" / "setup-peer")],
        capture_output=True,
        text=True,
        env={"PATH": str(tools)},
        timeout=30,
    )
    assert finished.returncode == 1
    assert "no java on PATH" in finished.stderr and "multi-model-server" in finished.stderr
    assert finished.stdout == ""  # nothing was installed
