"""The endpoint configs as SDK v2 sent them (issue 15.1, 15.2), checked on what moto holds."""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_hf import AsyncInferenceConfig, DataCaptureConfig, HuggingFaceModel
from sagemaker_hf.errors import ConfigurationError
from tests.sdk.conftest import HUB_ENV, VERSIONS

BUCKET = "sagemaker-us-east-1-123456789012"
SUCCESS_TOPIC = "arn:aws:sns:us-east-1:123456789012:async-success"
ERROR_TOPIC = "arn:aws:sns:us-east-1:123456789012:async-error"


def _deployed_config(session: Any, role: str, **deploy_arguments: Any) -> dict[str, Any]:
    model = HuggingFaceModel(role=role, env=HUB_ENV, sagemaker_session=session, **VERSIONS)
    predictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge", **deploy_arguments)
    client = session.sagemaker_client
    endpoint = client.describe_endpoint(EndpointName=predictor.endpoint_name)
    return client.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])


def test_async_notification_config_takes_the_apis_list_of_topics(moto_session, moto_role_arn):
    notification = {
        "SuccessTopic": SUCCESS_TOPIC,
        "ErrorTopic": ERROR_TOPIC,
        "IncludeInferenceResponseIn": ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"],
    }
    config = _deployed_config(
        moto_session,
        moto_role_arn,
        endpoint_name="notified",
        async_inference_config=AsyncInferenceConfig(notification_config=notification),
    )
    assert config["AsyncInferenceConfig"]["OutputConfig"] == {
        "S3OutputPath": f"s3://{BUCKET}/async-endpoint-outputs/notified",
        "S3FailurePath": f"s3://{BUCKET}/async-endpoint-failures/notified",
        "NotificationConfig": notification,
    }


@pytest.mark.parametrize(
    ("notification", "expected"),
    [
        (
            {"SuccessTopic": SUCCESS_TOPIC, "IncludeInferenceResponseIn": "SUCCESS_NOTIFICATION_TOPIC"},
            r"notification_config\['IncludeInferenceResponseIn'\]: got str .* the API takes a list",
        ),
        (
            {"IncludeInferenceResponseIn": ["SUCCESS"]},
            "'SUCCESS' is not accepted; use one of SUCCESS_NOTIFICATION_TOPIC, ERROR_NOTIFICATION_TOPIC",
        ),
        ({"SuccessTopic": "my-topic"}, r"'my-topic' does not match the API's pattern arn:aws"),
        (
            {"SuccesTopic": SUCCESS_TOPIC},
            "unknown keys \\(SuccesTopic\\); the API takes SuccessTopic, ErrorTopic",
        ),
    ],
)
def test_notification_config_is_checked_against_the_api_model(notification, expected):
    with pytest.raises(ConfigurationError, match=expected):
        AsyncInferenceConfig(notification_config=notification)


def test_data_capture_sends_v2s_content_type_defaults(moto_session, moto_role_arn):
    config = _deployed_config(
        moto_session, moto_role_arn, data_capture_config=DataCaptureConfig(enable_capture=True)
    )
    assert config["DataCaptureConfig"] == {
        "EnableCapture": True,
        "InitialSamplingPercentage": 20,
        "DestinationS3Uri": f"s3://{BUCKET}/model-monitor/data-capture",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {
            "CsvContentTypes": ["text/csv"],
            "JsonContentTypes": ["application/json"],
        },
    }


def test_data_capture_defaults_read_back_as_in_v2():
    # v2 filled the attributes at construction, and treated an empty list as "the default".
    config = DataCaptureConfig(True, csv_content_types=[], json_content_types=["application/jsonlines"])
    assert config.capture_options == ["REQUEST", "RESPONSE"]
    assert config.sampling_percentage == 20
    assert config.csv_content_types == ["text/csv"]
    assert config.json_content_types == ["application/jsonlines"]
    request = config.with_default_destination("s3://b/capture").to_request()
    assert request["CaptureContentTypeHeader"] == {
        "CsvContentTypes": ["text/csv"],
        "JsonContentTypes": ["application/jsonlines"],
    }
