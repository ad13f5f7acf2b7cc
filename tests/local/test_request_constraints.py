"""Every member of every local API call is checked as SageMaker checks it (issue 16.8, 16.11):
pattern, maximum length, enum and maximum value, from botocore's own model; names are unique
case-insensitively; async outputs stay inside their output path."""

from __future__ import annotations

import contextlib
import json

import botocore.session
import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import AsyncInferenceConfig
from sagemaker_hf.local import constraints, processes
from tests.local.conftest import deploy_echo, error_code

ROLE = "arn:aws:iam::000000000000:role/local"
LONG = "n" * 300


def _model(name: str, **container: str) -> dict:
    return {"ModelName": name, "ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": "image", **container}}


def _config(name: str, model_name: str = "m", instance_type: str = "local") -> dict:
    variant = {"VariantName": "AllTraffic", "ModelName": model_name, "InstanceType": instance_type}
    return {"EndpointConfigName": name, "ProductionVariants": [variant]}


_TRANSFORM = {
    "ModelName": "m",
    "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "/tmp/in"}}},
    "TransformOutput": {"S3OutputPath": "/tmp/out"},
    "TransformResources": {"InstanceType": "local", "InstanceCount": 1},
}
_TRAINING = {
    "AlgorithmSpecification": {"TrainingInputMode": "File", "TrainingImage": "image"},
    "RoleArn": ROLE,
    "OutputDataConfig": {"S3OutputPath": "/tmp/out"},
    "ResourceConfig": {"InstanceType": "local", "InstanceCount": 1, "VolumeSizeInGB": 1},
    "StoppingCondition": {"MaxRuntimeInSeconds": 60},
}

# Every operation the local clients serve, each with a 300-character name.
SAGEMAKER_CALLS = {
    "create_model": _model(LONG),
    "describe_model": {"ModelName": LONG},
    "delete_model": {"ModelName": LONG},
    "list_models": {"NameContains": LONG},
    "create_endpoint_config": _config(LONG),
    "describe_endpoint_config": {"EndpointConfigName": LONG},
    "delete_endpoint_config": {"EndpointConfigName": LONG},
    "list_endpoint_configs": {"NameContains": LONG},
    "create_endpoint": {"EndpointName": LONG, "EndpointConfigName": "c"},
    "describe_endpoint": {"EndpointName": LONG},
    "update_endpoint": {"EndpointName": LONG, "EndpointConfigName": "c"},
    "delete_endpoint": {"EndpointName": LONG},
    "list_endpoints": {"NameContains": LONG},
    "create_transform_job": {"TransformJobName": LONG, **_TRANSFORM},
    "describe_transform_job": {"TransformJobName": LONG},
    "stop_transform_job": {"TransformJobName": LONG},
    "list_transform_jobs": {"NameContains": LONG},
    "create_training_job": {"TrainingJobName": LONG, **_TRAINING},
    "describe_training_job": {"TrainingJobName": LONG},
    "stop_training_job": {"TrainingJobName": LONG},
    "list_training_jobs": {"NameContains": LONG},
}
RUNTIME_CALLS = {
    "invoke_endpoint": {"EndpointName": LONG, "Body": b"{}"},
    "invoke_endpoint_with_response_stream": {"EndpointName": LONG, "Body": b"{}"},
    "invoke_endpoint_async": {"EndpointName": LONG, "InputLocation": "s3://bucket/in.json"},
}


@pytest.mark.parametrize("method", sorted(SAGEMAKER_CALLS))
def test_every_call_refuses_a_name_longer_than_the_api_allows(local_session, method):
    with pytest.raises(ClientError) as raised:
        getattr(local_session.sagemaker_client, method)(**SAGEMAKER_CALLS[method])
    assert error_code(raised.value) == "ValidationException"
    assert "Member must have length less than or equal to 63" in str(raised.value)
    assert not any(local_session.local_settings.home.rglob(LONG[:100] + "*"))


@pytest.mark.parametrize("method", sorted(RUNTIME_CALLS))
def test_every_runtime_call_refuses_a_name_longer_than_the_api_allows(local_session, method):
    runtime = local_session.sagemaker_runtime_client
    with pytest.raises(runtime.exceptions.ValidationError, match="length less than or equal to 63"):
        getattr(runtime, method)(**RUNTIME_CALLS[method])


def test_a_64_character_model_name_is_refused_and_63_accepted(local_session):
    client = local_session.sagemaker_client
    with pytest.raises(ClientError) as raised:
        client.create_model(**_model("m" * 64))
    assert error_code(raised.value) == "ValidationException"
    assert raised.value.response["Error"]["Message"] == (
        f"1 validation error detected: Value '{'m' * 64}' at 'modelName' failed to satisfy constraint: "
        "Member must have length less than or equal to 63"
    )
    client.create_model(**_model("m" * 63))
    client.delete_model(ModelName="m" * 63)


def test_nested_members_enums_and_unicode_patterns(local_session):
    client = local_session.sagemaker_client
    client.create_model(**_model("enum-model"))
    try:
        with pytest.raises(ClientError, match=r"productionVariants\.1\.member\.instanceType.*enum value set"):
            client.create_endpoint_config(**_config("enum-config", "enum-model", instance_type="a-laptop"))
        with pytest.raises(ClientError, match=r"tags\.1\.member\.key.*regular expression pattern"):
            client.create_model(**_model("tagged"), Tags=[{"Key": "cost#center", "Value": "x"}])
        # Unicode letters and spaces are what the tag pattern's \p{L}\p{Z} allow.
        client.create_model(**_model("tagged"), Tags=[{"Key": "équipe données", "Value": "研究"}])
        client.delete_model(ModelName="tagged")
        with pytest.raises(ClientError) as raised:
            client.create_model(**_model("secret", Environment={"HF_TOKEN": "hf_secret" + "x" * 1100}))
        message = raised.value.response["Error"]["Message"]
        assert "primaryContainer.environment.HF_TOKEN" in message and "hf_secret" not in message
    finally:
        client.delete_model(ModelName="enum-model")


