"""Endpoints that cannot start: the reason (with the server's log) reaches the user, and no
process is left behind."""

from __future__ import annotations

import contextlib

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.errors import ResourceFailedError
from sagemaker_hf.local import processes
from sagemaker_hf.session import LocalSession
from tests.fixtures.local_mode import LOCAL_VERSIONS
from tests.local.conftest import endpoint_record, error_code, write_code


def _deploy_expecting_failure(model: HuggingFaceModel, endpoint_name: str) -> ResourceFailedError:
    try:
        with pytest.raises(ResourceFailedError) as raised:
            model.deploy(initial_instance_count=1, instance_type="local", endpoint_name=endpoint_name)
        return raised.value
    finally:
        session = model.sagemaker_session
        record = endpoint_record(session, endpoint_name)
        if record is not None and record.current.process is not None:
            process = record.current.process
            # Failed endpoints keep no process, even before they are deleted.
            assert not processes.is_running(process.pid, process.identity)
        with contextlib.suppress(ClientError):
            session.sagemaker_client.delete_endpoint(EndpointName=endpoint_name)


def test_a_model_that_fails_to_load(local_home, tmp_path):
    code = """
        def model_fn(model_dir):
            print("loading the weights from the moon")
            raise RuntimeError("boom: the weights are on the moon")
    """
    model = HuggingFaceModel(
        entry_point="inference.py", source_dir=str(write_code(tmp_path / "code", code)), **LOCAL_VERSIONS
    )
    error = _deploy_expecting_failure(model, "fails-to-load")
    assert error.status == "Failed"
    assert "the model did not load" in error.failure_reason
    assert "boom: the weights are on the moon" in error.failure_reason
    assert "Last lines of" in error.failure_reason and "server.log" in error.failure_reason
    assert "loading the weights from the moon" in error.failure_reason  # the log's tail itself


def test_a_model_that_never_gets_ready_hits_the_startup_deadline(local_home, tmp_path):
    code = """
        import time

        def model_fn(model_dir):
            time.sleep(600)
    """
    model = HuggingFaceModel(
        entry_point="inference.py",
        source_dir=str(write_code(tmp_path / "code", code)),
        sagemaker_session=LocalSession(local_home=local_home, startup_timeout=2),
        **LOCAL_VERSIONS,
    )
    error = _deploy_expecting_failure(model, "never-ready")
    assert "did not answer /ping with 200 within 2 s" in error.failure_reason


def test_a_corrupt_archive_fails_the_endpoint(local_home, tmp_path):
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(b"this is not a tar file")
    error = _deploy_expecting_failure(
        HuggingFaceModel(model_data=str(archive), **LOCAL_VERSIONS), "bad-archive"
    )
    assert "could not prepare the model data" in error.failure_reason


def test_missing_model_data_is_refused_at_create_model(local_session):
    with pytest.raises(
        ClientError, match=r"Could not find model data at file:///nowhere/model\.tar\.gz"
    ) as raised:
        local_session.sagemaker_client.create_model(
            ModelName="nowhere",
            ExecutionRoleArn="arn:aws:iam::000000000000:role/r",
            PrimaryContainer={"Image": "image", "ModelDataUrl": "file:///nowhere/model.tar.gz"},
        )
    assert error_code(raised.value) == "ValidationException"


def test_an_aws_instance_type_cannot_run_locally(local_session, tiny_models):
    model = HuggingFaceModel(
        model_data=str(tiny_models["text-classification"]), sagemaker_session=local_session, **LOCAL_VERSIONS
    )
    with pytest.raises(
        ClientError, match=r"InstanceType 'ml\.m5\.xlarge' cannot run locally.*instance_type='local'"
    ):
        model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
