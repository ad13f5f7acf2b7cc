"""HuggingFace: SDK v2's estimator on boto3: fit(), attach(), then deploy() or transformer().

The constructor takes every keyword of v2's ``HuggingFace`` / ``Framework`` /
``EstimatorBase`` (2.257.7) by name and checks them all before any API call. Each one
that maps to a CreateTrainingJob field is sent as v2 sent it (:mod:`~sagemaker_hf.training.request`,
:mod:`~sagemaker_hf.training.options`); ``rules`` (Debugger rules) is accepted with a warning that names
it. Keywords v2 never had, which it swallowed through ``**kwargs``, warn with the nearest
real name (a typo such as ``metrics_definition=``) and are never used.

``fit()`` and the job live in :mod:`~sagemaker_hf.training.base`, shared with the generic
:class:`~sagemaker_hf.training.generic.Estimator`, which this module also exports, so that
``sagemaker.estimator.Estimator`` keeps working after ``import sagemaker_hf as sagemaker``.
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
from sagemaker_hf.container.training import encode_hyperparameters
from sagemaker_hf.errors import ConfigurationError, UnsupportedValueError
from sagemaker_hf.names import normalize_tags
from sagemaker_hf.session import Session
from sagemaker_hf.training.attach import RESERVED_HYPERPARAMETERS, attach_arguments, job_tags
from sagemaker_hf.training.base import TrainingEstimator
from sagemaker_hf.training.code import TrainingCode, check_versions
from sagemaker_hf.training.compiler import TrainingCompilerConfig
from sagemaker_hf.training.distribution import check_distribution, distribution_hyperparameters
from sagemaker_hf.training.generic import Estimator, attached
from sagemaker_hf.training.options import JobOptions
from sagemaker_hf.training.request import TrainingSettings

__all__ = ["Estimator", "HuggingFace"]

logger = logging.getLogger(__name__)

_RULES_IGNORED = (
    "SageMaker Debugger rules run in AWS's rule images, which sagemaker-hf does not resolve; add "
    "DebugRuleConfigurations to estimator.training_job_request(...) and call create_training_job yourself."
)


class HuggingFace(TrainingEstimator):
    """Trains a Hugging Face script on SageMaker (SDK v2's ``sagemaker.huggingface.HuggingFace``).

    ``instance_type="local"`` trains in a child process on this machine instead, through the
    same ``fit()``. See :mod:`sagemaker_hf.training.inputs` and :mod:`sagemaker_hf.training.code`
    for how inputs and code are sent.
    """

    @checked_arguments("HuggingFace")
    def __init__(
        self,
        py_version: str | None = None,
        entry_point: str | None = None,
        transformers_version: str | None = None,
        tensorflow_version: str | None = None,
        pytorch_version: str | None = None,
        source_dir: str | None = None,
        hyperparameters: dict[str, Any] | None = None,
        image_uri: str | None = None,
        distribution: dict[str, Any] | None = None,
        compiler_config: TrainingCompilerConfig | None = None,
        *,
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
        rules: list[Any] | None = None,
        debugger_hook_config: dict[str, Any] | Literal[False] | None = None,
        tensorboard_output_config: dict[str, str] | None = None,
        enable_sagemaker_metrics: bool | None = None,
        enable_network_isolation: bool | None = None,
        profiler_config: dict[str, Any] | None = None,
        disable_profiler: bool | None = None,
        environment: dict[str, str] | None = None,
        max_retry_attempts: int | None = None,
        git_config: dict[str, str | bool] | None = None,
        container_log_level: int = logging.INFO,
        code_location: str | None = None,
        dependencies: list[str] | None = None,
        instance_groups: list[dict[str, Any]] | None = None,
        training_repository_access_mode: str | None = None,
        training_repository_credentials_provider_arn: str | None = None,
        enable_infra_check: bool | None = None,
        container_entry_point: list[str] | None = None,
        container_arguments: list[str] | None = None,
        disable_output_compression: bool = False,
        enable_remote_debug: bool | None = None,
        enable_session_tag_chaining: bool | None = None,
        training_plan: str | None = None,
        instance_placement_config: dict[str, Any] | None = None,
        **unknown_arguments: object,
    ) -> None:
        warn_unknown_arguments("HuggingFace", unknown_arguments, _known_arguments())
        warn_ignored_arguments("HuggingFace", {"rules": rules or None}, _RULES_IGNORED)
        if entry_point is None:
            hint = (
                f" (py_version={py_version!r} looks like one: pass it as entry_point=)"
                if str(py_version).endswith(".py")
                else ""
            )
            raise ConfigurationError(f"HuggingFace needs entry_point='train.py', the training script{hint}.")
        check_versions(transformers_version, pytorch_version, tensorflow_version, py_version, image_uri)
        self.code = TrainingCode(entry_point, source_dir, tuple(dependencies or ()))
        if git_config is None:
            self.code.check()  # with git_config the paths are inside the repository, checked at fit()
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
                disable_profiler=bool(disable_profiler),
                tensorboard_output_config=tensorboard_output_config,
                model_uri=model_uri,
                model_channel_name=model_channel_name,
            )
        except ValidationError as error:
            raise configuration_error("HuggingFace()", error) from None
        self.options.warn_ignored("HuggingFace")
        self.instance_type = instance_type
        self.distribution = check_distribution(
            distribution, instance_type, instance_groups, None if image_uri else pytorch_version
        )
        if compiler_config:
            compiler_config.check_estimator(
                self._image_instance_type, pytorch_version, tensorflow_version, image_uri, self.distribution
            )
        elif "pytorchxla" in self.distribution:
            raise ConfigurationError(
                "distribution={'pytorchxla': ...} runs only with SageMaker Training Compiler: add "
                "compiler_config=TrainingCompilerConfig(), or use {'torch_distributed': {'enabled': True}}."
            )
        self._hyperparameters: dict[str, Any] = {}
        self.set_hyperparameters(**(hyperparameters or {}))
        self.entry_point = entry_point
        self.source_dir = source_dir
        self.dependencies = list(dependencies or [])
        self.git_config = dict(git_config) if git_config is not None else None
        self.framework_version = transformers_version  # SDK v2's attribute name
        self.transformers_version = transformers_version
        self.pytorch_version = pytorch_version
        self.tensorflow_version = tensorflow_version
        self.py_version = py_version
        self.image_uri = image_uri
        self.compiler_config = compiler_config
        self.role = role
        self.instance_count = instance_count
        self.instance_groups = instance_groups
        self.output_path = output_path
        self.code_location = code_location
        self.base_job_name = base_job_name
        self.tags = normalize_tags(tags)
        self.enable_sagemaker_metrics = True if enable_sagemaker_metrics is None else enable_sagemaker_metrics
        self.container_log_level = container_log_level
        self.sagemaker_session = sagemaker_session
        self.latest_training_job = None
        self._current_job_name = None
        self._submit_directory = None

    def __repr__(self) -> str:
        job = self.latest_training_job.name if self.latest_training_job else None
        return f"HuggingFace(entry_point={self.entry_point!r}, latest_training_job={job!r})"

    # ---- hyperparameters and image ------------------------------------------------------

    def set_hyperparameters(self, **values: Any) -> None:
        """Add or replace hyperparameters (passed to the script as ``--key value``)."""
        reserved = sorted(RESERVED_HYPERPARAMETERS & set(values))
        if reserved:
            raise ConfigurationError(
                f"hyperparameters {reserved} are set by the estimator itself; rename yours or use the "
                "matching argument (entry_point, distribution, compiler_config, ...)."
            )
        encode_hyperparameters(values)  # fail now on values JSON cannot hold
        self._hyperparameters.update(values)

    def hyperparameters(self) -> dict[str, str]:
        """The user's, distribution and compiler hyperparameters, JSON-encoded (as SDK v2)."""
        values: dict[str, Any] = dict(self._hyperparameters)
        values.update(distribution_hyperparameters(self.distribution, self.instance_type))
        if self.compiler_config:
            values.update(self.compiler_config.to_hyperparameters())
        return {**encode_hyperparameters(values), **self._code_hyperparameters_used}

    def training_image_uri(self, session: Any = None) -> str:
        """``image_uri``, or the Hugging Face training image of these versions."""
        if self.image_uri:
            return self.image_uri
        from sagemaker_hf import image_uris

        def resolve(instance_type: str | None) -> str:
            return image_uris.huggingface_image_uri(
                self._session(session).boto_region_name,
                self.framework_version or "",
                pytorch_version=self.pytorch_version,
                tensorflow_version=self.tensorflow_version,
                py_version=self.py_version,
                instance_type=instance_type,
                scope="training",
                compiler=bool(self.compiler_config),
            )

        try:
            return resolve(self._image_instance_type)
        except UnsupportedValueError:
            if self._session(session).runs_images:
                raise
            # Nothing pulls this image: an image of the same versions (GPU-only ones
            # included) just records them, for attach() and create_model().
            return resolve(None)

    def _model_image_arguments(self, image_uri: str | None) -> dict[str, str | None]:
        return {
            "transformers_version": self.framework_version,
            "tensorflow_version": self.tensorflow_version,
            "pytorch_version": self.pytorch_version,
            "py_version": self.py_version,
            "image_uri": image_uri or self.image_uri,
        }

    # ---- attach ---------------------------------------------------------------------------

    @classmethod
    @checked_arguments("HuggingFace.attach")
    def attach(
        cls,
        training_job_name: str,
        sagemaker_session: Session | None = None,
        model_channel_name: str = "model",
    ) -> HuggingFace:
        """An estimator for an existing job, rebuilt from DescribeTrainingJob.

        Versions come from the image tag, the script and code from ``sagemaker_program`` /
        ``sagemaker_submit_directory``. A job still running is waited for (without logs).
        """
        session = sagemaker_session if sagemaker_session is not None else Session()
        job = session.sagemaker_client.describe_training_job(TrainingJobName=training_job_name)
        tags = job_tags(session.sagemaker_client, job)
        estimator = cls(**attach_arguments(job, model_channel_name), tags=tags, sagemaker_session=session)
        estimator._submit_directory = estimator.source_dir
        return attached(estimator, job)


def _known_arguments() -> list[str]:
    import inspect

    return [
        name for name in inspect.signature(HuggingFace.__init__).parameters if name != "unknown_arguments"
    ]
