"""CreateTrainingJob's request: hyperparameters, resources, stopping, spot, checkpoints, metrics.

:class:`TrainingSettings` holds SDK v2's arguments (validated at construction, errors name
the argument and the fix) and builds the request with :meth:`TrainingSettings.to_request`;
optional fields appear only when set. Hyperparameter values are JSON-encoded strings, as
SageMaker's framework containers expect (``3`` → ``"3"``, ``"bert"`` → ``"\\"bert\\""``).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from sagemaker_hf.errors import ConfigurationError

INPUT_MODES = ("File", "Pipe", "FastFile")
_ENVIRONMENT_KEY = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]{0,511}$")
MAX_HYPERPARAMETERS = 100
MAX_HYPERPARAMETER_KEY = 256
MAX_HYPERPARAMETER_VALUE = 2500
MAX_METRIC_DEFINITIONS = 40
INSTANCE_GROUP_KEYS = ("InstanceGroupName", "InstanceType", "InstanceCount")


def check_hyperparameter_limits(encoded: dict[str, str]) -> None:
    """SageMaker's limits on HyperParameters, checked before sending (botocore does not)."""
    if len(encoded) > MAX_HYPERPARAMETERS:
        raise ConfigurationError(
            f"{len(encoded)} hyperparameters (with the sagemaker_* ones) exceed SageMaker's "
            f"{MAX_HYPERPARAMETERS}; pass a config file through an input channel instead."
        )
    for key, text in encoded.items():
        if len(key) > MAX_HYPERPARAMETER_KEY or len(text) > MAX_HYPERPARAMETER_VALUE:
            raise ConfigurationError(
                f"hyperparameters[{key[:60]!r}] is {len(text)} characters once JSON-encoded; SageMaker "
                f"allows {MAX_HYPERPARAMETER_VALUE} (keys {MAX_HYPERPARAMETER_KEY}). Pass large values as a "
                "file through an input channel."
            )


# ---- resources, stopping, spot, checkpoints, metrics -------------------------------------


