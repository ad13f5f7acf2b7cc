"""Config models: v2 parameter names in, exact API shapes out."""

from __future__ import annotations

import pytest

from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.hosting.configs import AsyncInferenceConfig, DataCaptureConfig, ServerlessInferenceConfig
from sagemaker_hf.hosting.endpoint_request import ProductionVariantConfig


@pytest.mark.parametrize("memory", [1024, 2048, 3072, 4096, 5120, 6144])
def test_serverless_memory_sizes(memory):
    assert ServerlessInferenceConfig(memory_size_in_mb=memory).to_request() == {
        "MemorySizeInMB": memory,
        "MaxConcurrency": 5,
    }


@pytest.mark.parametrize("memory", [512, 1000, 1536, 7168])
def test_serverless_rejects_other_memory_sizes(memory):
    with pytest.raises(ValueError, match=f"memory_size_in_mb={memory} is not offered") as raised:
        ServerlessInferenceConfig(memory_size_in_mb=memory)
    assert "1024, 2048, 3072, 4096, 5120, 6144" in str(raised.value)


def test_serverless_concurrency_bounds():
    assert ServerlessInferenceConfig(max_concurrency=200, provisioned_concurrency=200).to_request() == {
        "MemorySizeInMB": 2048,
        "MaxConcurrency": 200,
        "ProvisionedConcurrency": 200,
    }
    with pytest.raises(ValueError, match="max_concurrency=201"):
        ServerlessInferenceConfig(max_concurrency=201)


def test_configs_reject_unknown_arguments():
    with pytest.raises(ValueError, match="memory_size"):
        ServerlessInferenceConfig(memory_size=2048)


def test_async_config_needs_paths_before_request():
    config = AsyncInferenceConfig()
    with pytest.raises(ConfigurationError, match="no output_path"):
        config.to_request()
    filled = config.with_default_paths("s3://b/out", "s3://b/fail")
    assert filled.to_request() == {
        "OutputConfig": {"S3OutputPath": "s3://b/out", "S3FailurePath": "s3://b/fail"}
    }
    custom = AsyncInferenceConfig(output_path="s3://mine/out", failure_path="s3://mine/fail")
    assert custom.with_default_paths("s3://b/out", "s3://b/fail").to_request()["OutputConfig"] == {
        "S3OutputPath": "s3://mine/out",
        "S3FailurePath": "s3://mine/fail",
    }


def test_data_capture_defaults_and_shape():
    config = DataCaptureConfig(enable_capture=False, sagemaker_session=object())
    assert config.with_default_destination("s3://b/model-monitor/data-capture").to_request() == {
        "EnableCapture": False,
        "InitialSamplingPercentage": 20,
        "DestinationS3Uri": "s3://b/model-monitor/data-capture",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        # SDK v2's default; without it SageMaker base64-encodes captured JSON.
        "CaptureContentTypeHeader": {
            "CsvContentTypes": ["text/csv"],
            "JsonContentTypes": ["application/json"],
        },
    }
    with pytest.raises(ConfigurationError, match="no destination_s3_uri"):
        config.to_request()


def test_production_variant_request_shapes():
    instance = ProductionVariantConfig(instance_type="ml.m5.xlarge", initial_instance_count=1)
    assert instance.to_request("m") == {
        "VariantName": "AllTraffic",
        "ModelName": "m",
        "InitialVariantWeight": 1,
        "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.xlarge",
    }
    serverless = ProductionVariantConfig(serverless_inference_config=ServerlessInferenceConfig())
    assert serverless.to_request("m") == {
        "VariantName": "AllTraffic",
        "ModelName": "m",
        "InitialVariantWeight": 1,
        "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
    }


def test_configs_take_sdk_v2_positional_arguments():
    assert DataCaptureConfig(True, 50).sampling_percentage == 50
    assert ServerlessInferenceConfig(4096, 10).to_request() == {"MemorySizeInMB": 4096, "MaxConcurrency": 10}
    assert AsyncInferenceConfig("s3://bucket/out").output_path == "s3://bucket/out"
    with pytest.raises(TypeError, match="multiple values for argument 'enable_capture'"):
        DataCaptureConfig(True, enable_capture=False)
    with pytest.raises(TypeError, match="at most 3 positional arguments"):
        ServerlessInferenceConfig(2048, 5, None, "extra")
