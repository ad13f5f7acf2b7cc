"""``HuggingFaceModel.register()``: a model package in the SageMaker Model Registry.

As SDK v2: a *versioned* package goes into a group (``model_package_group_name``, created
first when missing, or by default the group named after the image's repository, e.g.
``huggingface-pytorch-inference``), and its container carries the model's environment
and ``Framework``/``FrameworkVersion``; an *unversioned* package (``model_package_name``)
needs both instance lists. Unlike v2, an unversioned package keeps the model's
environment (v2 sent only the image and model data, so ``HF_MODEL_ID``, ``HF_TASK`` and
``SAGEMAKER_PROGRAM`` were lost).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.names import base_name_from_image, name_from_base

if TYPE_CHECKING:
    from sagemaker_hf.hosting.model import HuggingFaceModel

DEFAULT_APPROVAL_STATUS = "PendingManualApproval"


@dataclass(frozen=True)
class ModelPackageSpec:
    """register()'s arguments, as given."""

    content_types: list[str] | None
    response_types: list[str] | None
    inference_instances: list[str] | None
    transform_instances: list[str] | None
    model_package_name: str | None
    model_package_group_name: str | None
    approval_status: str | None
    description: str | None
    customer_metadata_properties: dict[str, str] | None
    domain: str | None
    task: str | None
    sample_payload_url: str | None
    framework: str | None
    framework_version: str | None

    def check(self) -> None:
        if self.model_package_name and self.model_package_group_name:
            raise ConfigurationError(
                "Pass model_package_name (an unversioned package) or model_package_group_name (a new "
                "version in that group), not both."
            )
        if self.model_package_name and not (self.inference_instances and self.transform_instances):
            raise ConfigurationError(
                "inference_instances and transform_instances must be provided if model_package_group_name "
                "is not present: an unversioned package (model_package_name) needs both lists, e.g. "
                "inference_instances=['ml.m5.xlarge'], transform_instances=['ml.m5.xlarge']."
            )

    def specification(self, container: dict[str, Any]) -> dict[str, Any]:
        """``InferenceSpecification``: only the fields given."""
        optional = {
            "SupportedContentTypes": self.content_types,
            "SupportedResponseMIMETypes": self.response_types,
            "SupportedRealtimeInferenceInstanceTypes": self.inference_instances,
            "SupportedTransformInstanceTypes": self.transform_instances,
        }
        return {
            "Containers": [container],
            **{key: list(value) for key, value in optional.items() if value is not None},
        }

    def request(self, group_name: str | None, container: dict[str, Any]) -> dict[str, Any]:
        """CreateModelPackage's arguments, with v2's defaults for approval, marketplace and validation."""
        optional = {
            "ModelPackageName": self.model_package_name,
            "ModelPackageGroupName": group_name,
            "ModelPackageDescription": self.description,
            "CustomerMetadataProperties": self.customer_metadata_properties,
            "Domain": self.domain,
            "Task": self.task,
            "SamplePayloadUrl": self.sample_payload_url,
        }
        return {
            **{key: value for key, value in optional.items() if value is not None},
            "InferenceSpecification": self.specification(container),
            "CertifyForMarketplace": False,
            "ModelApprovalStatus": self.approval_status or DEFAULT_APPROVAL_STATUS,
            "SkipModelValidation": "None",
        }


def _framework_fields(model: HuggingFaceModel, spec: ModelPackageSpec) -> dict[str, str]:
    """v2's ``Framework``/``FrameworkVersion`` of a versioned package's container."""
    if model.tensorflow_version is not None:
        framework, version = "tensorflow", model.tensorflow_version
    else:
        framework, version = "pytorch", model.pytorch_version
    fields = {"Framework": (spec.framework or framework).upper()}
    if spec.framework_version or version:
        fields["FrameworkVersion"] = spec.framework_version or version or ""
    return fields


def ensure_group(client: Any, group_name: str) -> None:
    """Create the model package group unless it exists (a create race is fine: it exists then)."""
    from botocore.exceptions import ClientError

    try:
        client.describe_model_package_group(ModelPackageGroupName=group_name)
        return
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("ValidationException", "ResourceNotFound"):
            raise
    try:
        client.create_model_package_group(ModelPackageGroupName=group_name)
    except ClientError as error:
        if "already exists" not in error.response.get("Error", {}).get("Message", ""):
            raise


def register_model(model: HuggingFaceModel, spec: ModelPackageSpec, image_uri: str | None) -> str:
    """CreateModelPackage for ``model`` (and CreateModelPackageGroup when needed); returns the ARN."""
    from sagemaker_hf.session import session_for_instance_type

    spec.check()
    instance_type = (spec.inference_instances or spec.transform_instances or [None])[0]
    if image_uri:
        model.image_uri = image_uri  # as v2: the image registered is the model's from now on
    if instance_type is None and model.image_uri is None:
        raise ConfigurationError(
            "register() needs inference_instances / transform_instances (to choose the image) or image_uri."
        )
    session = session_for_instance_type(model.sagemaker_session, instance_type)
    model.sagemaker_session = session
    image = (
        model.serving_image_uri(session.boto_region_name, instance_type) if instance_type else model.image_uri
    )
    assert image is not None
    model.name = model.name or name_from_base(base_name_from_image(image))
    if spec.model_package_name and isinstance(model.model_data, dict):
        raise ConfigurationError(
            "Un-versioned SageMaker Model Package currently cannot be created with ModelDataSource "
            "(model_data as an S3DataSource dict): register into a group with model_package_group_name=."
        )
    container = model.prepare_container_def(session, image, model.name)
    group_name = spec.model_package_group_name
    if spec.model_package_name is None:
        group_name = group_name or base_name_from_image(image)
        container.update(_framework_fields(model, spec))
        if not group_name.startswith("arn:"):
            ensure_group(session.sagemaker_client, group_name)
    request = spec.request(group_name, container)
    return session.sagemaker_client.create_model_package(**request)["ModelPackageArn"]
