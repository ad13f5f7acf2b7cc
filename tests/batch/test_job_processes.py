"""A local job and the Python process that runs it: a script that ends, a stop from another
process, and a process killed mid-job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from sagemaker_hf.local import processes
from sagemaker_hf.local.batch.jobs import TransformJobRecord
from tests.batch.conftest import ECHO_CODE, output_lines, write_jsonl

START_JOB = """
    import sys
    from sagemaker_hf import HuggingFaceModel

    code_dir, data, output, name = sys.argv[1:5]
    versions = {"transformers_version": "4.49", "pytorch_version": "2.6", "py_version": "py312"}
    model = HuggingFaceModel(entry_point="inference.py", source_dir=code_dir, **versions)
    transformer = model.transformer(1, "local", strategy="SingleRecord", assemble_with="Line",
                                    output_path=output)
    transformer.transform(data, content_type="application/jsonlines", split_type="Line", job_name=name,
                          wait=False)
    print("started", flush=True)
"""


def _start(tmp_path: Path, data: Path, name: str) -> subprocess.Popen:
    code_dir = tmp_path / "code"
    code_dir.mkdir(exist_ok=True)
    (code_dir / "inference.py").write_text(textwrap.dedent(ECHO_CODE))
    script = tmp_path / "start_job.py"
    script.write_text(textwrap.dedent(START_JOB))
    command = [sys.executable, str(script), str(code_dir), str(data), str(tmp_path / "out"), name]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy()
    )


def _describe_until(client: Any, name: str, done: Any, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            job = client.describe_transform_job(TransformJobName=name)
        except ClientError:  # the script has not created it yet
            job = {"TransformJobStatus": "(not created yet)"}
        if done(job):
            return job
        assert time.monotonic() < deadline, (
            f"waited {timeout} s; last: {job['TransformJobStatus']} {job.get('Progress')}"
        )
        time.sleep(0.1)


def _server_processes_end(client: Any, name: str) -> bool:
    """Whether every process of the job's model server (front and workers) ends within 30 s."""
    work_dir = client.registry.load(TransformJobRecord, name).work_dir
    home = client.settings.home
    return processes.wait_until(lambda: work_dir not in processes.marked_processes(home).values(), timeout=30)


def _transforming(job: dict[str, Any]) -> bool:
    return job.get("Progress", {}).get("RecordsDone", 0) > 0


def test_a_script_that_ends_lets_its_job_finish(batch_session, tmp_path):
    data = write_jsonl(tmp_path / "small.jsonl", 200)
    script = _start(tmp_path, data, "ends-early")
    stdout, stderr = script.communicate(timeout=180)  # the interpreter waits for the job's thread
    assert script.returncode == 0 and stdout.strip() == "started", stderr
    job = batch_session.sagemaker_client.describe_transform_job(TransformJobName="ends-early")
    assert job["TransformJobStatus"] == "Completed"
    assert len(output_lines(tmp_path / "out" / "small.jsonl.out")) == 200


def test_another_process_stops_a_running_job(batch_session, tmp_path):
    data = write_jsonl(tmp_path / "large.jsonl", 50_000)
    script = _start(tmp_path, data, "stopped-elsewhere")
    client = batch_session.sagemaker_client
    try:
        _describe_until(client, "stopped-elsewhere", _transforming)
        client.stop_transform_job(TransformJobName="stopped-elsewhere")
        job = _describe_until(
            client, "stopped-elsewhere", lambda job: job["TransformJobStatus"] != "Stopping"
        )
        assert job["TransformJobStatus"] == "Stopped" and job["Progress"]["RecordsDone"] < 50_000
        assert script.wait(timeout=60) == 0
    finally:
        script.kill()
    assert _server_processes_end(client, "stopped-elsewhere")
    assert not (tmp_path / "out" / "large.jsonl.out").exists()  # an unfinished file is not an output
    # What was transformed before the stop is kept, and the job says which records those are.
    job = client.describe_transform_job(TransformJobName="stopped-elsewhere")
    partial = tmp_path / "out" / "large.jsonl.out.partial"
    [state] = job["Progress"]["Objects"]
    count = state["RecordsDone"]
    assert (state["Name"], state["Status"], state["Output"]) == ("large.jsonl", "Partial", str(partial))
    assert 0 < count < 50_000 and "FailureReason" not in job
    assert f"large.jsonl: its first {count:,} records were transformed" in job["Progress"]["Interrupted"]
    lines = output_lines(partial)
    assert len(lines) == count and json.loads(lines[-1])["echo"]["id"] == count - 1


def test_a_killed_process_fails_its_job_and_its_server_is_stopped(batch_session, tmp_path):
    data = write_jsonl(tmp_path / "large.jsonl", 50_000)
    script = _start(tmp_path, data, "owner-killed")
    client = batch_session.sagemaker_client
    try:
        _describe_until(client, "owner-killed", _transforming)
        server = client.registry.load(TransformJobRecord, "owner-killed").server
        assert server is not None and processes.is_running(server.pid, server.identity)
    finally:
        os.kill(script.pid, signal.SIGKILL)
        script.wait(timeout=30)
    job = client.describe_transform_job(TransformJobName="owner-killed")
    assert job["TransformJobStatus"] == "Failed"
    assert f"the Python process (pid {script.pid}) that ran this local job ended" in job["FailureReason"]
    # Nothing could publish the unfinished output: the job names the local file and its count.
    [state] = job["Progress"]["Objects"]
    local_file, count = Path(state["Output"]), state["RecordsDone"]
    assert state["Status"] == "InProgress" and count > 0 and local_file.name == "large.jsonl.out"
    assert (
        f"its first {count:,} records were transformed; their outputs are in {local_file}"
        in (job["FailureReason"])
    )
    # The file holds at least those records (it was flushed before the count was written).
    first = local_file.read_bytes().split(b"\n")[:count]
    assert [json.loads(line)["echo"]["id"] for line in first] == list(range(count))
    assert not processes.is_running(server.pid, server.identity)
    assert _server_processes_end(client, "owner-killed")
