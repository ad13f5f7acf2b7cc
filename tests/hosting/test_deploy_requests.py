"""The exact API requests deploy() sends, captured on the real clients (validation on)."""

from __future__ import annotations

from typing import Any

from sagemaker_hf import (
    AsyncInferenceConfig,
    DataCaptureConfig,
    HuggingFaceModel,
    ServerlessInferenceConfig,
)
from tests.sdk.conftest import CPU_IMAGE, HUB_ENV, VERSIONS, answer

BUCKET = "sagemaker-us-east-1-123456789012"


def _model(session: Any, role: str, **arguments: Any) -> HuggingFaceModel:
    return HuggingFaceModel(role=role, sagemaker_session=session, env=HUB_ENV, **VERSIONS, **arguments)


def test_create_model_endpoint_config_and_endpoint(requests_log, moto_session, moto_role_arn):
    model = _model(moto_session, moto_role_arn)
    predictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    name, endpoint = model.name, predictor.endpoint_name

    assert requests_log.operations() == [
        "CreateModel",
        "CreateEndpointConfig",
        "CreateEndpoint",
        "DescribeEndpoint",
    ]
    assert requests_log.one("CreateModel") == {
        "ModelName": name,
        "ExecutionRoleArn": moto_role_arn,
        "PrimaryContainer": {
            "Image": CPU_IMAGE,
            "Environment": {
                **HUB_ENV,
                "SAGEMAKER_PROGRAM": "",
                "SAGEMAKER_SUBMIT_DIRECTORY": "",
                "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
                "SAGEMAKER_REGION": "us-east-1",
            },
        },
    }
    assert requests_log.one("CreateEndpointConfig") == {
        "EndpointConfigName": endpoint,
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "ModelName": name,
                "InitialVariantWeight": 1,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
            }
        ],
    }
    assert requests_log.one("CreateEndpoint") == {"EndpointName": endpoint, "EndpointConfigName": endpoint}
    assert requests_log.one("DescribeEndpoint") == {"EndpointName": endpoint}


