"""deploy() variants against a real moto server: what the server holds afterwards."""

from __future__ import annotations

import io
import tarfile
from typing import Any

import pytest

from sagemaker_hf import (
    AsyncInferenceConfig,
    AsyncPredictor,
    DataCaptureConfig,
    HuggingFaceModel,
    HuggingFacePredictor,
    ServerlessInferenceConfig,
)
from tests.sdk.conftest import (
    CPU_IMAGE,
    GPU_IMAGE,
    HUB_ENV,
    VERSIONS,
    s3_bytes,
    tar_members,
    write_inference_script,
    write_model_dir,
)

BUCKET = "sagemaker-us-east-1-123456789012"


def _model(session: Any, role: str, **arguments: Any) -> HuggingFaceModel:
    return HuggingFaceModel(role=role, sagemaker_session=session, **VERSIONS, **arguments)


def _upload_model_tar(session: Any, tmp_path: Any, key: str) -> str:
    archive = tmp_path / "upload.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(write_model_dir(tmp_path / "s3-model").iterdir()):
            tar.add(path, arcname=path.name)
    session.s3_client.create_bucket(Bucket="models")
    session.s3_client.upload_file(str(archive), "models", key)
    return f"s3://models/{key}"


def _describe_all(session: Any, predictor: Any) -> tuple[dict, dict, dict]:
    client = session.sagemaker_client
    endpoint = client.describe_endpoint(EndpointName=predictor.endpoint_name)
    config = client.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    model = client.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    return model, config, endpoint


def test_hub_model_on_cpu(moto_session, moto_role_arn):
    predictor = _model(moto_session, moto_role_arn, env=HUB_ENV).deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge"
    )

    assert isinstance(predictor, HuggingFacePredictor)
    model, config, endpoint = _describe_all(moto_session, predictor)
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointConfigName"] == predictor.endpoint_name
    assert model["ModelName"].startswith("huggingface-pytorch-inference-")
    assert predictor.endpoint_name.startswith("huggingface-pytorch-inference-")
    assert predictor.endpoint_name != model["ModelName"]
    assert model["ExecutionRoleArn"] == moto_role_arn
    container = model["PrimaryContainer"]
    assert container["Image"] == CPU_IMAGE
    assert "ModelDataUrl" not in container
    assert container["Environment"] == {
        **HUB_ENV,
        "SAGEMAKER_PROGRAM": "",
        "SAGEMAKER_SUBMIT_DIRECTORY": "",
        "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
        "SAGEMAKER_REGION": "us-east-1",
    }
    variant = config["ProductionVariants"][0]
    assert variant["InstanceType"] == "ml.m5.xlarge"
    assert variant["InitialInstanceCount"] == 1
    assert variant["VariantName"] == "AllTraffic"
    # Nothing needed uploading, so no bucket was made.
    assert moto_session.s3_client.list_buckets()["Buckets"] == []


def test_gpu_instance_selects_gpu_image(moto_session, moto_role_arn):
    predictor = _model(moto_session, moto_role_arn, env=HUB_ENV).deploy(
        initial_instance_count=2, instance_type="ml.g4dn.xlarge"
    )
    model, config, _ = _describe_all(moto_session, predictor)
    assert model["PrimaryContainer"]["Image"] == GPU_IMAGE
    assert config["ProductionVariants"][0]["InitialInstanceCount"] == 2


def test_model_data_from_s3_is_used_as_is(moto_session, moto_role_arn, tmp_path):
    uri = _upload_model_tar(moto_session, tmp_path, "my-bert-model/model.tar.gz")
    predictor = _model(moto_session, moto_role_arn, model_data=uri).deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge"
    )
    model, _, _ = _describe_all(moto_session, predictor)
    assert model["PrimaryContainer"]["ModelDataUrl"] == uri
    assert [b["Name"] for b in moto_session.s3_client.list_buckets()["Buckets"]] == ["models"]


def test_local_directory_is_packed_and_uploaded(moto_session, moto_role_arn, tmp_path):
    model_dir = write_model_dir(tmp_path / "my-model")
    (model_dir / ".git").mkdir()
    (model_dir / ".git" / "HEAD").write_text("ref: main")
    predictor = _model(moto_session, moto_role_arn, model_data=str(model_dir)).deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge"
    )
    model, _, _ = _describe_all(moto_session, predictor)
    url = model["PrimaryContainer"]["ModelDataUrl"]
    assert url == f"s3://{BUCKET}/{model['ModelName']}/model.tar.gz"
    members = tar_members(s3_bytes(moto_session, url))
    assert set(members) == {"config.json", "model.safetensors", "tokenizer.json", "vocab.txt"}
    assert members["vocab.txt"] == (model_dir / "vocab.txt").read_bytes()


