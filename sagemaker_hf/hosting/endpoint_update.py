"""``Predictor.update_endpoint()``: a new endpoint config made from the current one, then UpdateEndpoint.

As SDK v2: the new config copies the current one (variants, KMS key, data capture, async
settings, tags) and replaces what the caller gives; its name is the current config's
base with a new timestamp.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

from sagemaker_hf._validation.api_shapes import check_structure
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.names import base_from_name, name_from_base, normalize_tags

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VariantChange:
    """update_endpoint()'s variant arguments: all None keeps the current variants."""

    initial_instance_count: int | None = None
    instance_type: str | None = None
    accelerator_type: str | None = None
    model_name: str | None = None
    max_instance_count: int | None = None
    min_instance_count: int | None = None

    def requested(self) -> bool:
        return any((self.initial_instance_count, self.instance_type, self.accelerator_type, self.model_name))

    def variant(self, current_models: list[str]) -> dict[str, Any]:
        """The one production variant that replaces the current ones (SDK v2's rules)."""
        if self.accelerator_type:
            raise ConfigurationError(
                f"accelerator_type={self.accelerator_type!r}: Elastic Inference accelerators have been "
                "retired by AWS; drop accelerator_type and pick a GPU instance_type instead."
            )
        if self.instance_type is None or self.initial_instance_count is None:
            raise ConfigurationError(
                "Missing initial_instance_count and/or instance_type. Provided values: "
                f"initial_instance_count={self.initial_instance_count}, instance_type={self.instance_type}, "
                f"model_name={self.model_name}. Pass both to change the instances."
            )
        model_name = self.model_name
        if model_name is None:
            if len(current_models) != 1:
                raise ConfigurationError(
                    "Unable to choose a default model for a new EndpointConfig because the endpoint has "
                    f"multiple models: {', '.join(current_models)}. Pass model_name=."
                )
            model_name = current_models[0]
        variant: dict[str, Any] = {
            "VariantName": "AllTraffic",
            "ModelName": model_name,
            "InitialVariantWeight": 1,
            "InitialInstanceCount": self.initial_instance_count,
            "InstanceType": self.instance_type,
        }
        scaling = {
            key: value
            for key, value in (
                ("MaxInstanceCount", self.max_instance_count),
                ("MinInstanceCount", self.min_instance_count),
            )
            if value
        }
        if scaling:
            variant["ManagedInstanceScaling"] = scaling
        return variant


def _current_tags(client: Any, config_arn: str) -> list[dict[str, str]] | None:
    """The current config's tags, to carry over; None where they cannot be listed (local mode)."""
    from botocore.exceptions import ClientError

    try:
        return client.list_tags(ResourceArn=config_arn).get("Tags") or None
    except ClientError as error:
        logger.info("Not copying the endpoint config's tags: %s", error)
        return None


def update_endpoint(
    session: Any,
    endpoint_name: str,
    change: VariantChange,
    tags: dict[str, str] | list[dict[str, str]] | None,
    kms_key: str | None,
    data_capture_config_dict: dict[str, Any] | None,
    wait: bool,
) -> list[str] | None:
    """Create the new endpoint config and switch the endpoint to it.

    Returns the model names of the new variant when they changed, else None.
    """
    from sagemaker_hf.hosting.endpoint_request import check_endpoint_to_update, wait_for_endpoint

    client = session.sagemaker_client
    check_endpoint_to_update(client, endpoint_name)
    if data_capture_config_dict is not None:
        data_capture_config_dict = check_structure(
            "data_capture_config_dict", data_capture_config_dict, "DataCaptureConfig"
        )
    current_name = client.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"]
    current = client.describe_endpoint_config(EndpointConfigName=current_name)
    variants = copy.deepcopy(current["ProductionVariants"])
    new_models = None
    if change.requested():
        variants = [change.variant([variant["ModelName"] for variant in variants if "ModelName" in variant])]
        new_models = [variants[0]["ModelName"]]
    request: dict[str, Any] = {
        "EndpointConfigName": name_from_base(base_from_name(current_name)),
        "ProductionVariants": variants,
    }
    kept = {
        "KmsKeyId": kms_key or current.get("KmsKeyId"),
        "DataCaptureConfig": data_capture_config_dict or current.get("DataCaptureConfig"),
        "AsyncInferenceConfig": current.get("AsyncInferenceConfig"),
        "ExplainerConfig": current.get("ExplainerConfig"),
        "Tags": normalize_tags(tags) or _current_tags(client, current["EndpointConfigArn"]),
    }
    request.update({key: value for key, value in kept.items() if value})
    client.create_endpoint_config(**request)
    client.update_endpoint(EndpointName=endpoint_name, EndpointConfigName=request["EndpointConfigName"])
    if wait:
        wait_for_endpoint(client, endpoint_name)
    return new_models
