"""register(): model packages and their groups as SDK v2 created them (issue 15.5), on moto."""

from __future__ import annotations

import pytest

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.errors import ConfigurationError
from tests.sdk.conftest import CPU_IMAGE, HUB_ENV, VERSIONS

MODEL_DATA = "s3://models/classifier/model.tar.gz"


def _model(session, role, **arguments):
    return HuggingFaceModel(
        role=role, model_data=MODEL_DATA, env=HUB_ENV, sagemaker_session=session, **VERSIONS, **arguments
    )


def test_register_into_a_missing_group_creates_the_group_first(requests_log, moto_session, moto_role_arn):
    client = moto_session.sagemaker_client
    model = _model(moto_session, moto_role_arn)
    arn = model.register(
        ["application/json"],
        ["application/json"],
        ["ml.m5.xlarge"],
        ["ml.m5.xlarge"],
        model_package_group_name="new-group",
    )
    assert requests_log.operations()[-2:] == ["CreateModelPackageGroup", "CreateModelPackage"]
    assert client.describe_model_package_group(ModelPackageGroupName="new-group")["ModelPackageGroupName"]
    described = client.describe_model_package(ModelPackageName=arn)
    assert described["ModelPackageGroupName"] == "new-group"
    assert described["ModelApprovalStatus"] == "PendingManualApproval"  # v2's default
    [container] = described["InferenceSpecification"]["Containers"]
    assert container["Image"] == CPU_IMAGE
    assert container["ModelDataUrl"] == MODEL_DATA
    assert container["Environment"]["HF_TASK"] == HUB_ENV["HF_TASK"]
    assert model.image_uri == CPU_IMAGE  # as v2: the registered image

    # A second version goes into the same group, which is not created again.
    requests_log.calls.clear()
    second = _model(moto_session, moto_role_arn).register(
        ["application/json"], ["application/json"], ["ml.m5.xlarge"], model_package_group_name="new-group"
    )
    assert "CreateModelPackageGroup" not in requests_log.operations()
    assert client.describe_model_package(ModelPackageName=second)["ModelPackageVersion"] == 2


def test_register_without_name_or_group_uses_v2s_default_group(moto_session, moto_role_arn):
    arn = _model(moto_session, moto_role_arn).register(
        content_types=["application/json"],
        response_types=["application/json"],
        inference_instances=["ml.m5.xlarge"],
    )
    client = moto_session.sagemaker_client
    # v2: base_name_from_image(image_uri), the image's repository.
    group = client.describe_model_package_group(ModelPackageGroupName="huggingface-pytorch-inference")
    assert group["ModelPackageGroupName"] == "huggingface-pytorch-inference"
    assert client.describe_model_package(ModelPackageName=arn)["ModelPackageGroupName"] == (
        "huggingface-pytorch-inference"
    )


def test_a_versioned_package_carries_v2s_framework_fields(requests_log, moto_session, moto_role_arn):
    _model(moto_session, moto_role_arn).register(
        ["application/json"], ["application/json"], ["ml.m5.xlarge"], model_package_group_name="g"
    )
    request = requests_log.one("CreateModelPackage")
    assert (request["CertifyForMarketplace"], request["SkipModelValidation"]) == (
        False,
        "None",
    )  # v2's defaults
    [container] = request["InferenceSpecification"]["Containers"]
    assert container["Framework"] == "PYTORCH"
    assert container["FrameworkVersion"] == VERSIONS["pytorch_version"]


def test_an_unversioned_package_needs_both_instance_lists(requests_log, moto_session, moto_role_arn):
    with pytest.raises(ValueError, match="inference_instances and transform_instances must be provided"):
        _model(moto_session, moto_role_arn).register(
            ["application/json"], ["application/json"], ["ml.m5.xlarge"], model_package_name="pkg"
        )
    with pytest.raises(ConfigurationError, match="not both"):
        _model(moto_session, moto_role_arn).register(
            ["application/json"],
            ["application/json"],
            ["ml.m5.xlarge"],
            ["ml.m5.xlarge"],
            model_package_name="pkg",
            model_package_group_name="g",
        )
    assert requests_log.operations() == []


def test_an_unversioned_package_cannot_hold_uncompressed_model_data(
    requests_log, moto_session, moto_role_arn
):
    source = {
        "S3DataSource": {"S3Uri": "s3://models/p/", "S3DataType": "S3Prefix", "CompressionType": "None"}
    }
    model = HuggingFaceModel(
        role=moto_role_arn, model_data=source, sagemaker_session=moto_session, **VERSIONS
    )
    with pytest.raises(ValueError, match="Un-versioned SageMaker Model Package currently cannot be created"):
        model.register(["a/b"], ["a/b"], ["ml.m5.xlarge"], ["ml.m5.xlarge"], model_package_name="pkg")
    assert requests_log.operations() == []
    arn = model.register(["a/b"], ["a/b"], ["ml.m5.xlarge"], model_package_group_name="uncompressed")
    [container] = moto_session.sagemaker_client.describe_model_package(ModelPackageName=arn)[
        "InferenceSpecification"
    ]["Containers"]
    assert container["ModelDataSource"] == source