class TrainingSettings(BaseModel):
    """Where and how long the job runs, with SDK v2's argument names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_type: str | None = None
    instance_count: int | None = None
    instance_groups: list[dict[str, Any]] | None = None
    volume_size: int = 30
    max_run: int = 86400
    input_mode: str = "File"
    use_spot_instances: bool = False
    max_wait: int | None = None
    checkpoint_s3_uri: str | None = None
    checkpoint_local_path: str | None = None
    metric_definitions: list[dict[str, str]] | None = None
    environment: dict[str, str] | None = None
    volume_kms_key: str | None = None
    output_kms_key: str | None = None
    subnets: list[str] | None = None
    security_group_ids: list[str] | None = None
    enable_network_isolation: bool = False

    @field_validator("instance_count", "volume_size", "max_run", mode="before")
    @classmethod
    def _positive(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name == "instance_count":
            return value
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            units = {"volume_size": " (GB)", "max_run": " (seconds)"}.get(info.field_name, "")
            raise ValueError(f"{value!r} must be a whole number >= 1{units}.")
        return value

    @field_validator("instance_groups")
    @classmethod
    def _instance_groups(cls, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        for group in value or []:
            if set(group) != set(INSTANCE_GROUP_KEYS):
                raise ValueError(
                    f"{group!r} is not an instance group; use {{'InstanceGroupName': 'gpus', "
                    "'InstanceType': 'ml.p4d.24xlarge', 'InstanceCount': 2}."
                )
        return value

    @field_validator("input_mode")
    @classmethod
    def _input_mode(cls, value: str) -> str:
        if value not in INPUT_MODES:
            raise ValueError(f"{value!r} is not an input mode; use one of {', '.join(INPUT_MODES)}.")
        return value

    @field_validator("metric_definitions")
    @classmethod
    def _metrics(cls, value: list[dict[str, str]] | None) -> list[dict[str, str]] | None:
        if not value:
            return None
        if len(value) > MAX_METRIC_DEFINITIONS:
            raise ValueError(f"{len(value)} definitions exceed SageMaker's {MAX_METRIC_DEFINITIONS}.")
        for definition in value:
            if set(definition) != {"Name", "Regex"}:
                raise ValueError(
                    f"{definition!r} is not a metric definition; use {{'Name': 'eval_loss', "
                    "'Regex': 'eval_loss.*=\\\\D*(.*?)$'}."
                )
            try:
                re.compile(definition["Regex"])
            except re.error as error:
                raise ValueError(f"Regex of {definition['Name']!r} does not compile ({error}).") from None
        return value

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for key in value or {}:
            if not _ENVIRONMENT_KEY.match(key):
                raise ValueError(f"{key!r} is not a valid variable name (letters, digits and '_').")
        return value or None

    @model_validator(mode="after")
    def _combinations(self) -> TrainingSettings:
        if self.instance_groups is not None:
            if self.instance_type or self.instance_count is not None:
                raise ValueError(
                    "instance_groups replaces instance_type and instance_count: pass either the groups or "
                    "those two (as v2)."
                )
        elif not self.instance_type:
            raise ValueError(
                "instance_type is required, e.g. instance_type='ml.p3.2xlarge' (or 'local' to train here)."
            )
        if self.use_spot_instances:
            if self.max_wait is None:
                raise ValueError(
                    f"use_spot_instances=True needs max_wait (seconds to wait for spot capacity plus "
                    f"training), at least max_run={self.max_run}, e.g. max_wait={self.max_run * 2}."
                )
            if self.max_wait < self.max_run:
                raise ValueError(
                    f"max_wait={self.max_wait} is shorter than max_run={self.max_run}; max_wait counts the "
                    f"training time too, so it must be >= max_run (e.g. max_wait={self.max_run * 2})."
                )
        elif self.max_wait is not None:
            raise ValueError(
                "max_wait applies to spot training only: set use_spot_instances=True, or drop it."
            )
        if self.checkpoint_local_path and not self.checkpoint_s3_uri:
            raise ValueError("checkpoint_local_path needs checkpoint_s3_uri (where checkpoints are kept).")
        if (self.subnets is None) != (self.security_group_ids is None):
            raise ValueError("VPC training needs both subnets and security_group_ids (lists of ids).")
        return self

    def to_request(
        self,
        job_name: str,
        image: str,
        role_arn: str,
        output_path: str,
        hyperparameters: dict[str, str],
        channels: list[dict[str, Any]],
        tags: list[dict[str, str]] | None = None,
        enable_metrics: bool | None = True,
    ) -> dict[str, Any]:
        """CreateTrainingJob arguments: the required fields, then each optional one that is set."""
        algorithm: dict[str, Any] = {"TrainingImage": image, "TrainingInputMode": self.input_mode}
        if enable_metrics is not None:  # v2's generic Estimator sent nothing unless asked
            algorithm["EnableSageMakerMetricsTimeSeries"] = enable_metrics
        if self.metric_definitions:
            algorithm["MetricDefinitions"] = [dict(item) for item in self.metric_definitions]
        output: dict[str, Any] = {"S3OutputPath": output_path}
        if self.output_kms_key:
            output["KmsKeyId"] = self.output_kms_key
        resources: dict[str, Any] = (
            {"InstanceGroups": [dict(group) for group in self.instance_groups]}
            if self.instance_groups is not None
            else {"InstanceType": self.instance_type, "InstanceCount": self.instance_count or 1}
        )
        resources["VolumeSizeInGB"] = self.volume_size
        if self.volume_kms_key:
            resources["VolumeKmsKeyId"] = self.volume_kms_key
        stopping: dict[str, Any] = {"MaxRuntimeInSeconds": self.max_run}
        if self.max_wait is not None:
            stopping["MaxWaitTimeInSeconds"] = self.max_wait
        request: dict[str, Any] = {
            "TrainingJobName": job_name,
            "AlgorithmSpecification": algorithm,
            "RoleArn": role_arn,
            "OutputDataConfig": output,
            "ResourceConfig": resources,
            "StoppingCondition": stopping,
            "HyperParameters": hyperparameters,
        }
        if channels:
            request["InputDataConfig"] = channels
        if self.subnets is not None:
            groups = list(self.security_group_ids or [])
            request["VpcConfig"] = {"Subnets": list(self.subnets), "SecurityGroupIds": groups}
        if self.enable_network_isolation:
            request["EnableNetworkIsolation"] = True
        if self.use_spot_instances:
            request["EnableManagedSpotTraining"] = True
        if self.checkpoint_s3_uri:
            checkpoint = {"S3Uri": self.checkpoint_s3_uri}
            if self.checkpoint_local_path:
                checkpoint["LocalPath"] = self.checkpoint_local_path
            request["CheckpointConfig"] = checkpoint
        if self.environment:
            request["Environment"] = dict(self.environment)
        if tags:
            request["Tags"] = tags
        return request
