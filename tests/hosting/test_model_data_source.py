"""model_data as the API's S3DataSource dict (uncompressed artifacts, issue 15.19): moto and local mode."""

from __future__ import annotations

import contextlib

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.errors import ConfigurationError
from tests.fixtures.local_mode import LOCAL_VERSIONS
from tests.sdk.conftest import VERSIONS, write_inference_script

PREFIX = "s3://models/llm-finetune/"


def _source(uri: str, data_type: str = "S3Prefix", compression: str = "None") -> dict:
    return {"S3DataSource": {"S3Uri": uri, "S3DataType": data_type, "CompressionType": compression}}


def test_an_uncompressed_prefix_is_sent_as_model_data_source(moto_session, moto_role_arn):
    model = HuggingFaceModel(
        role=moto_role_arn, model_data=_source(PREFIX), sagemaker_session=moto_session, **VERSIONS
    )
    predictor = model.deploy(initial_instance_count=1, instance_type="ml.g4dn.xlarge")
    described = moto_session.sagemaker_client.describe_model(ModelName=model.name)
    container = described["PrimaryContainer"]
    assert container["ModelDataSource"] == _source(PREFIX)
    assert "ModelDataUrl" not in container
    assert moto_session.sagemaker_client.describe_endpoint(EndpointName=predictor.endpoint_name)


@pytest.mark.parametrize(
    ("model_data", "expected"),
    [
        ({"S3DataSource": {"S3Uri": PREFIX, "S3DataType": "S3Prefix"}}, "needs the keys CompressionType"),
        (_source(PREFIX, data_type="Prefix"), "'Prefix' is not accepted; use one of S3Prefix, S3Object"),
        ({"S3Uri": PREFIX}, r"unknown keys \(S3Uri\); the API takes S3DataSource"),
    ],
)
def test_a_malformed_source_is_refused_at_construction(model_data, expected):
    with pytest.raises(ConfigurationError, match=expected):
        HuggingFaceModel(role="r", model_data=model_data, **VERSIONS)


def test_code_cannot_be_packed_into_uncompressed_model_data(tmp_path):
    script = write_inference_script(tmp_path)
    with pytest.raises(ConfigurationError, match="cannot be packed into uncompressed model data"):
        HuggingFaceModel(role="r", model_data=_source(PREFIX), entry_point=str(script), **VERSIONS)


def test_a_local_folder_must_be_uploaded_for_aws(requests_log, moto_session, moto_role_arn, tmp_path):
    model = HuggingFaceModel(
        role=moto_role_arn, model_data=_source(str(tmp_path)), sagemaker_session=moto_session, **VERSIONS
    )
    with pytest.raises(
        ConfigurationError, match=r"SageMaker reads model data only from S3\. Upload the folder"
    ):
        model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    assert "CreateModel" not in requests_log.operations()


def _predict_locally(model: HuggingFaceModel) -> tuple[object, dict]:
    predictor = model.deploy(initial_instance_count=1, instance_type="local")
    try:
        client = predictor.sagemaker_session.sagemaker_client
        described = client.describe_model(ModelName=model.name)
        return predictor.predict({"inputs": "I love this movie!"}), described["PrimaryContainer"]
    finally:
        with contextlib.suppress(ClientError):
            predictor.delete_endpoint()
            predictor.delete_model()


def test_local_mode_serves_an_uncompressed_local_folder(local_home, tiny_models):
    folder = tiny_models["text-classification"]
    model = HuggingFaceModel(model_data=_source(f"file://{folder}"), **LOCAL_VERSIONS)
    prediction, container = _predict_locally(model)
    assert prediction[0]["label"] in {"NEGATIVE", "POSITIVE"}
    assert container["ModelDataSource"]["S3DataSource"]["S3Uri"] == f"file://{folder}/"


def test_local_mode_downloads_an_uncompressed_s3_prefix(local_home, tiny_models, moto_session):
    folder = tiny_models["text-classification"]
    moto_session.s3_client.create_bucket(Bucket="models")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        key = f"tiny/{path.relative_to(folder).as_posix()}"
        moto_session.s3_client.upload_file(str(path), "models", key)
    model = HuggingFaceModel(model_data=_source("s3://models/tiny/"), **LOCAL_VERSIONS)
    prediction, container = _predict_locally(model)
    assert prediction[0]["label"] in {"NEGATIVE", "POSITIVE"}
    assert container["ModelDataSource"] == _source("s3://models/tiny/")
