"""One unreadable registry record breaks nothing else (issue 16.10).

Records are broken on disk as a crash or another version would leave them: truncated JSON,
or a field this version does not know. Each is reported by name, everything else keeps
working, and ``local rm`` removes it and stops its processes (found through the pid file
beside the record, or the processes' markers).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf.local import processes
from sagemaker_hf.local.registry import EndpointRecord
from tests.local.conftest import deploy_echo, endpoint_record, error_code, local_cli, wait_in_service

# The top-level fields of an endpoint record, as issue 17 promises them (the format is unchanged).
RECORD_FIELDS = {
    "name",
    "arn",
    "created",
    "modified",
    "tags",
    "current",
    "pending",
    "failure",
    "update_failure",
}


def _record_path(home: Path, name: str) -> Path:
    return home / "registry" / "endpoints" / f"{name}.json"


def _truncate(path: Path) -> None:
    text = path.read_text()
    path.write_text(text[: len(text) // 2])


def _from_another_version(path: Path) -> None:
    data = json.loads(path.read_text())
    data["field_of_a_later_version"] = {"x": 1}
    path.write_text(json.dumps(data))


@pytest.fixture
def three_endpoints(local_session, tmp_path):
    names = ("good", "truncated", "newer")
    for name in names:
        deploy_echo(local_session, tmp_path / "code", name, wait=False)
    for name in names:
        wait_in_service(local_session, name)
    processes_by_name = {name: endpoint_record(local_session, name).current.process for name in names}
    try:
        yield processes_by_name
    finally:
        for name in names:
            with contextlib.suppress(ClientError):
                local_session.sagemaker_client.delete_endpoint(EndpointName=name)


def test_bad_records_are_reported_by_name_and_rm_removes_them(local_session, local_home, three_endpoints):
    client = local_session.sagemaker_client
    good = json.loads(_record_path(local_home, "good").read_text())
    assert set(good) == RECORD_FIELDS
    _truncate(_record_path(local_home, "truncated"))
    _from_another_version(_record_path(local_home, "newer"))

    for name in ("truncated", "newer"):
        with pytest.raises(ClientError) as raised:
            client.describe_endpoint(EndpointName=name)
        assert error_code(raised.value) == "InternalFailure"
        assert f"{name}.json cannot be read" in str(raised.value)
        assert f"sagemaker-hf local rm {name}" in str(raised.value)
    assert [item["EndpointName"] for item in client.list_endpoints()["Endpoints"]] == ["good"]
    assert (
        local_session.sagemaker_runtime_client.invoke_endpoint(
            EndpointName="good", Body=b'{"inputs": 1}', ContentType="application/json"
        )["Body"].read()
        == b'{"echo":{"inputs":1}}'
    )

    listing = local_cli("ls")
    assert listing.returncode == 0, listing.stderr
    rows = {line.split()[0]: line for line in listing.stdout.splitlines() if line}
    assert rows["good"].split()[1] == "InService"
    for name in ("truncated", "newer"):
        assert rows[name].split()[1] == "Unreadable" and f"local rm {name}" in rows[name]

    # rm finds the processes of an unreadable record through the pid file beside it
    assert (local_home / "registry" / "endpoints" / "truncated.pids").is_file()
    removed = local_cli("rm", "truncated")
    assert (removed.returncode, removed.stdout.strip()) == (0, "deleted truncated"), removed.stderr
    truncated = three_endpoints["truncated"]
    assert not processes.is_running(truncated.pid, truncated.identity)
    assert not processes.group_alive(truncated.pid)
    assert not (local_home / "endpoints" / "truncated").exists()
    assert not list((local_home / "registry" / "endpoints").glob("truncated.*"))

    everything = local_cli("rm", "--all")
    assert everything.returncode == 0, everything.stderr
    assert {"deleted good", "deleted newer"} <= set(everything.stdout.splitlines())
    for process in three_endpoints.values():
        assert not processes.group_alive(process.pid)
    assert processes.marked_processes(local_home) == {}
    assert list((local_home / "registry" / "endpoints").iterdir()) == []


def test_the_pid_file_alone_finds_the_processes(local_session, local_home, tmp_path, monkeypatch):
    """Where processes carry no readable marker (not Linux), the pid file beside the record is enough."""
    deploy_echo(local_session, tmp_path / "code", "pid-file-only")
    process = endpoint_record(local_session, "pid-file-only").current.process
    _truncate(_record_path(local_home, "pid-file-only"))
    monkeypatch.setattr(processes, "marked_processes", lambda home: {})
    local_session.sagemaker_client.delete_endpoint(EndpointName="pid-file-only")
    assert not processes.group_alive(process.pid)
    assert not (local_home / "endpoints" / "pid-file-only").exists()


def test_a_record_without_a_pid_file_is_found_through_the_markers(local_session, local_home, tmp_path):
    """A record saved by a version that wrote no pid file."""
    deploy_echo(local_session, tmp_path / "code", "no-pid-file")
    process = endpoint_record(local_session, "no-pid-file").current.process
    (local_home / "registry" / "endpoints" / "no-pid-file.pids").unlink(missing_ok=True)
    _from_another_version(_record_path(local_home, "no-pid-file"))
    local_session.sagemaker_client.delete_endpoint(EndpointName="no-pid-file")
    assert not processes.group_alive(process.pid)
    assert local_session.sagemaker_client.registry.load(EndpointRecord, "no-pid-file") is None


@pytest.mark.parametrize("folder", ["transform-jobs", "training-jobs", "models", "endpoint-configs"])
def test_a_bad_record_of_any_kind_does_not_break_ls_nor_its_calls(local_session, local_home, folder):
    bad = local_home / "registry" / folder / "broken-record.json"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text('{"name": "broken-record", "arn": ')
    client = local_session.sagemaker_client
    try:
        listing = local_cli("ls")
        assert listing.returncode == 0, listing.stderr
        describe, member = {
            "transform-jobs": (client.describe_transform_job, "TransformJobName"),
            "training-jobs": (client.describe_training_job, "TrainingJobName"),
            "models": (client.describe_model, "ModelName"),
            "endpoint-configs": (client.describe_endpoint_config, "EndpointConfigName"),
        }[folder]
        with pytest.raises(ClientError) as raised:
            describe(**{member: "broken-record"})
        assert error_code(raised.value) == "InternalFailure"
        assert "broken-record.json cannot be read" in str(raised.value)
        if folder.endswith("jobs"):
            assert "broken-record" in listing.stdout and "Unreadable" in listing.stdout
            lister = client.list_transform_jobs if folder == "transform-jobs" else client.list_training_jobs
            assert next(iter(lister().values())) == []  # skipped (with a warning), not a crash
    finally:
        bad.unlink(missing_ok=True)
    if folder == "models":  # DeleteModel removes an unreadable model record
        bad.write_text("{")
        client.delete_model(ModelName="broken-record")
        assert not bad.exists()
