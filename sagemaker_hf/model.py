"""HuggingFaceModel: SDK v2's constructor and ``deploy()``, on boto3, with v2's defects fixed.

``deploy()`` flows straight down: check every argument, resolve the image, pack what must
be packed, then CreateModel, CreateEndpointConfig, CreateEndpoint (or UpdateEndpoint),
wait, and return a predictor. Request shapes are built here, next to the calls.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sagemaker_hf import image_uris, storage
from sagemaker_hf.artifacts import (
    CONTAINER_CODE_DIR,
    MODEL_ARCHIVE_NAME,
    CodeSpec,
    check_model_data,
    prepare_model_data,
)
from sagemaker_hf.configs import (
    AsyncInferenceConfig,
    DataCaptureConfig,
    ProductionVariantConfig,
    ServerlessInferenceConfig,
    check_endpoint_configs,
    configuration_error,
    endpoint_config_request,
    vpc_config_request,
)
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.names import base_from_name, base_name_from_image, name_from_base, normalize_tags
from sagemaker_hf.serializers import BaseDeserializer, BaseSerializer

logger = logging.getLogger(__name__)

_EXISTING_MODEL_MESSAGE = "Cannot create already existing model"


def _check_env(env: dict[str, str] | None) -> dict[str, str]:
    env = dict(env or {})
    for key, value in env.items():
        if not isinstance(value, str):
            raise ConfigurationError(
                f"env[{key!r}]={value!r} is a {type(value).__name__}; container environment values must be "
                f"strings, e.g. env={{{key!r}: {str(value)!r}}}."
            )
    return env


class HuggingFaceModel:
    """A Hugging Face model for SageMaker hosting (SDK v2's ``sagemaker.huggingface.HuggingFaceModel``)."""

    def __init__(
        self,
        role: str | None = None,
        model_data: str | Path | None = None,
        entry_point: str | None = None,
        transformers_version: str | None = None,
        tensorflow_version: str | None = None,
        pytorch_version: str | None = None,
        py_version: str | None = None,
        image_uri: str | None = None,
        *,
        source_dir: str | None = None,
        dependencies: list[str] | None = None,
        env: dict[str, str] | None = None,
        name: str | None = None,
        model_server_workers: int | None = None,
        vpc_config: dict[str, Any] | None = None,
        enable_network_isolation: bool = False,
        model_kms_key: str | None = None,
        code_location: str | None = None,
        container_log_level: int = logging.INFO,
        sagemaker_session: Any = None,
    ) -> None:
        versions = (transformers_version, pytorch_version, tensorflow_version, py_version, image_uri)
        image_uris.check_image_versions("HuggingFaceModel", *versions)
        if entry_point is None and (source_dir or dependencies):
            raise ConfigurationError(
                "source_dir and dependencies need entry_point='inference.py' (the script to run)."
            )
        self.code = CodeSpec(entry_point, source_dir, tuple(dependencies or ())) if entry_point else None
        if self.code is not None:
            self.code.check()
        self.role = role
        self.model_data = check_model_data(model_data)
        self.entry_point = entry_point
        self.source_dir = source_dir
        self.dependencies = list(dependencies or [])
        self.framework_version = transformers_version  # SDK v2's attribute name
        self.pytorch_version = pytorch_version
        self.tensorflow_version = tensorflow_version
        self.py_version = py_version
        self.image_uri = image_uri
        self.env = _check_env(env)
        self.name = name
        self.model_server_workers = model_server_workers
        self.vpc_config = vpc_config_request(vpc_config)
        self.enable_network_isolation = enable_network_isolation
        self.model_kms_key = model_kms_key
        self.code_location = code_location
        self.container_log_level = container_log_level
        self.sagemaker_session = sagemaker_session
        self.endpoint_name: str | None = None
        self._model_data_url: tuple[str, str | None] | None = None  # (model name, ModelDataUrl)

    def __repr__(self) -> str:
        return f"HuggingFaceModel(name={self.name!r}, image_uri={self.image_uri!r})"

    # ---- container definition --------------------------------------------------------

    def serving_image_uri(
        self, region_name: str, instance_type: str | None = None, serverless: bool = False
    ) -> str:
        """The image to serve with: ``image_uri`` if given, else the matching Hugging Face DLC."""
        if self.image_uri:
            return self.image_uri
        if not instance_type and not serverless:
            raise ConfigurationError("Choosing an image needs instance_type (CPU vs GPU) or image_uri.")
        return image_uris.huggingface_image_uri(
            region_name,
            self.framework_version,
            pytorch_version=self.pytorch_version,
            tensorflow_version=self.tensorflow_version,
            py_version=self.py_version,
            instance_type=None if serverless else instance_type,
            scope="inference",
            serverless=serverless,
        )

    def _environment(self, session: Any) -> dict[str, str]:
        framework = {
            "SAGEMAKER_PROGRAM": self.code.script_name if self.code else "",
            "SAGEMAKER_SUBMIT_DIRECTORY": CONTAINER_CODE_DIR if self.code else "",
            "SAGEMAKER_CONTAINER_LOG_LEVEL": str(self.container_log_level),
            "SAGEMAKER_REGION": session.boto_region_name,
        }
        if self.model_server_workers:
            framework["SAGEMAKER_MODEL_SERVER_WORKERS"] = str(self.model_server_workers)
        # The user's own values win (SDK v2 overwrote SAGEMAKER_PROGRAM & co., issue #3361).
        return {**framework, **self.env}

    def _prepared_model_data(self, session: Any, model_name: str) -> str | None:
        if self._model_data_url is None or self._model_data_url[0] != model_name:
            url = None
            if self.model_data is not None and self.code is None:
                # None when the service cannot read it where it is (SageMaker reads only S3).
                url = session.direct_model_data_url(self.model_data)
            needs_upload = self.code is not None or (self.model_data is not None and url is None)
            if needs_upload:
                base = self.code_location or session.artifact_uri()
                destination = storage.join_uri(base, model_name, MODEL_ARCHIVE_NAME)
                url = prepare_model_data(session, self.model_data, self.code, destination, self.model_kms_key)
            self._model_data_url = (model_name, url)
        return self._model_data_url[1]

    def prepare_container_def(self, session: Any, image_uri: str, model_name: str) -> dict[str, Any]:
        """``PrimaryContainer`` for CreateModel; packs and uploads model data and code if needed."""
        container: dict[str, Any] = {"Image": image_uri, "Environment": self._environment(session)}
        model_data_url = self._prepared_model_data(session, model_name)
        if model_data_url is not None:
            container["ModelDataUrl"] = model_data_url
        return container

    def _create_model(
        self, session: Any, image_uri: str, role_arn: str, tags: list[dict[str, str]] | None
    ) -> str:
        """CreateModel (an existing model of the same name is reused); returns the model name."""
        from botocore.exceptions import ClientError

        self.name = self.name or name_from_base(base_name_from_image(image_uri))
        request: dict[str, Any] = {
            "ModelName": self.name,
            "ExecutionRoleArn": role_arn,
            "PrimaryContainer": self.prepare_container_def(session, image_uri, self.name),
        }
        if tags:
            request["Tags"] = tags
        if self.vpc_config:
            request["VpcConfig"] = self.vpc_config
        if self.enable_network_isolation:
            request["EnableNetworkIsolation"] = True
        try:
            session.sagemaker_client.create_model(**request)
        except ClientError as error:
            if _EXISTING_MODEL_MESSAGE not in error.response["Error"].get("Message", ""):
                raise
            logger.info("Model %s already exists; reusing it.", self.name)
        return self.name

    # ---- deploy ----------------------------------------------------------------------

    def deploy(
        self,
        initial_instance_count: int | None = None,
        instance_type: str | None = None,
        serializer: BaseSerializer | None = None,
        deserializer: BaseDeserializer | None = None,
        endpoint_name: str | None = None,
        tags: dict[str, str] | list[dict[str, str]] | None = None,
        kms_key: str | None = None,
        wait: bool = True,
        data_capture_config: DataCaptureConfig | None = None,
        async_inference_config: AsyncInferenceConfig | None = None,
        serverless_inference_config: ServerlessInferenceConfig | None = None,
        volume_size: int | None = None,
        model_data_download_timeout: int | None = None,
        container_startup_health_check_timeout: int | None = None,
        update_endpoint: bool = False,
    ) -> Any:
        """Create the model, endpoint config and endpoint; return a predictor for it.

        Returns a :class:`~sagemaker_hf.predictor.HuggingFacePredictor`, or an
        :class:`~sagemaker_hf.predictor.AsyncPredictor` with ``async_inference_config``.
        With ``update_endpoint=True`` the existing ``endpoint_name`` is switched to a new
        endpoint config instead of creating an endpoint.
        """
        from sagemaker_hf.session import session_for_instance_type

        session = session_for_instance_type(self.sagemaker_session, instance_type)
        self.sagemaker_session = session
        check_endpoint_configs(serverless_inference_config, async_inference_config, data_capture_config)
        try:
            variant = ProductionVariantConfig(
                instance_type=instance_type,
                initial_instance_count=initial_instance_count,
                serverless_inference_config=serverless_inference_config,
                volume_size=volume_size,
                model_data_download_timeout=model_data_download_timeout,
                container_startup_health_check_timeout=container_startup_health_check_timeout,
            )
        except ValidationError as error:
            raise configuration_error("deploy()", error) from None
        if update_endpoint and not endpoint_name:
            raise ConfigurationError("update_endpoint=True needs endpoint_name= (the endpoint to update).")
        api_tags = normalize_tags(tags)
        role_arn = session.execution_role_arn(self.role, "deploying a model")
        image_uri = self.serving_image_uri(
            session.boto_region_name, instance_type, serverless_inference_config is not None
        )

        model_name = self._create_model(session, image_uri, role_arn, api_tags)
        self.endpoint_name = endpoint_name or name_from_base(base_from_name(model_name))
        config_name = self.endpoint_name
        if update_endpoint:  # the endpoint's current config stays until the update is done
            config_name = name_from_base(base_from_name(self.endpoint_name))
        if data_capture_config is not None:
            data_capture_config = data_capture_config.with_default_destination(
                session.artifact_uri("model-monitor", "data-capture")
            )
        if async_inference_config is not None:
            async_inference_config = async_inference_config.with_default_paths(
                session.artifact_uri("async-endpoint-outputs", self.endpoint_name),
                session.artifact_uri("async-endpoint-failures", self.endpoint_name),
            )
        config_request = endpoint_config_request(
            config_name,
            variant.to_request(model_name),
            kms_key,
            data_capture_config,
            async_inference_config,
            api_tags,
        )

        client = session.sagemaker_client
        client.create_endpoint_config(**config_request)
        if update_endpoint:
            client.update_endpoint(EndpointName=self.endpoint_name, EndpointConfigName=config_name)
        else:
            endpoint_request: dict[str, Any] = {
                "EndpointName": self.endpoint_name,
                "EndpointConfigName": config_name,
            }
            if api_tags:
                endpoint_request["Tags"] = api_tags
            client.create_endpoint(**endpoint_request)
        if wait:
            from sagemaker_hf.waiting import ENDPOINT, ENDPOINT_BACKOFF, wait_for_resource

            wait_for_resource(
                lambda: client.describe_endpoint(EndpointName=self.endpoint_name),
                ENDPOINT,
                self.endpoint_name,
                backoff=ENDPOINT_BACKOFF,
            )
        return self._predictor(session, serializer, deserializer, async_inference_config is not None)

    def _predictor(self, session: Any, serializer: Any, deserializer: Any, is_async: bool) -> Any:
        from sagemaker_hf.predictor import AsyncPredictor, HuggingFacePredictor

        predictor = HuggingFacePredictor(self.endpoint_name, session, serializer, deserializer)
        return AsyncPredictor(predictor, name=self.endpoint_name) if is_async else predictor

    # ---- other operations ------------------------------------------------------------

    def register(
        self,
        content_types: list[str],
        response_types: list[str],
        inference_instances: list[str] | None = None,
        transform_instances: list[str] | None = None,
        model_package_name: str | None = None,
        model_package_group_name: str | None = None,
        image_uri: str | None = None,
        approval_status: str | None = None,
        description: str | None = None,
        customer_metadata_properties: dict[str, str] | None = None,
        domain: str | None = None,
        task: str | None = None,
        sample_payload_url: str | None = None,
    ) -> str:
        """Create a model package (CreateModelPackage); returns its ARN."""
        if (model_package_name is None) == (model_package_group_name is None):
            raise ConfigurationError("Pass exactly one of model_package_name or model_package_group_name.")
        instance_type = (inference_instances or transform_instances or [None])[0]
        if not (image_uri or self.image_uri or instance_type):
            raise ConfigurationError(
                "register() needs inference_instances / transform_instances or image_uri."
            )
        from sagemaker_hf.session import session_for_instance_type

        session = session_for_instance_type(self.sagemaker_session, instance_type)
        self.sagemaker_session = session
        image = image_uri or self.serving_image_uri(session.boto_region_name, instance_type)
        self.name = self.name or name_from_base(base_name_from_image(image))
        specification: dict[str, Any] = {
            "Containers": [self.prepare_container_def(session, image, self.name)],
            "SupportedContentTypes": list(content_types),
            "SupportedResponseMIMETypes": list(response_types),
        }
        if inference_instances:
            specification["SupportedRealtimeInferenceInstanceTypes"] = list(inference_instances)
        if transform_instances:
            specification["SupportedTransformInstanceTypes"] = list(transform_instances)
        optional = {
            "ModelPackageName": model_package_name,
            "ModelPackageGroupName": model_package_group_name,
            "ModelApprovalStatus": approval_status,
            "ModelPackageDescription": description,
            "CustomerMetadataProperties": customer_metadata_properties,
            "Domain": domain,
            "Task": task,
            "SamplePayloadUrl": sample_payload_url,
        }
        request = {"InferenceSpecification": specification}
        request.update({key: value for key, value in optional.items() if value is not None})
        return session.sagemaker_client.create_model_package(**request)["ModelPackageArn"]

    def transformer(
        self,
        instance_count: int,
        instance_type: str,
        strategy: str | None = None,
        assemble_with: str | None = None,
        output_path: str | None = None,
        output_kms_key: str | None = None,
        accept: str | None = None,
        env: dict[str, str] | None = None,
        max_concurrent_transforms: int | None = None,
        max_payload: int | None = None,
        tags: dict[str, str] | list[dict[str, str]] | None = None,
        volume_kms_key: str | None = None,
    ) -> Any:
        """Create the model now and return a :class:`~sagemaker_hf.transformer.Transformer` for batch jobs."""
        from sagemaker_hf.session import session_for_instance_type
        from sagemaker_hf.transformer import Transformer, check_settings

        check_settings(instance_count, strategy, assemble_with)
        session = session_for_instance_type(self.sagemaker_session, instance_type)
        self.sagemaker_session = session
        role_arn = session.execution_role_arn(self.role, "creating a model for batch transform")
        image_uri = self.serving_image_uri(session.boto_region_name, instance_type)
        model_name = self._create_model(session, image_uri, role_arn, normalize_tags(tags))
        return Transformer(
            model_name,
            instance_count,
            instance_type,
            strategy=strategy,
            assemble_with=assemble_with,
            output_path=output_path,
            output_kms_key=output_kms_key,
            accept=accept,
            max_concurrent_transforms=max_concurrent_transforms,
            max_payload=max_payload,
            tags=tags,
            env=env,
            sagemaker_session=session,
            volume_kms_key=volume_kms_key,
        )

    def delete_model(self) -> None:
        """Delete the SageMaker model this object created."""
        if self.name is None or self.sagemaker_session is None:
            raise ConfigurationError(
                "This model has not been created yet (call deploy() first); nothing to delete."
            )
        self.sagemaker_session.sagemaker_client.delete_model(ModelName=self.name)
