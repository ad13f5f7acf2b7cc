"""Hosting configs with SDK v2's parameter names, validated before any API call.

Each config is a pydantic model; ``to_request()`` gives the exact API shape. Bad values
fail at construction with a message that names the argument, the value and the fix.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sagemaker_hf._validation.api_shapes import check_structure
from sagemaker_hf._validation.v2_config import V2Config
from sagemaker_hf.errors import ConfigurationError

SERVERLESS_MEMORY_SIZES_MB = (1024, 2048, 3072, 4096, 5120, 6144)
SERVERLESS_MAX_CONCURRENCY = 200
CAPTURE_MODES = {"REQUEST": "Input", "RESPONSE": "Output"}
DEFAULT_CSV_CONTENT_TYPES = ("text/csv",)
DEFAULT_JSON_CONTENT_TYPES = ("application/json",)


class ServerlessInferenceConfig(V2Config):
    """A serverless endpoint: memory per worker and concurrent invocations."""

    memory_size_in_mb: int = 2048
    max_concurrency: int = 5
    provisioned_concurrency: int | None = None

    @field_validator("memory_size_in_mb")
    @classmethod
    def _memory(cls, value: int) -> int:
        if value not in SERVERLESS_MEMORY_SIZES_MB:
            sizes = ", ".join(str(size) for size in SERVERLESS_MEMORY_SIZES_MB)
            raise ValueError(
                f"memory_size_in_mb={value} is not offered; serverless endpoints take {sizes} MB "
                "(1 GB steps). Pick one of those."
            )
        return value

    @field_validator("max_concurrency")
    @classmethod
    def _concurrency(cls, value: int) -> int:
        if not 1 <= value <= SERVERLESS_MAX_CONCURRENCY:
            raise ValueError(
                f"max_concurrency={value} is out of range; use 1 to {SERVERLESS_MAX_CONCURRENCY}."
            )
        return value

    @model_validator(mode="after")
    def _provisioned(self) -> ServerlessInferenceConfig:
        provisioned = self.provisioned_concurrency
        if provisioned is not None and not 1 <= provisioned <= self.max_concurrency:
            raise ValueError(
                f"provisioned_concurrency={provisioned} must be between 1 and max_concurrency "
                f"({self.max_concurrency}); raise max_concurrency or lower provisioned_concurrency."
            )
        return self

    def to_request(self) -> dict[str, Any]:
        request: dict[str, Any] = {
            "MemorySizeInMB": self.memory_size_in_mb,
            "MaxConcurrency": self.max_concurrency,
        }
        if self.provisioned_concurrency is not None:
            request["ProvisionedConcurrency"] = self.provisioned_concurrency
        return request


class AsyncInferenceConfig(V2Config):
    """An asynchronous endpoint: where results and failures go, and per-instance concurrency.

    ``output_path`` and ``failure_path`` default, at deploy time, to
    ``s3://<default bucket>/async-endpoint-outputs/<endpoint>`` and
    ``.../async-endpoint-failures/<endpoint>``.
    """

    output_path: str | None = None
    max_concurrent_invocations_per_instance: int | None = Field(default=None, ge=1, le=1000)
    kms_key_id: str | None = None
    notification_config: dict[str, Any] | None = None
    failure_path: str | None = None

    @field_validator("notification_config")
    @classmethod
    def _notification(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        # SuccessTopic/ErrorTopic are SNS topic ARNs; IncludeInferenceResponseIn is a *list*
        # of topic kinds. The API model says so, so the API model checks it.
        if not value:
            return value
        try:
            return check_structure("notification_config", value, "AsyncInferenceNotificationConfig")
        except ConfigurationError as error:
            raise ValueError(str(error)) from None

    def with_default_paths(self, output_path: str, failure_path: str) -> AsyncInferenceConfig:
        """A copy whose unset paths take the given defaults."""
        return self.model_copy(
            update={
                "output_path": self.output_path or output_path,
                "failure_path": self.failure_path or failure_path,
            }
        )

    def to_request(self) -> dict[str, Any]:
        if not self.output_path:
            raise ConfigurationError(
                "AsyncInferenceConfig has no output_path; call with_default_paths() first."
            )
        output: dict[str, Any] = {"S3OutputPath": self.output_path}
        if self.failure_path:
            output["S3FailurePath"] = self.failure_path
        if self.notification_config:
            output["NotificationConfig"] = dict(self.notification_config)
        if self.kms_key_id:
            output["KmsKeyId"] = self.kms_key_id
        request: dict[str, Any] = {"OutputConfig": output}
        if self.max_concurrent_invocations_per_instance:
            request["ClientConfig"] = {
                "MaxConcurrentInvocationsPerInstance": self.max_concurrent_invocations_per_instance
            }
        return request


class DataCaptureConfig(V2Config):
    """Capture endpoint requests and/or responses to S3 (Model Monitor's input).

    ``destination_s3_uri`` defaults, at deploy time, to
    ``s3://<default bucket>/model-monitor/data-capture``.
    """

    enable_capture: bool
    sampling_percentage: int = 20
    destination_s3_uri: str | None = None
    kms_key_id: str | None = None
    capture_options: list[str] = Field(default_factory=lambda: ["REQUEST", "RESPONSE"])
    # SDK v2's defaults: without CaptureContentTypeHeader SageMaker base64-encodes captured JSON.
    csv_content_types: list[str] | None = Field(default_factory=lambda: list(DEFAULT_CSV_CONTENT_TYPES))
    json_content_types: list[str] | None = Field(default_factory=lambda: list(DEFAULT_JSON_CONTENT_TYPES))
    # Accepted so SDK v2 calls keep working; the deploying session decides the default bucket.
    sagemaker_session: Any = Field(default=None, exclude=True, repr=False)

    @field_validator("sampling_percentage")
    @classmethod
    def _percentage(cls, value: int) -> int:
        if not 0 <= value <= 100:
            raise ValueError(f"sampling_percentage={value} is not a percentage; use 0 to 100.")
        return value

    @field_validator("capture_options")
    @classmethod
    def _options(cls, value: list[str]) -> list[str]:
        normalized = [option.upper() for option in value]
        unknown = [option for option in normalized if option not in CAPTURE_MODES]
        if not normalized or unknown:
            raise ValueError(
                f"capture_options={value!r} is not valid; use a non-empty subset of {sorted(CAPTURE_MODES)}."
            )
        return normalized

    @field_validator("csv_content_types", "json_content_types")
    @classmethod
    def _content_types(cls, value: list[str] | None, info: ValidationInfo) -> list[str]:
        # As v2: None or an empty list means the default.
        defaults = {
            "csv_content_types": DEFAULT_CSV_CONTENT_TYPES,
            "json_content_types": DEFAULT_JSON_CONTENT_TYPES,
        }
        return list(value or defaults[info.field_name or ""])

    def with_default_destination(self, destination_s3_uri: str) -> DataCaptureConfig:
        return self.model_copy(update={"destination_s3_uri": self.destination_s3_uri or destination_s3_uri})

    def to_request(self) -> dict[str, Any]:
        if not self.destination_s3_uri:
            raise ConfigurationError(
                "DataCaptureConfig has no destination_s3_uri; call with_default_destination() first."
            )
        request: dict[str, Any] = {
            "EnableCapture": self.enable_capture,
            "InitialSamplingPercentage": self.sampling_percentage,
            "DestinationS3Uri": self.destination_s3_uri,
            "CaptureOptions": [{"CaptureMode": CAPTURE_MODES[option]} for option in self.capture_options],
        }
        if self.kms_key_id:
            request["KmsKeyId"] = self.kms_key_id
        request["CaptureContentTypeHeader"] = {
            "CsvContentTypes": list(self.csv_content_types or DEFAULT_CSV_CONTENT_TYPES),
            "JsonContentTypes": list(self.json_content_types or DEFAULT_JSON_CONTENT_TYPES),
        }
        return request


def vpc_config_request(vpc_config: dict[str, Any] | None) -> dict[str, Any] | None:
    """``VpcConfig`` for CreateModel / CreateTransformJob: only the two keys the API takes."""
    if not vpc_config:
        return None
    if not {"Subnets", "SecurityGroupIds"} <= set(vpc_config):
        raise ConfigurationError(
            f"vpc_config={vpc_config!r} needs both 'Subnets' and 'SecurityGroupIds' (lists of ids)."
        )
    return {"Subnets": list(vpc_config["Subnets"]), "SecurityGroupIds": list(vpc_config["SecurityGroupIds"])}
