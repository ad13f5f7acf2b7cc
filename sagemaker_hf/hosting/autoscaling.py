"""Endpoint autoscaling: target tracking on invocations per instance (notebook 13's recipe).

Registers the endpoint variant as a scalable target with Application Auto Scaling and
attaches a ``TargetTrackingScaling`` policy on ``SageMakerVariantInvocationsPerInstance``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sagemaker_hf._validation import checked_arguments

SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
INVOCATIONS_METRIC = "SageMakerVariantInvocationsPerInstance"


class TargetTrackingPolicy(BaseModel):
    """Capacity bounds, the invocations-per-instance target, and cooldowns in seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_capacity: int = Field(default=1, ge=1)
    max_capacity: int = Field(ge=1)
    target_invocations_per_instance: float = Field(gt=0)
    scale_in_cooldown: int = Field(default=300, ge=0)
    scale_out_cooldown: int = Field(default=60, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> TargetTrackingPolicy:
        if self.max_capacity < self.min_capacity:
            raise ValueError(
                f"max_capacity={self.max_capacity} is below min_capacity={self.min_capacity}; "
                "raise max_capacity."
            )
        return self

    def scalable_target_request(self, resource_id: str) -> dict[str, Any]:
        return {
            "ServiceNamespace": "sagemaker",
            "ResourceId": resource_id,
            "ScalableDimension": SCALABLE_DIMENSION,
            "MinCapacity": self.min_capacity,
            "MaxCapacity": self.max_capacity,
        }

    def scaling_policy_request(self, resource_id: str, policy_name: str) -> dict[str, Any]:
        return {
            "PolicyName": policy_name,
            "ServiceNamespace": "sagemaker",
            "ResourceId": resource_id,
            "ScalableDimension": SCALABLE_DIMENSION,
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": float(self.target_invocations_per_instance),
                "PredefinedMetricSpecification": {"PredefinedMetricType": INVOCATIONS_METRIC},
                "ScaleInCooldown": self.scale_in_cooldown,
                "ScaleOutCooldown": self.scale_out_cooldown,
            },
        }


def resource_id(endpoint_name: str, variant_name: str = "AllTraffic") -> str:
    return f"endpoint/{endpoint_name}/variant/{variant_name}"


def _endpoint_and_session(predictor_or_endpoint_name: Any, session: Any) -> tuple[str, Any]:
    if isinstance(predictor_or_endpoint_name, str):
        from sagemaker_hf.session import Session

        return predictor_or_endpoint_name, session or Session()
    return predictor_or_endpoint_name.endpoint_name, session or predictor_or_endpoint_name.sagemaker_session


@checked_arguments("enable_autoscaling")
def enable_autoscaling(
    predictor_or_endpoint_name: Any,
    max_capacity: int,
    target_invocations_per_instance: float,
    min_capacity: int = 1,
    scale_in_cooldown: int = 300,
    scale_out_cooldown: int = 60,
    variant_name: str = "AllTraffic",
    session: Any = None,
    policy_name: str | None = None,
) -> str:
    """Scale an endpoint variant between ``min_capacity`` and ``max_capacity`` instances.

    Returns the scaling policy's ARN.
    """
    policy = TargetTrackingPolicy(
        min_capacity=min_capacity,
        max_capacity=max_capacity,
        target_invocations_per_instance=target_invocations_per_instance,
        scale_in_cooldown=scale_in_cooldown,
        scale_out_cooldown=scale_out_cooldown,
    )
    endpoint_name, session = _endpoint_and_session(predictor_or_endpoint_name, session)
    target = resource_id(endpoint_name, variant_name)
    client = session.autoscaling_client
    client.register_scalable_target(**policy.scalable_target_request(target))
    name = policy_name or f"Invocations-ScalingPolicy-{endpoint_name}"
    response = client.put_scaling_policy(**policy.scaling_policy_request(target, name))
    return response["PolicyARN"]


@checked_arguments("disable_autoscaling")
def disable_autoscaling(
    predictor_or_endpoint_name: Any,
    variant_name: str = "AllTraffic",
    session: Any = None,
    policy_name: str | None = None,
) -> None:
    """Remove the scaling policy and deregister the variant (before deleting the endpoint)."""
    endpoint_name, session = _endpoint_and_session(predictor_or_endpoint_name, session)
    target = resource_id(endpoint_name, variant_name)
    client = session.autoscaling_client
    client.delete_scaling_policy(
        PolicyName=policy_name or f"Invocations-ScalingPolicy-{endpoint_name}",
        ServiceNamespace="sagemaker",
        ResourceId=target,
        ScalableDimension=SCALABLE_DIMENSION,
    )
    client.deregister_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=target, ScalableDimension=SCALABLE_DIMENSION
    )
