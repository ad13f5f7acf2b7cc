"""SDK v2's optional training-job features, as the CreateTrainingJob fields v2 sent for them.

:class:`JobOptions` holds the ``EstimatorBase`` arguments that each map to one request
field (checked at construction, errors name the argument and the fix), and
:meth:`JobOptions.apply` adds the fields that are set to a request built by
:class:`~sagemaker_hf.training.request.TrainingSettings`. Each mapping below was read off
SDK v2 2.257.7's requests.

Debugger, profiler and TensorBoard configs are the API's own dicts
(``{"S3OutputPath": ..., "CollectionConfigurations": [...]}``); v2's
``sagemaker.debugger`` classes are not reimplemented. One deliberate difference: v2 sent
a ``DebugHookConfig`` and a ``ProfilerConfig`` on every job (in regions that had them);
here they are sent only when asked for (docs/migration.md says why).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sagemaker_hf import storage
from sagemaker_hf._validation import warn_ignored_arguments

MODEL_CHANNEL_CONTENT_TYPE = "application/x-sagemaker-model"  # v2's content type for model_uri
MAX_KEEP_ALIVE_SECONDS = 3600
MAX_RETRY_ATTEMPTS = 30


class JobOptions(BaseModel):
    """The optional features of a training job, with SDK v2's argument names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    keep_alive_period_in_seconds: int | None = Field(default=None, ge=0, le=MAX_KEEP_ALIVE_SECONDS)
    max_retry_attempts: int | None = Field(default=None, ge=1, le=MAX_RETRY_ATTEMPTS)
    encrypt_inter_container_traffic: bool = False
    container_entry_point: list[str] | None = None
    container_arguments: list[str] | None = None
    enable_infra_check: bool | None = None
    training_repository_access_mode: Literal["Platform", "Vpc"] | None = None
    training_repository_credentials_provider_arn: str | None = None
    disable_output_compression: bool = False
    enable_remote_debug: bool | None = None
    enable_session_tag_chaining: bool | None = None
    training_plan: str | None = None
    instance_placement_config: dict[str, Any] | None = None
    debugger_hook_config: dict[str, Any] | None = None
    profiler_config: dict[str, Any] | None = None
    disable_profiler: bool = False
    tensorboard_output_config: dict[str, Any] | None = None
    model_uri: str | None = None
    model_channel_name: str = "model"

    @field_validator("tensorboard_output_config")
    @classmethod
    def _tensorboard(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and not value.get("S3OutputPath"):
            raise ValueError(
                "needs S3OutputPath, e.g. {'S3OutputPath': 's3://bucket/tensorboard', "
                "'LocalPath': '/opt/ml/output/tensorboard'}."
            )
        return value

    @field_validator("model_uri")
    @classmethod
    def _model_uri(cls, value: str | None) -> str | None:
        if value is not None and not storage.is_s3(value) and not value.startswith("file://"):
            raise ValueError(
                f"{value!r} must be an s3:// URI of the starting model (or file:// in local mode); "
                "pass a local folder as a fit() channel instead, e.g. fit({'model': './model'})."
            )
        return value

    @model_validator(mode="after")
    def _combinations(self) -> JobOptions:
        if self.disable_profiler and self.profiler_config and not self.profiler_config.get("DisableProfiler"):
            raise ValueError(
                "disable_profiler=True with a profiler_config that enables the profiler: drop one of them "
                "(v2 raised the same)."
            )
        return self

    def warn_ignored(self, owner: str) -> None:
        """Name what is accepted without effect: v2 dropped a credentials provider given without
        ``training_repository_access_mode``, and so does this."""
        provider = self.training_repository_credentials_provider_arn
        if provider is not None and self.training_repository_access_mode is None:
            warn_ignored_arguments(
                owner,
                {"training_repository_credentials_provider_arn": provider},
                "it applies only with training_repository_access_mode='Vpc' (v2 dropped it too).",
            )

    def extra_channels(self) -> list[dict[str, Any]]:
        """``model_uri`` as v2's model channel."""
        if self.model_uri is None:
            return []
        data_source = {
            "S3DataType": "S3Prefix",
            "S3Uri": self.model_uri,
            "S3DataDistributionType": "FullyReplicated",
        }
        return [
            {
                "ChannelName": self.model_channel_name,
                "DataSource": {"S3DataSource": data_source},
                "ContentType": MODEL_CHANNEL_CONTENT_TYPE,
                "InputMode": "File",
            }
        ]

    def apply(self, request: dict[str, Any], output_path: str) -> dict[str, Any]:
        """Add the fields of the options that are set to ``request`` (returned, changed in place)."""
        algorithm, resources = request["AlgorithmSpecification"], request["ResourceConfig"]
        if self.container_entry_point is not None:
            algorithm["ContainerEntrypoint"] = list(self.container_entry_point)
        if self.container_arguments is not None:
            algorithm["ContainerArguments"] = list(self.container_arguments)
        if self.training_repository_access_mode is not None:
            image_config: dict[str, Any] = {
                "TrainingRepositoryAccessMode": self.training_repository_access_mode
            }
            provider = self.training_repository_credentials_provider_arn
            if provider is not None:
                image_config["TrainingRepositoryAuthConfig"] = {
                    "TrainingRepositoryCredentialsProviderArn": provider
                }
            algorithm["TrainingImageConfig"] = image_config
        if self.disable_output_compression:
            request["OutputDataConfig"]["CompressionType"] = "NONE"
        if self.keep_alive_period_in_seconds is not None:
            resources["KeepAlivePeriodInSeconds"] = self.keep_alive_period_in_seconds
        if self.training_plan is not None:
            resources["TrainingPlanArn"] = self.training_plan
        if self.instance_placement_config is not None:
            resources["InstancePlacementConfig"] = dict(self.instance_placement_config)
        if self.max_retry_attempts is not None:
            request["RetryStrategy"] = {"MaximumRetryAttempts": self.max_retry_attempts}
        if self.encrypt_inter_container_traffic:
            request["EnableInterContainerTrafficEncryption"] = True
        if self.enable_infra_check is not None:
            request["InfraCheckConfig"] = {"EnableInfraCheck": self.enable_infra_check}
        if self.enable_remote_debug is not None:
            request["RemoteDebugConfig"] = {"EnableRemoteDebug": self.enable_remote_debug}
        if self.enable_session_tag_chaining is not None:
            request["SessionChainingConfig"] = {"EnableSessionTagChaining": self.enable_session_tag_chaining}
        if self.debugger_hook_config is not None:
            # v2's defaults: the job's output path, no collections beyond the hook's own.
            request["DebugHookConfig"] = {
                "S3OutputPath": output_path,
                "CollectionConfigurations": [],
                **self.debugger_hook_config,
            }
        if self.disable_profiler:
            request["ProfilerConfig"] = {"DisableProfiler": True}
        elif self.profiler_config is not None:
            request["ProfilerConfig"] = {
                "S3OutputPath": output_path,
                "DisableProfiler": False,
                **self.profiler_config,
            }
        if self.tensorboard_output_config is not None:
            request["TensorBoardOutputConfig"] = dict(self.tensorboard_output_config)
        return request
