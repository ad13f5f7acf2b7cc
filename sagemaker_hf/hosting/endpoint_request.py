"""The endpoint half of deploy(): CreateEndpointConfig's request, then CreateEndpoint or UpdateEndpoint.

``ProductionVariantConfig`` holds what one variant runs on (instances or serverless) with
deploy()'s argument names; ``endpoint_config_request()`` assembles the request;
``deploy_endpoint()`` sends it and creates or updates the endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pydantic import Field, field_validator, model_validator

from sagemaker_hf._validation.api_shapes import check_structure
from sagemaker_hf._validation.v2_config import V2Config
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.hosting.configs import AsyncInferenceConfig, DataCaptureConfig, ServerlessInferenceConfig


class ProductionVariantConfig(V2Config):
    """What one endpoint variant runs on: instances (type, count, volume), or serverless."""

    instance_type: str | None = None
    initial_instance_count: int | None = None
    serverless_inference_config: ServerlessInferenceConfig | None = None
    volume_size: int | None = Field(default=None, ge=1)
    model_data_download_timeout: int | None = Field(default=None, ge=60, le=3600)
    container_startup_health_check_timeout: int | None = Field(default=None, ge=60, le=3600)
    routing_config: dict[str, Any] | None = None
    inference_ami_version: str | None = None
    variant_name: str = "AllTraffic"

    @field_validator("routing_config")
    @classmethod
    def _routing(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if not value:
            return None
        strategy = value.get("RoutingStrategy")
        # v2 took its RoutingStrategy enum or the name in any case ("random").
        strategy = getattr(strategy, "name", strategy)
        if isinstance(strategy, str):
            value = {**value, "RoutingStrategy": strategy.upper()}
        try:
            return check_structure("routing_config", value, "ProductionVariantRoutingConfig")
        except ConfigurationError as error:
            raise ValueError(str(error)) from None

    @model_validator(mode="after")
    def _instances_or_serverless(self) -> ProductionVariantConfig:
        instance_fields = {
            "instance_type": self.instance_type,
            "initial_instance_count": self.initial_instance_count,
            "volume_size": self.volume_size,
            "model_data_download_timeout": self.model_data_download_timeout,
            "container_startup_health_check_timeout": self.container_startup_health_check_timeout,
            "routing_config": self.routing_config,
        }
        if self.serverless_inference_config is not None:
            given = [name for name, value in instance_fields.items() if value is not None]
            if given:
                raise ValueError(
                    f"Serverless endpoints have no instances or volumes; drop {', '.join(given)}."
                )
        elif not self.instance_type or not self.initial_instance_count:
            raise ValueError(
                "deploy() needs instance_type and initial_instance_count, e.g. "
                "deploy(initial_instance_count=1, instance_type='ml.m5.xlarge'), or "
                "serverless_inference_config=ServerlessInferenceConfig() for a serverless endpoint."
            )
        elif self.initial_instance_count < 1:
            raise ValueError(f"initial_instance_count={self.initial_instance_count} must be at least 1.")
        return self

    def to_request(self, model_name: str) -> dict[str, Any]:
        """One ``ProductionVariants`` entry; serverless variants carry no instance fields."""
        variant: dict[str, Any] = {
            "VariantName": self.variant_name,
            "ModelName": model_name,
            "InitialVariantWeight": 1,
        }
        if self.serverless_inference_config is not None:
            variant["ServerlessConfig"] = self.serverless_inference_config.to_request()
        else:
            optional = {
                "VolumeSizeInGB": self.volume_size,
                "ModelDataDownloadTimeoutInSeconds": self.model_data_download_timeout,
                "ContainerStartupHealthCheckTimeoutInSeconds": self.container_startup_health_check_timeout,
                "RoutingConfig": self.routing_config,
            }
            variant["InitialInstanceCount"] = self.initial_instance_count
            variant["InstanceType"] = self.instance_type
            variant.update({key: value for key, value in optional.items() if value is not None})
        if self.inference_ami_version:  # as v2: serverless variants carry it too
            variant["InferenceAmiVersion"] = self.inference_ami_version
        return variant


@dataclass(frozen=True)
class EndpointConfigs:
    """The endpoint-wide parts of CreateEndpointConfig, as deploy() was given them."""

    kms_key: str | None = None
    data_capture: DataCaptureConfig | None = None
    async_inference: AsyncInferenceConfig | None = None
    explainer: dict[str, Any] | None = None
    tags: list[dict[str, str]] | None = None

    def __post_init__(self) -> None:
        if self.explainer:
            checked = check_structure("explainer_config", self.explainer, "ExplainerConfig")
            object.__setattr__(self, "explainer", checked)

    def with_default_locations(self, session: Any, endpoint_name: str) -> EndpointConfigs:
        """Data capture and async results where SDK v2 put them when no location is given."""
        data_capture, async_inference = self.data_capture, self.async_inference
        if data_capture is not None:
            data_capture = data_capture.with_default_destination(
                session.artifact_uri("model-monitor", "data-capture")
            )
        if async_inference is not None:
            async_inference = async_inference.with_default_paths(
                session.artifact_uri("async-endpoint-outputs", endpoint_name),
                session.artifact_uri("async-endpoint-failures", endpoint_name),
            )
        return replace(self, data_capture=data_capture, async_inference=async_inference)


def endpoint_config_request(
    endpoint_config_name: str, production_variant: dict[str, Any], configs: EndpointConfigs
) -> dict[str, Any]:
    """CreateEndpointConfig arguments; the configs must already carry their S3 locations."""
    request: dict[str, Any] = {
        "EndpointConfigName": endpoint_config_name,
        "ProductionVariants": [production_variant],
    }
    if configs.kms_key:
        request["KmsKeyId"] = configs.kms_key
    if configs.data_capture is not None:
        request["DataCaptureConfig"] = configs.data_capture.to_request()
    if configs.async_inference is not None:
        request["AsyncInferenceConfig"] = configs.async_inference.to_request()
    if configs.explainer:
        request["ExplainerConfig"] = configs.explainer
    if configs.tags:
        request["Tags"] = configs.tags
    return request


def check_endpoint_kind(
    serverless: ServerlessInferenceConfig | None, async_config: AsyncInferenceConfig | None
) -> None:
    """An endpoint is real-time, serverless or asynchronous: never two of them."""
    if serverless is not None and async_config is not None:
        raise ConfigurationError("An endpoint is serverless or asynchronous, not both; drop one config.")


def endpoint_exists(client: Any, endpoint_name: str) -> bool:
    """DescribeEndpoint finds it; "Could not find" is the one error that means it does not exist."""
    from botocore.exceptions import ClientError

    try:
        client.describe_endpoint(EndpointName=endpoint_name)
    except ClientError as error:
        details = error.response.get("Error", {})
        if details.get("Code") == "ValidationException" and "Could not find" in details.get("Message", ""):
            return False
        raise
    return True


def check_endpoint_to_update(client: Any, endpoint_name: str | None) -> None:
    """Before anything is created: the endpoint to update must exist (SDK v2's check and message)."""
    if not endpoint_name:
        raise ConfigurationError("update_endpoint=True needs endpoint_name= (the endpoint to update).")
    if not endpoint_exists(client, endpoint_name):
        raise ConfigurationError(
            f"Endpoint with name '{endpoint_name}' does not exist; please use an existing endpoint name "
            "(or deploy without update_endpoint=True to create it)."
        )


def deploy_endpoint(
    session: Any,
    endpoint_name: str,
    production_variant: dict[str, Any],
    configs: EndpointConfigs,
    update: bool,
) -> None:
    """CreateEndpointConfig, then CreateEndpoint, or UpdateEndpoint onto the new config.

    An update gets a config of its own, named after the model as SDK v2 names it: the endpoint's
    current config stays until the update is done.
    """
    client = session.sagemaker_client
    config_name = production_variant["ModelName"] if update else endpoint_name
    configs = configs.with_default_locations(session, endpoint_name)
    client.create_endpoint_config(**endpoint_config_request(config_name, production_variant, configs))
    if update:
        client.update_endpoint(EndpointName=endpoint_name, EndpointConfigName=config_name)
        return
    request: dict[str, Any] = {"EndpointName": endpoint_name, "EndpointConfigName": config_name}
    if configs.tags:
        request["Tags"] = configs.tags
    client.create_endpoint(**request)


def wait_for_endpoint(client: Any, endpoint_name: str) -> None:
    """Poll DescribeEndpoint until the endpoint settles; a failed one raises with its FailureReason."""
    from sagemaker_hf.waiting import ENDPOINT, ENDPOINT_BACKOFF, wait_for_resource

    wait_for_resource(
        lambda: client.describe_endpoint(EndpointName=endpoint_name),
        ENDPOINT,
        endpoint_name,
        backoff=ENDPOINT_BACKOFF,
    )
