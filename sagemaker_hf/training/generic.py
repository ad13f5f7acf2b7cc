"""Estimator: SDK v2's generic ``sagemaker.estimator.Estimator``, where it means what v2 meant.

Notebooks import it next to the Hugging Face classes for two things, both here:

- ``Estimator.attach(job_name)``: any training job, with ``model_data``,
  ``latest_training_job``, ``hyperparameters()``, ``logs()``; ``create_model()`` /
  ``deploy()`` / ``transformer()`` build a :class:`~sagemaker_hf.hosting.model.HuggingFaceModel`
  with the inference image of the job's Hugging Face training image (v2 deployed the
  *training* image, which serves nothing). Another image needs ``image_uri=`` of a
  serving image, else a :class:`~sagemaker_hf.errors.ConfigurationError` says so.
- ``Estimator(image_uri, role, instance_count, instance_type, ..., hyperparameters)`` and
  ``fit()``: a job on your own image, through the same request builder as ``HuggingFace``.
  As in v2, hyperparameters are sent as ``str(value)`` (not JSON), no
  ``EnableSageMakerMetricsTimeSeries`` unless asked, and ``entry_point`` /
  ``source_dir`` are optional (script mode when given).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import ValidationError

from sagemaker_hf._validation import (
    checked_arguments,
    configuration_error,
    warn_ignored_arguments,
    warn_unknown_arguments,
)
from sagemaker_hf.container.training import SCRIPT_MODE_HYPERPARAMETERS
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.names import normalize_tags
from sagemaker_hf.session import Session
from sagemaker_hf.training.after_training import VPC_CONFIG_DEFAULT
from sagemaker_hf.training.attach import job_arguments, job_tags
from sagemaker_hf.training.base import TrainingEstimator
from sagemaker_hf.training.code import TrainingCode
from sagemaker_hf.training.logs import TrainingJob
from sagemaker_hf.training.options import JobOptions
from sagemaker_hf.training.request import TrainingSettings

_IGNORED = "it is not supported by sagemaker-hf (Debugger rules, custom predictor classes)."


def attached(estimator: TrainingEstimator, job: dict[str, Any]) -> Any:
    """``estimator`` bound to the described ``job``; a job still running is waited for (no logs), as v2.

    A job that failed raises :class:`~sagemaker_hf.errors.ResourceFailedError`, as v2's wait did.
    """
    name = job["TrainingJobName"]
    sent = job.get("HyperParameters", {})
    used = {key: sent[key] for key in SCRIPT_MODE_HYPERPARAMETERS if key in sent}
    estimator._code_hyperparameters_used = used
    estimator.latest_training_job = TrainingJob(name, estimator.sagemaker_session)
    estimator._current_job_name = name
    estimator.wait(logs=False)
    return estimator


class Estimator(TrainingEstimator):
    """A training job on any image (SDK v2's ``sagemaker.estimator.Estimator``)."""

    @checked_arguments("Estimator")
    def __init__(
        self,
        image_uri: str,
        role: str | None = None,
        instance_count: int | None = None,
        instance_type: str | None = None,
        keep_alive_period_in_seconds: int | None = None,
        volume_size: int = 30,
        volume_kms_key: str | None = None,
        max_run: int = 86400,
        input_mode: str = "File",
        output_path: str | None = None,
        output_kms_key: str | None = None,
        base_job_name: str | None = None,
        sagemaker_session: Session | None = None,
        hyperparameters: dict[str, Any] | None = None,
        *,
        tags: dict[str, str] | list[dict[str, str]] | None = None,
        subnets: list[str] | None = None,
        security_group_ids: list[str] | None = None,
        model_uri: str | None = None,
        model_channel_name: str = "model",
        metric_definitions: list[dict[str, str]] | None = None,
        encrypt_inter_container_traffic: bool | None = None,
        use_spot_instances: bool = False,
        max_wait: int | None = None,
        checkpoint_s3_uri: str | None = None,
        checkpoint_local_path: str | None = None,
        enable_network_isolation: bool | None = None,
        rules: list[Any] | None = None,
        debugger_hook_config: dict[str, Any] | Literal[False] | None = None,
        tensorboard_output_config: dict[str, str] | None = None,
        enable_sagemaker_metrics: bool | None = None,
        profiler_config: dict[str, Any] | None = None,
        disable_profiler: bool = False,
        environment: dict[str, str] | None = None,
        max_retry_attempts: int | None = None,
        source_dir: str | None = None,
        git_config: dict[str, str | bool] | None = None,
        container_log_level: int = logging.INFO,
        code_location: str | None = None,
        entry_point: str | None = None,
        dependencies: list[str] | None = None,
        instance_groups: list[dict[str, Any]] | None = None,
        training_repository_access_mode: str | None = None,
        training_repository_credentials_provider_arn: str | None = None,
        container_entry_point: list[str] | None = None,
        container_arguments: list[str] | None = None,
        disable_output_compression: bool = False,
        enable_infra_check: bool | None = None,
        enable_remote_debug: bool | None = None,
        enable_session_tag_chaining: bool | None = None,
        training_plan: str | None = None,
        instance_placement_config: dict[str, Any] | None = None,
        **unknown_arguments: object,
    ) -> None:
        import inspect

        known = [
            name for name in inspect.signature(Estimator.__init__).parameters if name != "unknown_arguments"
        ]
        warn_unknown_arguments("Estimator", unknown_arguments, known)
        warn_ignored_arguments("Estimator", {"rules": rules or None}, _IGNORED)
        if entry_point is None and (source_dir is not None or git_config is not None):
            raise ConfigurationError("source_dir and git_config need entry_point= (the script to run).")
        self.code = TrainingCode(entry_point, source_dir, tuple(dependencies or ())) if entry_point else None
        if self.code is not None and git_config is None:
            self.code.check()
        try:
            self.settings = TrainingSettings(
                instance_type=instance_type,
                instance_count=instance_count,
                instance_groups=instance_groups,
                volume_size=volume_size,
                max_run=max_run,
                input_mode=input_mode,
                use_spot_instances=use_spot_instances,
                max_wait=max_wait,
                checkpoint_s3_uri=checkpoint_s3_uri,
                checkpoint_local_path=checkpoint_local_path,
                metric_definitions=metric_definitions,
                environment=environment,
                volume_kms_key=volume_kms_key,
                output_kms_key=output_kms_key,
                subnets=subnets,
                security_group_ids=security_group_ids,
                enable_network_isolation=bool(enable_network_isolation),
            )
            self.options = JobOptions(
                keep_alive_period_in_seconds=keep_alive_period_in_seconds,
                max_retry_attempts=max_retry_attempts,
                encrypt_inter_container_traffic=bool(encrypt_inter_container_traffic),
                container_entry_point=container_entry_point,
                container_arguments=container_arguments,
                enable_infra_check=enable_infra_check,
                training_repository_access_mode=training_repository_access_mode,
                training_repository_credentials_provider_arn=training_repository_credentials_provider_arn,
                disable_output_compression=disable_output_compression,
                enable_remote_debug=enable_remote_debug,
                enable_session_tag_chaining=enable_session_tag_chaining,
                training_plan=training_plan,
                instance_placement_config=instance_placement_config,
                debugger_hook_config=debugger_hook_config or None,
                profiler_config=profiler_config,
                disable_profiler=disable_profiler,
                tensorboard_output_config=tensorboard_output_config,
                model_uri=model_uri,
                model_channel_name=model_channel_name,
            )
        except ValidationError as error:
            raise configuration_error("Estimator()", error) from None
        self.options.warn_ignored("Estimator")
        self.image_uri = image_uri
        self._hyperparameters: dict[str, Any] = dict(hyperparameters or {})
        self.entry_point = entry_point
        self.source_dir = source_dir
        self.dependencies = list(dependencies or [])
        self.git_config = dict(git_config) if git_config is not None else None
        self.role = role
        self.instance_type = instance_type
        self.instance_count = instance_count
        self.instance_groups = instance_groups
        self.output_path = output_path
        self.code_location = code_location
        self.base_job_name = base_job_name
        self.tags = normalize_tags(tags)
        self.enable_sagemaker_metrics = enable_sagemaker_metrics
        self.container_log_level = container_log_level
        self.sagemaker_session = sagemaker_session
        self.latest_training_job = None
        self._current_job_name = None
        self._submit_directory = None

    def __repr__(self) -> str:
        job = self.latest_training_job.name if self.latest_training_job else None
        return f"Estimator(image_uri={self.image_uri!r}, latest_training_job={job!r})"

    def set_hyperparameters(self, **values: Any) -> None:
        """Add or replace hyperparameters (sent as ``str(value)``, as v2's generic Estimator)."""
        self._hyperparameters.update(values)

    def hyperparameters(self) -> dict[str, str]:
        given = {str(key): str(value) for key, value in self._hyperparameters.items()}
        return {**given, **self._code_hyperparameters_used}

    def training_image_uri(self, session: Any = None) -> str:
        del session
        return self.image_uri

    def _model_image_arguments(self, image_uri: str | None) -> dict[str, str | None]:
        from sagemaker_hf.image_uris import parse_image_tag

        if image_uri is not None:
            return {"image_uri": image_uri}
        tag = parse_image_tag(self.image_uri)
        if tag is None:
            raise ConfigurationError(
                f"The training image {self.image_uri!r} is not a Hugging Face image, so there is no matching "
                "inference image: pass image_uri= of a serving image to create_model()/deploy(), or build "
                "HuggingFaceModel(model_data=estimator.model_data, transformers_version=..., ...) yourself."
            )
        return {
            "transformers_version": tag.transformers_version,
            f"{tag.framework}_version": tag.framework_version,
            "py_version": tag.py_version,
        }

    @checked_arguments("Estimator.create_model")
    def create_model(  # type: ignore[override]  # v2's generic order differs from HuggingFace's
        self,
        role: str | None = None,
        image_uri: str | None = None,
        predictor_cls: Any = None,
        vpc_config_override: dict[str, list[str]] | str | None = VPC_CONFIG_DEFAULT,
        *,
        entry_point: str | None = None,
        source_dir: str | None = None,
        dependencies: list[str] | None = None,
        env: dict[str, str] | None = None,
        name: str | None = None,
        model_server_workers: int | None = None,
        enable_network_isolation: bool | None = None,
        model_kms_key: str | None = None,
    ) -> Any:
        """A :class:`~sagemaker_hf.hosting.model.HuggingFaceModel` of the trained model (see above)."""
        warn_ignored_arguments(
            "Estimator.create_model",
            {"predictor_cls": predictor_cls},
            "deploy() returns a HuggingFacePredictor (wrap it, or make your own predictor by endpoint name).",
        )
        return super().create_model(
            model_server_workers=model_server_workers,
            role=role,
            vpc_config_override=vpc_config_override,
            entry_point=entry_point,
            source_dir=source_dir,
            dependencies=dependencies,
            env=env,
            name=name,
            image_uri=image_uri,
            enable_network_isolation=enable_network_isolation,
            model_kms_key=model_kms_key,
        )

    @classmethod
    @checked_arguments("Estimator.attach")
    def attach(
        cls,
        training_job_name: str,
        sagemaker_session: Session | None = None,
        model_channel_name: str = "model",
    ) -> Estimator:
        """An estimator for any existing training job, rebuilt from DescribeTrainingJob.

        Its hyperparameters are the job's, as sent; a job still running is waited for.
        """
        session = sagemaker_session if sagemaker_session is not None else Session()
        job = session.sagemaker_client.describe_training_job(TrainingJobName=training_job_name)
        algorithm = job["AlgorithmSpecification"]
        if "TrainingImage" not in algorithm:
            raise ConfigurationError(
                f"Training job {training_job_name!r} ran a marketplace algorithm "
                f"({algorithm.get('AlgorithmName')}), not an image; it cannot be rebuilt as an Estimator."
            )
        estimator = cls(
            algorithm["TrainingImage"],
            sagemaker_session=session,
            hyperparameters=dict(job.get("HyperParameters") or {}),
            enable_sagemaker_metrics=algorithm.get("EnableSageMakerMetricsTimeSeries"),
            tags=job_tags(session.sagemaker_client, job),
            **job_arguments(job, model_channel_name),
        )
        return attached(estimator, job)