def test_local_archive_is_uploaded_unchanged(moto_session, moto_role_arn, tmp_path):
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(write_model_dir(tmp_path / "m"), arcname=".")
    predictor = _model(moto_session, moto_role_arn, model_data=str(archive)).deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge"
    )
    model, _, _ = _describe_all(moto_session, predictor)
    url = model["PrimaryContainer"]["ModelDataUrl"]
    assert url == f"s3://{BUCKET}/{model['ModelName']}/model.tar.gz"
    assert s3_bytes(moto_session, url) == archive.read_bytes()


def test_entry_point_is_repacked_into_code(moto_session, moto_role_arn, tmp_path):
    uri = _upload_model_tar(moto_session, tmp_path, "trained/model.tar.gz")
    source_dir = tmp_path / "src"
    write_inference_script(source_dir)
    (source_dir / "requirements.txt").write_text("sentence-transformers\n")
    predictor = _model(
        moto_session, moto_role_arn, model_data=uri, entry_point="inference.py", source_dir=str(source_dir)
    ).deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")

    model, _, _ = _describe_all(moto_session, predictor)
    container = model["PrimaryContainer"]
    assert container["ModelDataUrl"] == f"s3://{BUCKET}/{model['ModelName']}/model.tar.gz"
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"] == "/opt/ml/model/code"
    members = tar_members(s3_bytes(moto_session, container["ModelDataUrl"]))
    assert {"config.json", "model.safetensors", "code/inference.py", "code/requirements.txt"} <= set(members)
    assert members["code/inference.py"] == (source_dir / "inference.py").read_bytes()
    # The original archive is left alone.
    assert "code/inference.py" not in tar_members(s3_bytes(moto_session, uri))


def test_entry_point_with_dependencies_and_local_dir(moto_session, moto_role_arn, tmp_path):
    script = write_inference_script(tmp_path / "scripts")
    helper = tmp_path / "helpers.py"
    helper.write_text("VALUE = 1\n")
    predictor = _model(
        moto_session,
        moto_role_arn,
        model_data=str(write_model_dir(tmp_path / "model")),
        entry_point=str(script),
        dependencies=[str(helper)],
    ).deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    model, _, _ = _describe_all(moto_session, predictor)
    members = tar_members(s3_bytes(moto_session, model["PrimaryContainer"]["ModelDataUrl"]))
    assert {"config.json", "code/inference.py", "code/lib/helpers.py"} <= set(members)


def test_hub_model_with_entry_point_gets_code_only_archive(moto_session, moto_role_arn, tmp_path):
    script = write_inference_script(tmp_path)
    predictor = _model(moto_session, moto_role_arn, env=HUB_ENV, entry_point=str(script)).deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge"
    )
    model, _, _ = _describe_all(moto_session, predictor)
    container = model["PrimaryContainer"]
    assert container["Environment"]["HF_MODEL_ID"] == HUB_ENV["HF_MODEL_ID"]
    assert container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"] == "/opt/ml/model/code"
    members = tar_members(s3_bytes(moto_session, container["ModelDataUrl"]))
    assert set(members) == {"code/inference.py"}


def test_user_set_program_and_submit_directory_are_respected(moto_session, moto_role_arn, tmp_path):
    env = {**HUB_ENV, "SAGEMAKER_PROGRAM": "serve.py", "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/custom"}
    predictor = _model(moto_session, moto_role_arn, env=env, model_server_workers=2).deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge"
    )
    model, _, _ = _describe_all(moto_session, predictor)
    environment = model["PrimaryContainer"]["Environment"]
    assert environment["SAGEMAKER_PROGRAM"] == "serve.py"
    assert environment["SAGEMAKER_SUBMIT_DIRECTORY"] == "/opt/ml/custom"
    assert environment["SAGEMAKER_MODEL_SERVER_WORKERS"] == "2"


def test_serverless(moto_session, moto_role_arn):
    config = ServerlessInferenceConfig(memory_size_in_mb=4096, max_concurrency=10)
    predictor = _model(moto_session, moto_role_arn, env=HUB_ENV).deploy(serverless_inference_config=config)
    model, endpoint_config, _ = _describe_all(moto_session, predictor)
    variant = endpoint_config["ProductionVariants"][0]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 4096, "MaxConcurrency": 10}
    assert "InstanceType" not in variant
    assert "-cpu-" in model["PrimaryContainer"]["Image"]


