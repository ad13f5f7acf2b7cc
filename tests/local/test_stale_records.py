"""Records whose process is gone or whose pid now belongs to someone else (no real endpoint needed)."""

from __future__ import annotations

import os

from sagemaker_hf.local import botocore_model
from sagemaker_hf.local.registry import ChildProcess, Deployment, EndpointRecord

CONFIG = {
    "EndpointConfigName": "cfg",
    "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "local"}],
}
MODEL = {"ModelName": "m", "PrimaryContainer": {"Image": "image"}}


def _save_record(session, name: str, pid: int, identity: str | None, work_dir) -> None:
    work_dir.mkdir(parents=True)
    process = ChildProcess(
        pid=pid, identity=identity, port=1, model_dir=work_dir, log_path=work_dir / "server.log"
    )
    (work_dir / "server.log").write_text("INFO last words of the server\n")
    now = botocore_model.now()
    deployment = Deployment(
        config=CONFIG,
        model=MODEL,
        work_dir=work_dir,
        process=process,
        started=now,
        startup_timeout_seconds=600,
    )
    record = EndpointRecord(name=name, arn=f"arn:{name}", created=now, modified=now, current=deployment)
    session.sagemaker_client.registry.save(record)


def test_a_reused_pid_is_not_taken_for_the_endpoint_nor_signalled(local_session):
    # Our own pid with another start time: what a reboot or pid wrap-around leaves behind.
    work_dir = local_session.local_settings.endpoints_dir / "reused" / "cfg-1"
    _save_record(local_session, "reused", os.getpid(), "another start time", work_dir)
    client = local_session.sagemaker_client
    described = client.describe_endpoint(EndpointName="reused")
    assert described["EndpointStatus"] == "Failed"
    assert "is no longer running" in described["FailureReason"]
    assert "last words of the server" in described["FailureReason"]
    client.delete_endpoint(EndpointName="reused")  # must not signal this test process
    assert not work_dir.exists()


def test_a_failure_is_remembered(local_session):
    work_dir = local_session.local_settings.endpoints_dir / "gone" / "cfg-1"
    _save_record(local_session, "gone", 2**22 + 12345, "start", work_dir)  # beyond pid_max: never running
    client = local_session.sagemaker_client
    first = client.describe_endpoint(EndpointName="gone")["FailureReason"]
    (work_dir / "server.log").write_text("something else\n")
    assert client.describe_endpoint(EndpointName="gone")["FailureReason"] == first
    assert client.list_endpoints(StatusEquals="Failed")["Endpoints"][0]["EndpointName"] == "gone"
    client.delete_endpoint(EndpointName="gone")
