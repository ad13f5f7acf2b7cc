"""Model registry (register) and notebook 13's autoscaling calls."""

from __future__ import annotations

import boto3
from sdk import HuggingFaceModel

from tests.parity.scenario import HUB, ROLE, VERSIONS, Case, scenario

REGISTER = {
    "content_types": ["application/json"],
    "response_types": ["application/json"],
    "inference_instances": ["ml.m5.xlarge", "ml.g4dn.xlarge"],
    "transform_instances": ["ml.m5.xlarge"],
}


def trained_model(case: Case) -> HuggingFaceModel:
    return HuggingFaceModel(model_data=case.model_archive(), role=ROLE, **VERSIONS)


@scenario
def register_into_existing_group(case: Case) -> None:
    case.aws.sagemaker.package_groups["my-group"] = {"ModelPackageGroupName": "my-group"}
    trained_model(case).register(
        model_package_group_name="my-group",
        approval_status="PendingManualApproval",
        description="parity",
        customer_metadata_properties={"team": "nlp"},
        domain="NATURAL_LANGUAGE_PROCESSING",
        task="CLASSIFICATION",
        sample_payload_url="s3://bucket/payload.tar.gz",
        **REGISTER,
    )


@scenario
def register_into_new_group(case: Case) -> None:
    trained_model(case).register(model_package_group_name="new-group", **REGISTER)


@scenario
def register_unversioned_package(case: Case) -> None:
    trained_model(case).register(model_package_name="my-package", **REGISTER)


@scenario
def register_without_name_or_group(case: Case) -> None:
    trained_model(case).register(**REGISTER)


@scenario
def autoscaling_notebook_13(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    predictor = huggingface_model.deploy(initial_instance_count=1, instance_type="ml.c5.large")
    # The notebook's own boto3 calls, with the names the SDK gave the endpoint and variant.
    asg_client = boto3.client("application-autoscaling")
    resource_id = f"endpoint/{predictor.endpoint_name}/variant/AllTraffic"
    asg_client.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=1,
        MaxCapacity=4,
    )
    asg_client.put_scaling_policy(
        PolicyName=f"Request-ScalingPolicy-{predictor.endpoint_name}",
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 10.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
            },
            "ScaleInCooldown": 300,
            "ScaleOutCooldown": 60,
        },
    )
    predictor.delete_model()
    predictor.delete_endpoint()
