"""What a ``HuggingFace`` estimator does with its trained model: create_model, deploy, transformer.

These methods only read the estimator's settings and its latest job; they build a
:class:`~sagemaker_hf.hosting.model.HuggingFaceModel` with the training versions and let it do
the work, exactly as SDK v2's estimators delegate to their model class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sagemaker_hf import storage
from sagemaker_hf._validation import checked_arguments, warn_ignored_arguments
from sagemaker_hf.hosting.configs import AsyncInferenceConfig, DataCaptureConfig, ServerlessInferenceConfig
from sagemaker_hf.names import base_from_name, name_from_base

VPC_CONFIG_DEFAULT = "VPC_CONFIG_DEFAULT"  # SDK v2's sentinel: "the estimator's own subnets"


class AfterTraining:
    """create_model(), deploy() and transformer() of a trained estimator."""

    # Set by the estimators' constructors / fit() / attach().
    settings: Any
    code: Any
    git_config: Any
    latest_training_job: Any
    role: str | None
    source_dir: str | None
    dependencies: list[str]
    code_location: str | None
    container_log_level: int
    base_job_name: str | None
    tags: list[dict[str, str]] | None
    sagemaker_session: Any
    _submit_directory: str | None

    model_data: str | dict[str, Any]
    _job: Callable[[], Any]

    def _model_image_arguments(self, image_uri: str | None) -> dict[str, str | None]:
        """The HuggingFaceModel arguments that choose the inference image (versions or ``image_uri``)."""
        raise NotImplementedError

    def _model_source_dir(self) -> str | None:
        """The training code for an inference ``entry_point``: the local folder, else the archive."""
        if self.code is None:
            return None
        if self.source_dir and not self.code.packed and self.git_config is None:
            return self.source_dir
        uploaded = self._submit_directory
        return uploaded if uploaded is not None and storage.is_s3(uploaded) else None

    @checked_arguments("create_model")
    def create_model(
        self,
        model_server_workers: int | None = None,
        role: str | None = None,
        vpc_config_override: dict[str, list[str]] | str | None = VPC_CONFIG_DEFAULT,
        entry_point: str | None = None,
        source_dir: str | None = None,
        dependencies: list[str] | None = None,
        env: dict[str, str] | None = None,
        name: str | None = None,
        image_uri: str | None = None,
        enable_network_isolation: bool | None = None,
        model_kms_key: str | None = None,
    ) -> Any:
        """A :class:`~sagemaker_hf.hosting.model.HuggingFaceModel` of the trained model, same versions.

        ``entry_point`` (an ``inference.py``) is looked up in ``source_dir``, by default the
        training code. The image is the inference image of the training versions, unless
        the estimator (or this call) names one. A ``model_data`` dict (uncompressed output,
        ``disable_output_compression=True``) is passed on as it is.
        """
        from sagemaker_hf.hosting.model import HuggingFaceModel

        if vpc_config_override == VPC_CONFIG_DEFAULT:
            subnets, groups = self.settings.subnets, self.settings.security_group_ids
            vpc_config = {"Subnets": subnets, "SecurityGroupIds": groups} if subnets is not None else None
        else:
            vpc_config = vpc_config_override  # type: ignore[assignment]
        model_data = self.model_data
        if isinstance(model_data, str) and not storage.is_s3(model_data):
            model_data = str(storage.local_path(model_data))  # HuggingFaceModel takes paths, not file://
        return HuggingFaceModel(
            role=role or self.role,
            model_data=model_data,  # type: ignore[arg-type]  # a dict once HuggingFaceModel takes ModelDataSource
            entry_point=entry_point,
            **self._model_image_arguments(image_uri),
            source_dir=(source_dir or self._model_source_dir()) if entry_point else None,
            dependencies=(dependencies or self.dependencies) if entry_point else None,
            env=env,
            name=name,
            model_server_workers=model_server_workers,
            vpc_config=vpc_config,
            enable_network_isolation=(
                self.settings.enable_network_isolation
                if enable_network_isolation is None
                else enable_network_isolation
            ),
            model_kms_key=model_kms_key,
            code_location=self.code_location,
            container_log_level=self.container_log_level,
            sagemaker_session=self.sagemaker_session,
        )

    def _default_name(self) -> str:
        return name_from_base(self.base_job_name or base_from_name(self._job().name))

    @checked_arguments("deploy")
    def deploy(
        self,
        initial_instance_count: int | None = None,
        instance_type: str | None = None,
        serializer: Any = None,
        deserializer: Any = None,
        accelerator_type: str | None = None,
        endpoint_name: str | None = None,
        use_compiled_model: bool = False,
        wait: bool = True,
        model_name: str | None = None,
        kms_key: str | None = None,
        data_capture_config: DataCaptureConfig | None = None,
        tags: dict[str, str] | list[dict[str, str]] | None = None,
        serverless_inference_config: ServerlessInferenceConfig | None = None,
        async_inference_config: AsyncInferenceConfig | None = None,
        volume_size: int | None = None,
        model_data_download_timeout: int | None = None,
        container_startup_health_check_timeout: int | None = None,
        inference_recommendation_id: str | None = None,
        explainer_config: Any = None,
        *,
        entry_point: str | None = None,
        source_dir: str | None = None,
        env: dict[str, str] | None = None,
    ) -> Any:
        """Deploy the trained model to an endpoint; returns its predictor (see HuggingFaceModel.deploy).

        The arguments are SDK v2's, in its order; ``accelerator_type`` (Elastic Inference,
        retired), ``use_compiled_model`` (Neo), ``inference_recommendation_id`` and
        ``explainer_config`` are accepted with a warning and have no effect.
        """
        warn_ignored_arguments(
            "deploy",
            {
                "accelerator_type": accelerator_type,
                "use_compiled_model": use_compiled_model or None,
                "inference_recommendation_id": inference_recommendation_id,
                "explainer_config": explainer_config,
            },
            "Elastic Inference is retired, Neo compilation, Inference Recommender and Clarify explainers are "
            "not supported (deploy the model as it is).",
        )
        default_name = self._default_name()
        model = self.create_model(
            entry_point=entry_point, source_dir=source_dir, env=env, name=model_name or default_name
        )
        return model.deploy(
            initial_instance_count=initial_instance_count,
            instance_type=instance_type,
            serializer=serializer,
            deserializer=deserializer,
            endpoint_name=endpoint_name or default_name,
            tags=tags if tags is not None else self.tags,
            kms_key=kms_key,
            wait=wait,
            data_capture_config=data_capture_config,
            async_inference_config=async_inference_config,
            serverless_inference_config=serverless_inference_config,
            volume_size=volume_size,
            model_data_download_timeout=model_data_download_timeout,
            container_startup_health_check_timeout=container_startup_health_check_timeout,
        )

    @checked_arguments("transformer")
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
        role: str | None = None,
        model_server_workers: int | None = None,
        volume_kms_key: str | None = None,
        entry_point: str | None = None,
        vpc_config_override: dict[str, list[str]] | str | None = VPC_CONFIG_DEFAULT,
        enable_network_isolation: bool | None = None,
        model_name: str | None = None,
    ) -> Any:
        """A :class:`~sagemaker_hf.batch.transformer.Transformer` for batch jobs on the trained model."""
        model = self.create_model(
            model_server_workers=model_server_workers,
            role=role,
            vpc_config_override=vpc_config_override,
            entry_point=entry_point,
            name=model_name or self._default_name(),
            enable_network_isolation=enable_network_isolation,
            model_kms_key=self.settings.output_kms_key,
        )
        return model.transformer(
            instance_count,
            instance_type,
            strategy=strategy,
            assemble_with=assemble_with,
            output_path=output_path,
            output_kms_key=output_kms_key,
            accept=accept,
            env=env,
            max_concurrent_transforms=max_concurrent_transforms,
            max_payload=max_payload,
            tags=tags if tags is not None else self.tags,
            volume_kms_key=volume_kms_key,
        )
