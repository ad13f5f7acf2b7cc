"""Failure paths: clear errors, raised before anything reaches the server when they can be."""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_hf import (
    AsyncInferenceConfig,
    DataCaptureConfig,
    HuggingFaceModel,
    ServerlessInferenceConfig,
)
from sagemaker_hf.errors import ConfigurationError, ResourceFailedError, UnsupportedValueError
from tests.sdk.conftest import HUB_ENV, VERSIONS, answer, write_inference_script


def _nothing_reached_the_server(requests_log: Any, session: Any) -> None:
    sent_before = list(requests_log.sent)
    assert sent_before == [], f"requests were sent: {sent_before}"
    client = session.sagemaker_client
    assert client.list_models()["Models"] == []
    assert client.list_endpoint_configs()["EndpointConfigs"] == []
    assert client.list_endpoints()["Endpoints"] == []


def test_failed_endpoint_surfaces_failure_reason(moto_session, moto_role_arn):
    reason = "The primary container for production variant AllTraffic did not pass the ping health check."
    answer(
        moto_session.sagemaker_client,
        "DescribeEndpoint",
        {
            "EndpointName": "ep",
            "EndpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/ep",
            "EndpointConfigName": "ep",
            "EndpointStatus": "Failed",
            "FailureReason": reason,
            "CreationTime": 0,
            "LastModifiedTime": 0,
        },
    )
    model = HuggingFaceModel(role=moto_role_arn, env=HUB_ENV, sagemaker_session=moto_session, **VERSIONS)
    with pytest.raises(ResourceFailedError) as raised:
        model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge", endpoint_name="ep")
    assert raised.value.failure_reason == reason
    assert raised.value.status == "Failed"
    assert reason in str(raised.value)
    assert "ep" in str(raised.value)


def test_missing_role_says_how_to_pass_one(requests_log, moto_session):
    model = HuggingFaceModel(env=HUB_ENV, sagemaker_session=moto_session, **VERSIONS)
    with pytest.raises(ConfigurationError, match="Role can not be null for deploying a model") as raised:
        model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    assert "role='arn:aws:iam::" in str(raised.value)
    assert "get_execution_role()" in str(raised.value)
    _nothing_reached_the_server(requests_log, moto_session)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: ServerlessInferenceConfig(memory_size_in_mb=1000), "memory_size_in_mb=1000"),
        (lambda: ServerlessInferenceConfig(max_concurrency=0), "max_concurrency=0"),
        (
            lambda: ServerlessInferenceConfig(max_concurrency=2, provisioned_concurrency=3),
            "provisioned_concurrency=3",
        ),
        (lambda: DataCaptureConfig(enable_capture=True, sampling_percentage=150), "sampling_percentage=150"),
        (lambda: DataCaptureConfig(enable_capture=True, capture_options=["BOTH"]), "capture_options"),
        (
            lambda: AsyncInferenceConfig(max_concurrent_invocations_per_instance=0),
            "greater than or equal to 1",
        ),
        (lambda: AsyncInferenceConfig(notification_config={"Topic": "x"}), "SuccessTopic"),
    ],
)
def test_bad_configs_are_rejected_at_construction(requests_log, moto_session, build, expected):
    with pytest.raises(ConfigurationError) as raised:
        build()
    assert isinstance(raised.value, ValueError)
    assert "validation error" not in str(raised.value)  # one readable line, not pydantic's report
    assert expected in str(raised.value)
    _nothing_reached_the_server(requests_log, moto_session)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({**VERSIONS, "py_version": "py2"}, "py_version='py2' is not supported"),
        ({"py_version": "py2", "image_uri": "my/image:1"}, "py_version='py2' is not supported"),
        ({"pytorch_version": "1.13", "py_version": "py39"}, "needs transformers_version"),
        ({"transformers_version": "4.26", "pytorch_version": "1.13"}, "needs py_version"),
        ({"transformers_version": "4.26", "py_version": "py39"}, "neither of pytorch_version"),
        ({**VERSIONS, "tensorflow_version": "2.5"}, "both of pytorch_version"),
        ({**VERSIONS, "env": {"HF_BATCH": 4}}, "must be strings"),
        ({**VERSIONS, "model_data": "https://example.com/model.tar.gz"}, "neither an s3:// URI"),
        ({**VERSIONS, "model_data": "/no/such/dir"}, "neither an s3:// URI"),
        ({**VERSIONS, "entry_point": "/no/such/inference.py"}, "is not a file"),
        ({**VERSIONS, "source_dir": "."}, "need entry_point"),
        ({**VERSIONS, "vpc_config": {"Subnets": ["s"]}}, "SecurityGroupIds"),
    ],
)
def test_bad_model_arguments_are_rejected_at_construction(requests_log, moto_session, arguments, expected):
    with pytest.raises(ConfigurationError, match=expected):
        HuggingFaceModel(role="r", sagemaker_session=moto_session, **arguments)
    _nothing_reached_the_server(requests_log, moto_session)


