"""A custom inference.py endpoint in local mode, and an update to new code.

entry_point + source_dir are repacked into code/ exactly as for SageMaker (the archive
goes to file://<local home>/artifacts/...), and the child serves the user's hooks.
"""

from __future__ import annotations

import contextlib
import tarfile

from botocore.exceptions import ClientError

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.local import processes
from tests.fixtures.local_mode import LOCAL_VERSIONS
from tests.local.conftest import LABELS_CODE, endpoint_record, write_code


def test_custom_inference_code_then_update_endpoint(local_home, tiny_models, tmp_path):
    model_dir = tiny_models["text-classification"]
    first = HuggingFaceModel(
        model_data=str(model_dir),
        entry_point="inference.py",
        source_dir=str(write_code(tmp_path / "v1", LABELS_CODE.format(version="v1"))),
        **LOCAL_VERSIONS,
    )
    predictor = first.deploy(initial_instance_count=1, instance_type="local")
    session = predictor.sagemaker_session
    try:
        assert predictor.predict({"inputs": "hi"}) == {
            "version": "v1",
            "labels": ["NEGATIVE", "POSITIVE"],
            "echo": {"inputs": "hi"},
        }
        container = session.sagemaker_client.describe_model(ModelName=first.name)["PrimaryContainer"]
        assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
        archive = container["ModelDataUrl"]
        assert archive == f"file://{local_home}/artifacts/{first.name}/model.tar.gz"
        with tarfile.open(archive[len("file://") :]) as tar:
            assert {"code/inference.py", "config.json"} <= set(tar.getnames())

        old = endpoint_record(session, predictor.endpoint_name).current.process
        second = HuggingFaceModel(
            model_data=str(model_dir),
            entry_point="inference.py",
            source_dir=str(write_code(tmp_path / "v2", LABELS_CODE.format(version="v2"))),
            sagemaker_session=session,
            **LOCAL_VERSIONS,
        )
        second.deploy(
            initial_instance_count=1,
            instance_type="local",
            endpoint_name=predictor.endpoint_name,
            update_endpoint=True,
        )
        described = session.sagemaker_client.describe_endpoint(EndpointName=predictor.endpoint_name)
        assert described["EndpointStatus"] == "InService"
        assert described["EndpointConfigName"] != predictor.endpoint_name
        assert predictor.predict({"inputs": "hi"})["version"] == "v2"
        assert not processes.is_running(old.pid, old.identity)
    finally:
        with contextlib.suppress(ClientError):
            predictor.delete_endpoint()
    assert processes.marked_processes(local_home) == {}
