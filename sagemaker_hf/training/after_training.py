"""What an estimator does with its trained model: create_model(), deploy(), transformer().

The estimator builds one frozen value, :class:`TrainedModel` (the trained model's data, the
inference image's arguments, the training code, the role and network settings, the names),
and these functions read only that value. The estimator binds them as its methods
(``create_model = after_training.create_model``), so their ``self`` is any object with a
``_trained_model()`` (:class:`HasTrainedModel`). They build a
:class:`~sagemaker_hf.hosting.model.HuggingFaceModel` with the training versions and let it do
the work, exactly as SDK v2's estimators delegate to their model class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sagemaker_hf import storage
from sagemaker_hf._validation import checked_arguments, warn_ignored_arguments
from sagemaker_hf.hosting.configs import AsyncInferenceConfig, DataCaptureConfig, ServerlessInferenceConfig

VPC_CONFIG_DEFAULT = "VPC_CONFIG_DEFAULT"  # SDK v2's sentinel: "the estimator's own subnets"


@dataclass(frozen=True)
class TrainedModel:
    """Everything create_model(), deploy() and transformer() read from a trained estimator."""

    model_data: str | dict[str, Any]  # model.tar.gz's URI, or v2's dict of uncompressed output
    image_arguments: dict[str, str | None]  # the HuggingFaceModel arguments that choose the image
    default_name: str  # of the model and endpoint: the job's base name and a new timestamp
    role: str | None
    code_dir: str | None  # the training code, where an inference entry_point is looked up
    dependencies: tuple[str, ...]
    subnets: list[str] | None
    security_group_ids: list[str] | None
    enable_network_isolation: bool
    output_kms_key: str | None
    code_location: str | None
    container_log_level: int
    tags: list[dict[str, str]] | None
    sagemaker_session: Any


class HasTrainedModel(Protocol):
    """An estimator, as these functions see it."""

    def _trained_model(self, image_uri: str | None = None) -> TrainedModel:
        """The value of the latest job's model; ``image_uri`` overrides the inference image."""
        ...


def _model(
    trained: TrainedModel,
    model_server_workers: int | None,
    role: str | None,
    vpc_config_override: dict[str, list[str]] | str | None,
    entry_point: str | None,
    source_dir: str | None,
    dependencies: list[str] | None,
    env: dict[str, str] | None,
    name: str | None,
    enable_network_isolation: bool | None,
    model_kms_key: str | None,
) -> Any:
    from sagemaker_hf.hosting.model import HuggingFaceModel

    if vpc_config_override == VPC_CONFIG_DEFAULT:
        subnets, groups = trained.subnets, trained.security_group_ids
        vpc_config = {"Subnets": subnets, "SecurityGroupIds": groups} if subnets is not None else None
    else:
        vpc_config = vpc_config_override  # type: ignore[assignment]
    model_data = trained.model_data
    if isinstance(model_data, str) and not storage.is_s3(model_data):
        model_data = str(storage.local_path(model_data))  # HuggingFaceModel takes paths, not file://
    return HuggingFaceModel(
        role=role or trained.role,
        model_data=model_data,
        entry_point=entry_point,
        **trained.image_arguments,
        source_dir=(source_dir or trained.code_dir) if entry_point else None,
        dependencies=(dependencies or list(trained.dependencies)) if entry_point else None,
        env=env,
        name=name,
        model_server_workers=model_server_workers,
        vpc_config=vpc_config,
        enable_network_isolation=(
            trained.enable_network_isolation if enable_network_isolation is None else enable_network_isolation
        ),
        model_kms_key=model_kms_key,
        code_location=trained.code_location,
        container_log_level=trained.container_log_level,
        sagemaker_session=trained.sagemaker_session,
    )


@checked_arguments("create_model")
def create_model(
    self: HasTrainedModel,
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
    trained = self._trained_model(image_uri)
    return _model(
        trained,
        model_server_workers,
        role,
        vpc_config_override,
        entry_point,
        source_dir,
        dependencies,
        env,
        name,
        enable_network_isolation,
        model_kms_key,
    )


@checked_arguments("deploy")
def deploy(
    self: HasTrainedModel,
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
    trained = self._trained_model()
    model = _model(
        trained,
        model_server_workers=None,
        role=None,
        vpc_config_override=VPC_CONFIG_DEFAULT,
        entry_point=entry_point,
        source_dir=source_dir,
        dependencies=None,
        env=env,
        name=model_name or trained.default_name,
        enable_network_isolation=None,
        model_kms_key=None,
    )
    return model.deploy(
        initial_instance_count=initial_instance_count,
        instance_type=instance_type,
        serializer=serializer,
        deserializer=deserializer,
        endpoint_name=endpoint_name or trained.default_name,
        tags=tags if tags is not None else trained.tags,
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
    self: HasTrainedModel,
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
    trained = self._trained_model()
    model = _model(
        trained,
        model_server_workers=model_server_workers,
        role=role,
        vpc_config_override=vpc_config_override,
        entry_point=entry_point,
        source_dir=None,
        dependencies=None,
        env=None,
        name=model_name or trained.default_name,
        enable_network_isolation=enable_network_isolation,
        model_kms_key=trained.output_kms_key,
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
        tags=tags if tags is not None else trained.tags,
        volume_kms_key=volume_kms_key,
    )