def test_optional_fields_only_when_set(requests_log, moto_session, moto_role_arn):
    vpc = {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"], "Ignored": "x"}
    model = _model(moto_session, moto_role_arn, vpc_config=vpc, enable_network_isolation=True)
    tags = [{"Key": "project", "Value": "demo"}]
    model.deploy(
        initial_instance_count=1,
        instance_type="ml.g4dn.xlarge",
        tags=tags,
        kms_key="kms-1",
        volume_size=30,
        model_data_download_timeout=600,
        container_startup_health_check_timeout=900,
        endpoint_name="ep",
    )
    create_model = requests_log.one("CreateModel")
    assert create_model["Tags"] == tags
    assert create_model["VpcConfig"] == {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}
    assert create_model["EnableNetworkIsolation"] is True
    config = requests_log.one("CreateEndpointConfig")
    assert config["ProductionVariants"][0] == {
        "VariantName": "AllTraffic",
        "ModelName": model.name,
        "InitialVariantWeight": 1,
        "InitialInstanceCount": 1,
        "InstanceType": "ml.g4dn.xlarge",
        "VolumeSizeInGB": 30,
        "ModelDataDownloadTimeoutInSeconds": 600,
        "ContainerStartupHealthCheckTimeoutInSeconds": 900,
    }
    assert config["KmsKeyId"] == "kms-1"
    assert config["Tags"] == tags
    assert requests_log.one("CreateEndpoint") == {
        "EndpointName": "ep",
        "EndpointConfigName": "ep",
        "Tags": tags,
    }


def test_serverless_variant_has_no_instance_fields(requests_log, moto_session, moto_role_arn):
    model = _model(moto_session, moto_role_arn)
    model.deploy(serverless_inference_config=ServerlessInferenceConfig(provisioned_concurrency=2))
    assert requests_log.one("CreateEndpointConfig")["ProductionVariants"] == [
        {
            "VariantName": "AllTraffic",
            "ModelName": model.name,
            "InitialVariantWeight": 1,
            "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5, "ProvisionedConcurrency": 2},
        }
    ]


def test_data_capture_and_async_request_shapes(requests_log, moto_session, moto_role_arn):
    capture = DataCaptureConfig(
        enable_capture=True,
        destination_s3_uri="s3://capture/here",
        kms_key_id="capture-key",
        capture_options=["request"],
        csv_content_types=["text/csv"],
    )
    async_config = AsyncInferenceConfig(
        output_path="s3://out/path",
        kms_key_id="out-key",
        notification_config={"SuccessTopic": "arn:aws:sns:us-east-1:123456789012:ok"},
    )
    _model(moto_session, moto_role_arn).deploy(
        initial_instance_count=1,
        instance_type="ml.m5.xlarge",
        endpoint_name="async-ep",
        data_capture_config=capture,
        async_inference_config=async_config,
    )
    config = requests_log.one("CreateEndpointConfig")
    assert config["DataCaptureConfig"] == {
        "EnableCapture": True,
        "InitialSamplingPercentage": 20,
        "DestinationS3Uri": "s3://capture/here",
        "KmsKeyId": "capture-key",
        "CaptureOptions": [{"CaptureMode": "Input"}],
        "CaptureContentTypeHeader": {
            "CsvContentTypes": ["text/csv"],
            "JsonContentTypes": ["application/json"],  # SDK v2's default, sent as v2 did
        },
    }
    assert config["AsyncInferenceConfig"] == {
        "OutputConfig": {
            "S3OutputPath": "s3://out/path",
            "S3FailurePath": f"s3://{BUCKET}/async-endpoint-failures/async-ep",
            "NotificationConfig": {"SuccessTopic": "arn:aws:sns:us-east-1:123456789012:ok"},
            "KmsKeyId": "out-key",
        }
    }


def test_update_endpoint_creates_new_config_and_updates(requests_log, moto_session, moto_role_arn):
    first = _model(moto_session, moto_role_arn).deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    client = moto_session.sagemaker_client
    # moto has no UpdateEndpoint: this one client answers it itself; the rest goes to moto.
    answer(client, "UpdateEndpoint", {"EndpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/x"})
    model = _model(moto_session, moto_role_arn)
    model.deploy(
        initial_instance_count=2,
        instance_type="ml.g4dn.xlarge",
        endpoint_name=first.endpoint_name,
        update_endpoint=True,
        wait=False,
    )
    update = requests_log.one("UpdateEndpoint")
    assert update["EndpointName"] == first.endpoint_name
    new_config = update["EndpointConfigName"]
    assert new_config != first.endpoint_name
    assert new_config.startswith("huggingface-pytorch-inference-")
    assert len(new_config) <= 63
    described = client.describe_endpoint_config(EndpointConfigName=new_config)
    assert described["ProductionVariants"][0]["InstanceType"] == "ml.g4dn.xlarge"
    assert described["ProductionVariants"][0]["ModelName"] == model.name
    assert requests_log.operations().count("CreateEndpoint") == 1


def test_existing_model_is_reused(requests_log, moto_session, moto_role_arn):
    from botocore.exceptions import ClientError

    client = moto_session.sagemaker_client

    def refuse(params: dict[str, Any], **_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ValidationException", "Message": "Cannot create already existing model x"}},
            "CreateModel",
        )

    model = _model(moto_session, moto_role_arn, name="already-there")
    client.create_model(
        ModelName="already-there", ExecutionRoleArn=moto_role_arn, PrimaryContainer={"Image": CPU_IMAGE}
    )
    client.meta.events.register("before-call.sagemaker.CreateModel", refuse)
    predictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    endpoint = client.describe_endpoint(EndpointName=predictor.endpoint_name)
    assert endpoint["EndpointStatus"] == "InService"
    config = client.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    assert config["ProductionVariants"][0]["ModelName"] == "already-there"
