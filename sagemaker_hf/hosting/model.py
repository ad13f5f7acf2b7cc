"""HuggingFaceModel: SDK v2's constructor and ``deploy()``, on boto3, with v2's defects fixed.

``deploy()`` flows straight down: check every argument, resolve the image, pack what must
be packed, then CreateModel, CreateEndpointConfig, CreateEndpoint (or UpdateEndpoint),
wait, and return a predictor. Request shapes are built here, next to the calls;
registration is in :mod:`sagemaker_hf.hosting.model_package`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

from sagemaker_hf import image_uris
from sagemaker_hf._validation import checked_arguments
from sagemaker_hf._validation.api_shapes import check_structure
from sagemaker_hf.artifacts import CodeSpec, check_model_data
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.hosting import deploy_options, model_container
from sagemaker_hf.hosting.configs import (
    AsyncInferenceConfig,
    DataCaptureConfig,
    ServerlessInferenceConfig,
    vpc_config_request,
)
from sagemaker_hf.hosting.endpoint_request import (
    EndpointConfigs,
    ProductionVariantConfig,
    check_endpoint_kind,
    check_endpoint_to_update,
    deploy_endpoint,
    wait_for_endpoint,
)
from sagemaker_hf.hosting.model_source import check_model_data_source
from sagemaker_hf.hosting.predictor import (
    DeserializerLike,
    HuggingFacePredictor,
    SerializerLike,
    deployed_predictor,
)
from sagemaker_hf.names import base_from_name, base_name_from_image, name_from_base, normalize_tags

logger = logging.getLogger(__name__)

Tags = dict[str, str] | list[dict[str, str]]


class HuggingFaceModel:
    """A Hugging Face model for SageMaker hosting (SDK v2's ``sagemaker.huggingface.HuggingFaceModel``)."""

    @checked_arguments("HuggingFaceModel")
    def __init__(
        self,
        role: str | None = None,
        model_data: str | Path | dict[str, Any] | None = None,
        entry_point: str | None = None,
        transformers_version: str | None = None,
        tensorflow_version: str | None = None,
        pytorch_version: str | None = None,
        py_version: str | None = None,
        image_uri: str | None = None,
        predictor_cls: Callable[..., Any] | None = HuggingFacePredictor,
        model_server_workers: int | None = None,
        *,
        source_dir: str | None = None,
        dependencies: list[str] | None = None,
        env: dict[str, str] | None = None,
        name: str | None = None,
        vpc_config: dict[str, Any] | None = None,
        enable_network_isolation: bool | None = False,
        model_kms_key: str | None = None,
        code_location: str | None = None,
        container_log_level: int = logging.INFO,
        sagemaker_session: Any = None,
        image_config: dict[str, Any] | None = None,
        git_config: dict[str, str] | None = None,
        resources: Any = None,
        additional_model_data_sources: dict[str, Any] | list[dict[str, Any]] | None = None,
        model_reference_arn: str | None = None,
    ) -> None:
        versions = (transformers_version, pytorch_version, tensorflow_version, py_version, image_uri)
        image_uris.check_image_versions("HuggingFaceModel", *versions)
        deploy_options.check_constructor_options(
            predictor_cls,
            git_config,
            entry_point,
            resources,
            additional_model_data_sources,
            model_reference_arn,
        )
        if entry_point is None and (source_dir or dependencies):
            raise ConfigurationError(
                "source_dir and dependencies need entry_point='inference.py' (the script to run)."
            )
        self.code = CodeSpec(entry_point, source_dir, tuple(dependencies or ())) if entry_point else None
        self.git_config = git_config
        if self.code is not None and git_config is None:  # with git_config the paths are in the repository
            self.code.check()
        self.role = role
        if isinstance(model_data, dict):
            deploy_options.check_no_code_with_model_data_source(self.code)
            self.model_data: str | dict[str, Any] | None = check_model_data_source(model_data)
        else:
            self.model_data = check_model_data(model_data)
        self.entry_point = entry_point
        self.source_dir = source_dir
        self.dependencies = list(dependencies or [])
        self.framework_version = transformers_version  # SDK v2's attribute name
        self.pytorch_version = pytorch_version
        self.tensorflow_version = tensorflow_version
        self.py_version = py_version
        self._image_uri = image_uri
        self._resolved_image_uri: str | None = None
        self.predictor_cls = predictor_cls
        self.env = model_container.check_env(env)
        self.name = name
        self.model_server_workers = model_server_workers
        self.vpc_config = vpc_config_request(vpc_config)
        self.enable_network_isolation = bool(enable_network_isolation)
        self.model_kms_key = model_kms_key
        self.code_location = code_location
        self.container_log_level = container_log_level
        self.image_config = (
            check_structure("image_config", image_config, "ImageConfig") if image_config else None
        )
        self.sagemaker_session = sagemaker_session
        self.endpoint_name: str | None = None
        self._model_data_url: tuple[str, str | None] | None = None  # (model name, ModelDataUrl)

    def __repr__(self) -> str:
        return f"HuggingFaceModel(name={self.name!r}, image_uri={self.image_uri!r})"

    @property
    def image_uri(self) -> str | None:
        """The image given, else the one the last deploy()/transformer()/register() resolved.

        As SDK v2 after an Inferentia deploy or a register(), notebooks print it. A resolved
        image is not pinned: the next call resolves again for its own instance type.
        """
        return self._image_uri or self._resolved_image_uri

    @image_uri.setter
    def image_uri(self, value: str | None) -> None:
        self._image_uri = value

    # ---- container definition --------------------------------------------------------

    def serving_image_uri(
        self, region_name: str, instance_type: str | None = None, serverless: bool = False
    ) -> str:
        """The image to serve with: ``image_uri`` if given, else the matching Hugging Face DLC."""
        if self._image_uri:
            return self._image_uri
        if not instance_type and not serverless:
            raise ConfigurationError("Choosing an image needs instance_type (CPU vs GPU) or image_uri.")
        self._resolved_image_uri = image_uris.huggingface_image_uri(
            region_name,
            self.framework_version,
            pytorch_version=self.pytorch_version,
            tensorflow_version=self.tensorflow_version,
            py_version=self.py_version,
            instance_type=None if serverless else instance_type,
            scope="inference",
            serverless=serverless,
        )
        return self._resolved_image_uri

    def _model_data_url_for(self, session: Any, model_name: str) -> str | None:
        """The ``ModelDataUrl`` of ``model_name``, uploaded once per model name (see model_container)."""
        if self._model_data_url is None or self._model_data_url[0] != model_name:
            self._model_data_url = (model_name, model_container.model_data_url(self, session, model_name))
        return self._model_data_url[1]

    def prepare_container_def(
        self, session: Any, image_uri: str, model_name: str, accept_eula: bool | None = None
    ) -> dict[str, Any]:
        """``PrimaryContainer`` for CreateModel; packs and uploads model data and code if needed."""
        return model_container.container_definition(self, session, image_uri, model_name, accept_eula)

    def _create_model(
        self,
        session: Any,
        image_uri: str,
        role_arn: str,
        tags: list[dict[str, str]] | None,
        accept_eula: bool | None = None,
    ) -> str:
        """CreateModel (an existing model of the same name is reused); returns the model name."""
        self.name = self.name or name_from_base(base_name_from_image(image_uri))
        container = self.prepare_container_def(session, image_uri, self.name, accept_eula)
        model_container.create_model(
            session.sagemaker_client,
            self.name,
            role_arn,
            container,
            tags,
            self.vpc_config,
            self.enable_network_isolation,
        )
        return self.name

    # ---- deploy ----------------------------------------------------------------------

    @checked_arguments("HuggingFaceModel.deploy")
    def deploy(
        self,
        initial_instance_count: int | None = None,
        instance_type: str | None = None,
        serializer: SerializerLike | None = None,
        deserializer: DeserializerLike | None = None,
        accelerator_type: str | None = None,
        endpoint_name: str | None = None,
        tags: Tags | None = None,
        kms_key: str | None = None,
        wait: bool = True,
        data_capture_config: DataCaptureConfig | None = None,
        async_inference_config: AsyncInferenceConfig | None = None,
        serverless_inference_config: ServerlessInferenceConfig | None = None,
        volume_size: int | None = None,
        model_data_download_timeout: int | None = None,
        container_startup_health_check_timeout: int | None = None,
        inference_recommendation_id: str | None = None,
        explainer_config: dict[str, Any] | None = None,
        update_endpoint: bool | None = False,
        *,
        accept_eula: bool | None = None,
        endpoint_logging: bool = False,
        resources: Any = None,
        endpoint_type: str | Enum = deploy_options.MODEL_BASED,
        managed_instance_scaling: dict[str, Any] | None = None,
        inference_component_name: str | None = None,
        routing_config: dict[str, Any] | None = None,
        model_reference_arn: str | None = None,
        inference_ami_version: str | None = None,
    ) -> Any:
        """Create the model, endpoint config and endpoint; return a predictor for it.

        Returns ``predictor_cls(endpoint_name, session)`` (a
        :class:`~sagemaker_hf.hosting.predictor.HuggingFacePredictor` by default), wrapped in an
        :class:`~sagemaker_hf.hosting.predictor.AsyncPredictor` with ``async_inference_config``;
        ``None`` when ``predictor_cls=None``. With ``update_endpoint=True`` the existing
        ``endpoint_name`` is switched to a new endpoint config instead of creating an endpoint.
        """
        from sagemaker_hf.session import session_for_instance_type

        deploy_options.check_deploy_options(
            accelerator_type,
            inference_recommendation_id,
            endpoint_logging,
            resources,
            endpoint_type,
            managed_instance_scaling,
            inference_component_name,
            model_reference_arn,
        )
        session = session_for_instance_type(self.sagemaker_session, instance_type)
        self.sagemaker_session = session
        check_endpoint_kind(serverless_inference_config, async_inference_config)
        try:
            variant = ProductionVariantConfig(
                instance_type=instance_type,
                initial_instance_count=initial_instance_count,
                serverless_inference_config=serverless_inference_config,
                volume_size=volume_size,
                model_data_download_timeout=model_data_download_timeout,
                container_startup_health_check_timeout=container_startup_health_check_timeout,
                routing_config=routing_config,
                inference_ami_version=inference_ami_version,
            )
        except ConfigurationError as error:
            raise ConfigurationError(str(error).replace("ProductionVariantConfig:", "deploy():", 1)) from None
        if update_endpoint:
            check_endpoint_to_update(session.sagemaker_client, endpoint_name)
        api_tags = normalize_tags(tags)
        role_arn = session.execution_role_arn(self.role, "deploying a model")
        image_uri = self.serving_image_uri(
            session.boto_region_name, instance_type, serverless_inference_config is not None
        )

        model_name = self._create_model(session, image_uri, role_arn, api_tags, accept_eula)
        self.endpoint_name = endpoint_name or name_from_base(base_from_name(model_name))
        configs = EndpointConfigs(
            kms_key, data_capture_config, async_inference_config, explainer_config, api_tags
        )
        deploy_endpoint(
            session, self.endpoint_name, variant.to_request(model_name), configs, bool(update_endpoint)
        )
        if wait:
            wait_for_endpoint(session.sagemaker_client, self.endpoint_name)
        is_async = async_inference_config is not None
        return deployed_predictor(
            self.predictor_cls, self.endpoint_name, session, serializer, deserializer, is_async
        )

    # ---- other operations ------------------------------------------------------------

    @checked_arguments("HuggingFaceModel.register")
    def register(
        self,
        content_types: list[str] | None = None,
        response_types: list[str] | None = None,
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
        framework: str | None = None,
        framework_version: str | None = None,
    ) -> str:
        """Create a model package (CreateModelPackage), its group first if missing; returns its ARN.

        With neither ``model_package_name`` nor ``model_package_group_name`` it registers
        into the group named after the image's repository, as SDK v2 did.
        """
        from sagemaker_hf.hosting.model_package import ModelPackageSpec, register_model

        spec = ModelPackageSpec(
            content_types,
            response_types,
            inference_instances,
            transform_instances,
            model_package_name,
            model_package_group_name,
            approval_status,
            description,
            customer_metadata_properties,
            domain,
            task,
            sample_payload_url,
            framework,
            framework_version,
        )
        return register_model(self, spec, image_uri)

    @checked_arguments("HuggingFaceModel.transformer")
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
        tags: Tags | None = None,
        volume_kms_key: str | None = None,
    ) -> Any:
        """Create the model now; return a batch :class:`~sagemaker_hf.batch.transformer.Transformer`."""
        from sagemaker_hf.batch.transformer import Transformer, check_settings
        from sagemaker_hf.session import session_for_instance_type

        check_settings(instance_count, strategy, assemble_with)
        session = session_for_instance_type(self.sagemaker_session, instance_type)
        self.sagemaker_session = session
        role_arn = session.execution_role_arn(self.role, "creating a model for batch transform")
        image_uri = self.serving_image_uri(session.boto_region_name, instance_type)
        model_name = self._create_model(session, image_uri, role_arn, normalize_tags(tags))
        if self.enable_network_isolation and env:
            # As v2: an isolated model's container gets no job Environment.
            logger.warning("enable_network_isolation=True: the transform job's env is not sent.")
            env = None
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