def test_entry_point_must_be_inside_source_dir(tmp_path):
    write_inference_script(tmp_path / "src")
    with pytest.raises(ConfigurationError, match="not a file inside source_dir"):
        HuggingFaceModel(role="r", entry_point="serve.py", source_dir=str(tmp_path / "src"), **VERSIONS)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({}, "needs instance_type and initial_instance_count"),
        ({"instance_type": "ml.m5.xlarge"}, "needs instance_type and initial_instance_count"),
        ({"instance_type": "ml.m5.xlarge", "initial_instance_count": -1}, "must be at least 1"),
        (
            {"serverless_inference_config": ServerlessInferenceConfig(), "instance_type": "ml.m5.xlarge"},
            "drop instance_type",
        ),
        (
            {
                "serverless_inference_config": ServerlessInferenceConfig(),
                "async_inference_config": AsyncInferenceConfig(),
            },
            "serverless or asynchronous",
        ),
        (
            {"initial_instance_count": 1, "instance_type": "ml.m5.xlarge", "data_capture_config": {"x": 1}},
            "data_capture_config=...\\): got dict .* expected DataCaptureConfig or None",
        ),
        (
            {"initial_instance_count": 1, "instance_type": "ml.m5.xlarge", "update_endpoint": True},
            "needs endpoint_name",
        ),
        (
            {"initial_instance_count": 1, "instance_type": "ml.m5.xlarge", "model_data_download_timeout": 5},
            "model_data_download_timeout",
        ),
        (
            {"initial_instance_count": 1, "instance_type": "ml.m5.xlarge", "tags": [{"Name": "x"}]},
            "is not a tag",
        ),
    ],
)
def test_bad_deploy_arguments_fail_before_any_call(
    requests_log, moto_session, moto_role_arn, arguments, expected
):
    requests_log.sent.clear()
    model = HuggingFaceModel(role=moto_role_arn, env=HUB_ENV, sagemaker_session=moto_session, **VERSIONS)
    with pytest.raises(ConfigurationError, match=expected):
        model.deploy(**arguments)
    _nothing_reached_the_server(requests_log, moto_session)


def test_unknown_version_fails_before_any_call(requests_log, moto_session, moto_role_arn):
    requests_log.sent.clear()
    model = HuggingFaceModel(
        role=moto_role_arn,
        env=HUB_ENV,
        sagemaker_session=moto_session,
        transformers_version="4.99",
        pytorch_version="1.13",
        py_version="py39",
    )
    with pytest.raises(UnsupportedValueError, match=r"4\.99"):
        model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    _nothing_reached_the_server(requests_log, moto_session)


def test_unknown_role_name_is_a_clear_error(moto_session):
    from sagemaker_hf.errors import RoleNotFoundError

    model = HuggingFaceModel(role="NoSuchRole", env=HUB_ENV, sagemaker_session=moto_session, **VERSIONS)
    with pytest.raises(RoleNotFoundError, match="'NoSuchRole' does not exist"):
        model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    assert moto_session.sagemaker_client.list_models()["Models"] == []


def test_moto_rejects_an_unknown_instance_type_with_its_own_error(moto_session, moto_role_arn):
    from botocore.exceptions import ClientError

    model = HuggingFaceModel(role=moto_role_arn, env=HUB_ENV, sagemaker_session=moto_session, **VERSIONS)
    with pytest.raises(ClientError) as raised:
        model.deploy(initial_instance_count=1, instance_type="ml.g5.xlarge")
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_delete_model_before_deploy_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="not been created yet"):
        HuggingFaceModel(role="r", image_uri="my/image:1").delete_model()
