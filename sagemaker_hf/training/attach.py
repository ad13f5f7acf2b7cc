"""``HuggingFace.attach()``: the constructor arguments of an existing training job.

Everything is read back from DescribeTrainingJob: the versions from the image tag (a
custom image is kept as ``image_uri``), the script and code from ``sagemaker_program`` /
``sagemaker_submit_directory``, distribution and compiler settings from their
hyperparameters, and the rest from the request fields SageMaker echoes.
"""

from __future__ import annotations

from typing import Any

from sagemaker_hf.container.training import (
    LOG_LEVEL,
    PROGRAM,
    SCRIPT_MODE_HYPERPARAMETERS,
    SUBMIT_DIRECTORY,
    decode_hyperparameters,
)
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.names import base_from_name
from sagemaker_hf.training.compiler import COMPILER_DEBUG, COMPILER_ENABLED, TrainingCompilerConfig
from sagemaker_hf.training.distribution import DISTRIBUTION_HYPERPARAMETERS, distribution_from_hyperparameters

# Hyperparameters the estimator sets itself; a user's own may not use these names.
RESERVED_HYPERPARAMETERS = frozenset(
    {*SCRIPT_MODE_HYPERPARAMETERS, COMPILER_ENABLED, COMPILER_DEBUG} | DISTRIBUTION_HYPERPARAMETERS
)


def _versions(image: str) -> dict[str, Any]:
    from sagemaker_hf.image_uris import parse_image_tag

    tag = parse_image_tag(image)
    if tag is None:
        return {"image_uri": image}
    return {
        "transformers_version": tag.transformers_version,
        f"{tag.framework}_version": tag.framework_version,
        "py_version": tag.py_version,
    }


def job_arguments(job: dict[str, Any], model_channel_name: str = "model") -> dict[str, Any]:
    """The constructor arguments every estimator shares, read back from DescribeTrainingJob.

    What v2's ``EstimatorBase`` restored, plus the fields this package sends that v2 did
    not read back (metrics, checkpoints, environment, KMS and compression settings).
    """
    algorithm = job["AlgorithmSpecification"]
    resources = job["ResourceConfig"]
    stopping = job.get("StoppingCondition", {})
    output = job.get("OutputDataConfig", {})
    checkpoint = job.get("CheckpointConfig", {})
    vpc = job.get("VpcConfig", {})
    image_config = algorithm.get("TrainingImageConfig", {})
    spot = bool(job.get("EnableManagedSpotTraining"))
    groups = resources.get("InstanceGroups")
    arguments: dict[str, Any] = {
        "role": job.get("RoleArn"),
        "instance_type": None if groups else resources.get("InstanceType"),
        "instance_count": None if groups else resources.get("InstanceCount", 1),
        "instance_groups": groups,
        "volume_size": resources.get("VolumeSizeInGB", 30),
        "volume_kms_key": resources.get("VolumeKmsKeyId"),
        "keep_alive_period_in_seconds": resources.get("KeepAlivePeriodInSeconds"),
        "training_plan": resources.get("TrainingPlanArn"),
        "instance_placement_config": resources.get("InstancePlacementConfig"),
        "max_run": stopping.get("MaxRuntimeInSeconds", 86400),
        "max_wait": stopping.get("MaxWaitTimeInSeconds") if spot else None,
        "use_spot_instances": spot,
        "max_retry_attempts": job.get("RetryStrategy", {}).get("MaximumRetryAttempts"),
        "input_mode": algorithm.get("TrainingInputMode", "File"),
        "metric_definitions": algorithm.get("MetricDefinitions"),
        "container_entry_point": algorithm.get("ContainerEntrypoint"),
        "container_arguments": algorithm.get("ContainerArguments"),
        "training_repository_access_mode": image_config.get("TrainingRepositoryAccessMode"),
        "training_repository_credentials_provider_arn": image_config.get(
            "TrainingRepositoryAuthConfig", {}
        ).get("TrainingRepositoryCredentialsProviderArn"),
        "output_path": output.get("S3OutputPath"),
        "output_kms_key": output.get("KmsKeyId"),
        "disable_output_compression": output.get("CompressionType") == "NONE",
        "checkpoint_s3_uri": checkpoint.get("S3Uri"),
        "checkpoint_local_path": checkpoint.get("LocalPath"),
        "subnets": vpc.get("Subnets"),
        "security_group_ids": vpc.get("SecurityGroupIds"),
        "enable_network_isolation": bool(job.get("EnableNetworkIsolation")),
        "encrypt_inter_container_traffic": job.get("EnableInterContainerTrafficEncryption"),
        "enable_infra_check": job.get("InfraCheckConfig", {}).get("EnableInfraCheck"),
        "enable_remote_debug": job.get("RemoteDebugConfig", {}).get("EnableRemoteDebug"),
        "environment": job.get("Environment"),
        "base_job_name": base_from_name(job["TrainingJobName"]),
    }
    for channel in job.get("InputDataConfig") or []:
        if channel["ChannelName"] == model_channel_name:  # v2: the starting model came in this channel
            arguments["model_uri"] = channel["DataSource"]["S3DataSource"]["S3Uri"]
            arguments["model_channel_name"] = model_channel_name
    return arguments


def job_tags(client: Any, job: dict[str, Any]) -> list[dict[str, str]] | None:
    """The job's tags (v2's attach() read them with ListTags); None where the client keeps none."""
    from botocore.exceptions import ClientError

    try:
        return client.list_tags(ResourceArn=job["TrainingJobArn"]).get("Tags") or None
    except ClientError as error:
        if error.response["Error"]["Code"] == "NotImplemented":  # local mode keeps no tags
            return None
        raise


def attach_arguments(job: dict[str, Any], model_channel_name: str = "model") -> dict[str, Any]:
    """``HuggingFace(**arguments)`` for the job described by ``job`` (DescribeTrainingJob)."""
    name = job["TrainingJobName"]
    hyperparameters = decode_hyperparameters(job.get("HyperParameters") or {})
    if PROGRAM not in hyperparameters:
        raise ConfigurationError(
            f"Training job {name!r} was not started by a framework estimator (it has no {PROGRAM} "
            "hyperparameter), so HuggingFace.attach() cannot rebuild it; sagemaker_hf.Estimator.attach() can."
        )
    compiler = None
    if hyperparameters.get(COMPILER_ENABLED):
        compiler = TrainingCompilerConfig(enabled=True, debug=bool(hyperparameters.get(COMPILER_DEBUG)))
    algorithm = job["AlgorithmSpecification"]
    return {
        **job_arguments(job, model_channel_name),
        **_versions(algorithm["TrainingImage"]),
        "entry_point": hyperparameters[PROGRAM],
        "source_dir": hyperparameters.get(SUBMIT_DIRECTORY),
        "hyperparameters": {
            key: value for key, value in hyperparameters.items() if key not in RESERVED_HYPERPARAMETERS
        },
        "distribution": distribution_from_hyperparameters(hyperparameters) or None,
        "compiler_config": compiler,
        "enable_sagemaker_metrics": algorithm.get("EnableSageMakerMetricsTimeSeries", True),
        "container_log_level": hyperparameters.get(LOG_LEVEL, 20),
    }