def test_async_endpoint_defaults_and_predictor(moto_session, moto_role_arn):
    predictor = _model(moto_session, moto_role_arn, env=HUB_ENV).deploy(
        initial_instance_count=1,
        instance_type="ml.m5.xlarge",
        async_inference_config=AsyncInferenceConfig(max_concurrent_invocations_per_instance=4),
    )
    assert isinstance(predictor, AsyncPredictor)
    _, config, _ = _describe_all(moto_session, predictor)
    name = predictor.endpoint_name
    assert config["AsyncInferenceConfig"] == {
        "OutputConfig": {
            "S3OutputPath": f"s3://{BUCKET}/async-endpoint-outputs/{name}",
            "S3FailurePath": f"s3://{BUCKET}/async-endpoint-failures/{name}",
        },
        "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4},
    }
    # The default bucket was created for those locations.
    assert BUCKET in [b["Name"] for b in moto_session.s3_client.list_buckets()["Buckets"]]


def test_data_capture(moto_session, moto_role_arn):
    capture = DataCaptureConfig(
        enable_capture=True, sampling_percentage=50, json_content_types=["application/json"]
    )
    predictor = _model(moto_session, moto_role_arn, env=HUB_ENV).deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge", data_capture_config=capture, kms_key="key-1"
    )
    _, config, _ = _describe_all(moto_session, predictor)
    assert config["DataCaptureConfig"] == {
        "EnableCapture": True,
        "InitialSamplingPercentage": 50,
        "DestinationS3Uri": f"s3://{BUCKET}/model-monitor/data-capture",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {
            "CsvContentTypes": ["text/csv"],
            "JsonContentTypes": ["application/json"],
        },
    }
    assert config["KmsKeyId"] == "key-1"


def test_custom_image_needs_no_versions_and_names_follow_it(moto_session, moto_role_arn):
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my_custom.repo:latest"
    model = HuggingFaceModel(role=moto_role_arn, image_uri=image, env=HUB_ENV, sagemaker_session=moto_session)
    predictor = model.deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge", endpoint_name="my-endpoint"
    )
    described, _, _ = _describe_all(moto_session, predictor)
    assert described["PrimaryContainer"]["Image"] == image
    assert described["ModelName"].startswith("my-custom-repo-")
    assert predictor.endpoint_name == "my-endpoint"


def test_role_name_is_expanded_and_tags_dict_accepted(moto_session, moto_role_arn):
    model = _model(moto_session, "SageMakerExecutionRole", env=HUB_ENV, name="named-model")
    predictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge", tags={"team": "nlp"})
    described, _, _ = _describe_all(moto_session, predictor)
    assert described["ExecutionRoleArn"] == moto_role_arn
    assert described["ModelName"] == "named-model"
    assert predictor.endpoint_name.startswith("named-model-")
    tags = moto_session.sagemaker_client.list_tags(ResourceArn=described["ModelArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "nlp"}]


def test_wait_false_returns_without_polling(moto_session, moto_role_arn, requests_log):
    predictor = _model(moto_session, moto_role_arn, env=HUB_ENV).deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge", wait=False
    )
    assert "DescribeEndpoint" not in requests_log.operations()
    assert requests_log.operations()[-1] == "CreateEndpoint"
    assert predictor.endpoint_name


def test_delete_model(moto_session, moto_role_arn):
    model = _model(moto_session, moto_role_arn, env=HUB_ENV)
    model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    model.delete_model()
    assert moto_session.sagemaker_client.list_models()["Models"] == []


def test_code_location_is_honoured(moto_session, moto_role_arn, tmp_path):
    moto_session.s3_client.create_bucket(Bucket="code-bucket")
    script = write_inference_script(tmp_path)
    model = _model(
        moto_session,
        moto_role_arn,
        env=HUB_ENV,
        entry_point=str(script),
        code_location="s3://code-bucket/prefix",
    )
    predictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    described, _, _ = _describe_all(moto_session, predictor)
    assert (
        described["PrimaryContainer"]["ModelDataUrl"] == f"s3://code-bucket/prefix/{model.name}/model.tar.gz"
    )


@pytest.mark.parametrize("suffix", [".tar.gz"])
def test_repacked_archive_is_extracted_safely(moto_session, moto_role_arn, tmp_path, suffix):
    from sagemaker_hf.errors import UnsafeArchiveError

    payload = b"owned"
    info = tarfile.TarInfo("../escape.txt")
    info.size = len(payload)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.addfile(info, io.BytesIO(payload))
    archive = tmp_path / f"evil{suffix}"
    archive.write_bytes(buffer.getvalue())
    script = write_inference_script(tmp_path / "code")
    model = _model(moto_session, moto_role_arn, model_data=str(archive), entry_point=str(script))
    with pytest.raises(UnsafeArchiveError):
        model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    assert not (tmp_path.parent / "escape.txt").exists()
    assert moto_session.sagemaker_client.list_models()["Models"] == []