def test_every_pattern_of_the_api_models_is_enforced_in_python():
    session = botocore.session.get_session()
    for service in ("sagemaker", "sagemaker-runtime"):
        model = session.get_service_model(service)
        for name in model.shape_names:
            pattern = model.shape_for(name).metadata.get("pattern")
            if pattern:
                assert constraints._compiled(pattern, True) is not None, pattern
                assert constraints._compiled(pattern, False) is not None, pattern


def test_names_are_unique_regardless_of_case(local_session):
    client = local_session.sagemaker_client
    client.create_model(**_model("CaseModel", Environment={"HF_TASK": "text-classification"}))
    client.create_endpoint_config(**_config("CaseConfig", "CaseModel"))
    try:
        with pytest.raises(ClientError, match=r'Cannot create already existing model ".*:model/casemodel"'):
            client.create_model(**_model("casemodel"))
        with pytest.raises(ClientError, match="Cannot create already existing endpoint configuration"):
            client.create_endpoint_config(**_config("CASECONFIG", "CaseModel"))
        client.create_endpoint(EndpointName="Ep1", EndpointConfigName="CaseConfig")
        with pytest.raises(ClientError) as raised:
            client.create_endpoint(EndpointName="ep1", EndpointConfigName="CaseConfig")
        assert error_code(raised.value) == "ValidationException"
        assert 'Cannot create already existing endpoint "arn:aws:sagemaker:' in str(raised.value)
        assert [item["EndpointName"] for item in client.list_endpoints(NameContains="p1")["Endpoints"]] == [
            "Ep1"
        ]
        # The case is kept, and must be matched, as InvokeEndpoint needs it on AWS.
        with pytest.raises(ClientError, match="Could not find model"):
            client.describe_model(ModelName="CASEMODEL")
    finally:
        with contextlib.suppress(ClientError):
            client.delete_endpoint(EndpointName="Ep1")
        client.delete_endpoint_config(EndpointConfigName="CaseConfig")
        client.delete_model(ModelName="CaseModel")


@pytest.fixture(scope="module")
def async_echo(local_session, tmp_path_factory):
    results = tmp_path_factory.mktemp("async-constraints")
    config = AsyncInferenceConfig(output_path=str(results / "out"), failure_path=str(results / "failed"))
    predictor = deploy_echo(local_session, results / "code", "async-echo", async_inference_config=config)
    try:
        yield predictor, results
    finally:
        with contextlib.suppress(ClientError):
            predictor.delete_endpoint()


@pytest.mark.parametrize(
    "placement",
    [
        {"Filename": "../../escaped.out"},
        {"Filename": "nested/escaped.out"},
        {"S3OutputPathExtension": "../../climbed"},
        {"S3OutputPathExtension": "sub/../../climbed"},
        {"S3OutputPathExtension": "link-out"},  # a symlink inside the output path, to a folder outside
    ],
)
def test_async_outputs_never_leave_their_output_path(async_echo, placement):
    predictor, results = async_echo
    outside = results / "elsewhere"
    outside.mkdir(exist_ok=True)
    (results / "out").mkdir(exist_ok=True)
    with contextlib.suppress(FileExistsError):
        (results / "out" / "link-out").symlink_to(outside)
    runtime = predictor.sagemaker_session.sagemaker_runtime_client
    with pytest.raises(runtime.exceptions.ValidationError) as raised:
        runtime.invoke_endpoint_async(
            EndpointName="async-echo", Body=b'{"inputs": "x"}', ContentType="application/json", **placement
        )
    assert ("regular expression pattern" in str(raised.value)) or (
        "leaves the output path" in str(raised.value)
    )
    files = {path.relative_to(results) for path in results.rglob("*") if path.is_file()}
    assert not any(path.parts[0] in ("climbed", "escaped.out", "elsewhere") for path in files), files


def test_async_output_below_the_output_path_is_written(async_echo):
    predictor, results = async_echo
    runtime = predictor.sagemaker_session.sagemaker_runtime_client
    response = runtime.invoke_endpoint_async(
        EndpointName="async-echo",
        Body=b'{"inputs": "kept"}',
        ContentType="application/json",
        S3OutputPathExtension="sub/dir",
        Filename="result.out",
    )
    expected = results / "out" / "sub" / "dir" / "result.out"
    assert response["OutputLocation"] == str(expected)
    assert processes.wait_until(expected.is_file, 60)
    assert processes.wait_until(lambda: expected.stat().st_size > 0, 10)
    assert json.loads(expected.read_text()) == {"echo": {"inputs": "kept"}}


def test_a_runtime_maximum_value_is_enforced(async_echo):
    predictor, _ = async_echo
    runtime = predictor.sagemaker_session.sagemaker_runtime_client
    with pytest.raises(runtime.exceptions.ValidationError, match="value less than or equal to 3600"):
        runtime.invoke_endpoint_async(
            EndpointName="async-echo",
            Body=b"{}",
            ContentType="application/json",
            InvocationTimeoutSeconds=4000,
        )
