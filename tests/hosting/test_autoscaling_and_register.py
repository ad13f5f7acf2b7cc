"""Autoscaling (notebook 13's recipe) and model packages, against moto."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.hosting.autoscaling import disable_autoscaling, enable_autoscaling
from tests.sdk.conftest import CPU_IMAGE, HUB_ENV, VERSIONS, write_inference_script


def _deploy(session, role):
    model = HuggingFaceModel(role=role, env=HUB_ENV, sagemaker_session=session, **VERSIONS)
    return model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")


def test_enable_autoscaling_from_the_predictor(moto_session, moto_role_arn):
    predictor = _deploy(moto_session, moto_role_arn)
    policy_arn = predictor.enable_autoscaling(max_capacity=4, target_invocations_per_instance=10)

    client = moto_session.autoscaling_client
    resource_id = f"endpoint/{predictor.endpoint_name}/variant/AllTraffic"
    [target] = client.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert target["ResourceId"] == resource_id
    assert target["ScalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)
    [policy] = client.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    assert policy["PolicyARN"] == policy_arn
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert policy["TargetTrackingScalingPolicyConfiguration"] == {
        "TargetValue": 10.0,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
        "ScaleInCooldown": 300,
        "ScaleOutCooldown": 60,
    }


def test_autoscaling_by_endpoint_name_and_disable(moto_session, moto_role_arn):
    predictor = _deploy(moto_session, moto_role_arn)
    enable_autoscaling(
        predictor.endpoint_name,
        min_capacity=2,
        max_capacity=8,
        target_invocations_per_instance=70.5,
        scale_in_cooldown=600,
        session=moto_session,
        policy_name="my-policy",
    )
    client = moto_session.autoscaling_client
    [policy] = client.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    assert policy["PolicyName"] == "my-policy"
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 70.5
    disable_autoscaling(predictor, policy_name="my-policy")
    assert client.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"] == []
    assert client.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []


def test_autoscaling_bounds_are_checked_first(requests_log, moto_session):
    with pytest.raises(ValidationError, match="max_capacity=1 is below min_capacity=3"):
        enable_autoscaling(
            "ep", min_capacity=3, max_capacity=1, target_invocations_per_instance=5, session=moto_session
        )
    with pytest.raises(ValidationError, match="target_invocations_per_instance"):
        enable_autoscaling("ep", max_capacity=2, target_invocations_per_instance=0, session=moto_session)
    assert requests_log.sent == []


def test_register_model_package(moto_session, moto_role_arn, tmp_path):
    model = HuggingFaceModel(
        role=moto_role_arn,
        env=HUB_ENV,
        entry_point=str(write_inference_script(tmp_path)),
        sagemaker_session=moto_session,
        **VERSIONS,
    )
    arn = model.register(
        content_types=["application/json"],
        response_types=["application/json"],
        inference_instances=["ml.m5.xlarge"],
        transform_instances=["ml.m5.xlarge"],
        model_package_name="qa-model",
        approval_status="Approved",
        description="question answering",
    )
    described = moto_session.sagemaker_client.describe_model_package(ModelPackageName=arn)
    assert described["ModelPackageName"] == "qa-model"
    assert described["ModelApprovalStatus"] == "Approved"
    specification = described["InferenceSpecification"]
    [container] = specification["Containers"]
    assert container["Image"] == CPU_IMAGE
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert container["ModelDataUrl"].endswith(f"/{model.name}/model.tar.gz")
    assert specification["SupportedRealtimeInferenceInstanceTypes"] == ["ml.m5.xlarge"]
