"""Every keyword of SDK v2's HuggingFace / Framework / EstimatorBase is accepted and sent as v2 sent it.

The expected fields below were read off SDK v2 2.257.7's CreateTrainingJob for the same
arguments (the parity suite compares both sides automatically; this pins our side).
"""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_hf import HuggingFace
from sagemaker_hf.errors import ConfigurationError, SageMakerHFWarning
from tests.training.conftest import BUCKET, GPU_INSTANCE, TRAINING_IMAGE, VERSIONS, huggingface_estimator

OUTPUT = f"s3://{BUCKET}/"
RESOURCES = {"InstanceType": GPU_INSTANCE, "InstanceCount": 1, "VolumeSizeInGB": 30}
ALGORITHM = {
    "TrainingImage": TRAINING_IMAGE,
    "TrainingInputMode": "File",
    "EnableSageMakerMetricsTimeSeries": True,
}
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:credentials"
PLAN = "arn:aws:sagemaker:us-east-1:123456789012:training-plan/plan"

# case -> (arguments, the request fields v2 sent for them: field -> whole value)
V2_REQUESTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "disable_output_compression": (
        {"disable_output_compression": True},
        {"OutputDataConfig": {"S3OutputPath": OUTPUT, "CompressionType": "NONE"}},
    ),
    "disable_profiler": ({"disable_profiler": True}, {"ProfilerConfig": {"DisableProfiler": True}}),
    "profiler_config": (
        {"profiler_config": {"ProfilingIntervalInMilliseconds": 100}},
        {
            "ProfilerConfig": {
                "S3OutputPath": OUTPUT,
                "DisableProfiler": False,
                "ProfilingIntervalInMilliseconds": 100,
            }
        },
    ),
    "debugger_hook_config": (
        {"debugger_hook_config": {"HookParameters": {"save_interval": "10"}}},
        {
            "DebugHookConfig": {
                "S3OutputPath": OUTPUT,
                "CollectionConfigurations": [],
                "HookParameters": {"save_interval": "10"},
            }
        },
    ),
    "debugger_hook_config=False": ({"debugger_hook_config": False}, {"DebugHookConfig": None}),
    "tensorboard_output_config": (
        {
            "tensorboard_output_config": {
                "S3OutputPath": "s3://t/tb",
                "LocalPath": "/opt/ml/output/tensorboard",
            }
        },
        {"TensorBoardOutputConfig": {"S3OutputPath": "s3://t/tb", "LocalPath": "/opt/ml/output/tensorboard"}},
    ),
    "max_retry_attempts": ({"max_retry_attempts": 3}, {"RetryStrategy": {"MaximumRetryAttempts": 3}}),
    "keep_alive_period_in_seconds": (
        {"keep_alive_period_in_seconds": 600},
        {"ResourceConfig": {**RESOURCES, "KeepAlivePeriodInSeconds": 600}},
    ),
    "encrypt_inter_container_traffic": (
        {"encrypt_inter_container_traffic": True},
        {"EnableInterContainerTrafficEncryption": True},
    ),
    "encrypt_inter_container_traffic=False": (
        {"encrypt_inter_container_traffic": False},
        {"EnableInterContainerTrafficEncryption": None},
    ),
    "container entry point and arguments": (
        {"container_entry_point": ["python", "x.py"], "container_arguments": ["--a", "1"]},
        {
            "AlgorithmSpecification": {
                **ALGORITHM,
                "ContainerEntrypoint": ["python", "x.py"],
                "ContainerArguments": ["--a", "1"],
            }
        },
    ),
    "enable_infra_check=False": (
        {"enable_infra_check": False},
        {"InfraCheckConfig": {"EnableInfraCheck": False}},
    ),
    "training repository": (
        {"training_repository_access_mode": "Vpc", "training_repository_credentials_provider_arn": LAMBDA},
        {
            "AlgorithmSpecification": {
                **ALGORITHM,
                "TrainingImageConfig": {
                    "TrainingRepositoryAccessMode": "Vpc",
                    "TrainingRepositoryAuthConfig": {"TrainingRepositoryCredentialsProviderArn": LAMBDA},
                },
            }
        },
    ),
    "enable_remote_debug": (
        {"enable_remote_debug": True},
        {"RemoteDebugConfig": {"EnableRemoteDebug": True}},
    ),
    "enable_session_tag_chaining": (
        {"enable_session_tag_chaining": True},
        {"SessionChainingConfig": {"EnableSessionTagChaining": True}},
    ),
    "training_plan": ({"training_plan": PLAN}, {"ResourceConfig": {**RESOURCES, "TrainingPlanArn": PLAN}}),
    "instance_placement_config": (
        {"instance_placement_config": {"EnableMultipleJobs": True}},
        {"ResourceConfig": {**RESOURCES, "InstancePlacementConfig": {"EnableMultipleJobs": True}}},
    ),
    "instance_groups": (
        {
            "instance_type": None,
            "instance_groups": [
                {"InstanceGroupName": "g1", "InstanceType": GPU_INSTANCE, "InstanceCount": 2}
            ],
        },
        {
            "ResourceConfig": {
                "InstanceGroups": [
                    {"InstanceGroupName": "g1", "InstanceType": GPU_INSTANCE, "InstanceCount": 2}
                ],
                "VolumeSizeInGB": 30,
            }
        },
    ),
    "model_uri": (
        {"model_uri": "s3://m/model.tar.gz", "model_channel_name": "pretrained"},
        {
            "InputDataConfig": [
                {
                    "ChannelName": "training",
                    "DataSource": {
                        "S3DataSource": {
                            "S3DataType": "S3Prefix",
                            "S3Uri": "s3://data/train",
                            "S3DataDistributionType": "FullyReplicated",
                        }
                    },
                },
                {
                    "ChannelName": "pretrained",
                    "DataSource": {
                        "S3DataSource": {
                            "S3DataType": "S3Prefix",
                            "S3Uri": "s3://m/model.tar.gz",
                            "S3DataDistributionType": "FullyReplicated",
                        }
                    },
                    "ContentType": "application/x-sagemaker-model",
                    "InputMode": "File",
                },
            ]
        },
    ),
}


def _fit(session: Any, role: str, source_dir: Any, arguments: dict[str, Any]) -> HuggingFace:
    estimator = huggingface_estimator(session, role, source_dir, **arguments)
    estimator.fit("s3://data/train", wait=False)
    return estimator


@pytest.mark.parametrize("case", sorted(V2_REQUESTS))
def test_each_v2_argument_sends_what_v2_sent(case, requests_log, moto_session, moto_role_arn, source_dir):
    arguments, fields = V2_REQUESTS[case]
    _fit(moto_session, moto_role_arn, source_dir, arguments)
    request = requests_log.one("CreateTrainingJob")
    for field, expected in fields.items():
        assert request.get(field) == expected, f"{field}: {request.get(field)!r}"


def test_by_default_no_debugger_or_profiler_is_asked_for(
    requests_log, moto_session, moto_role_arn, source_dir
):
    # v2 sent DebugHookConfig and ProfilerConfig on every job; docs/migration.md says why we do not.
    _fit(moto_session, moto_role_arn, source_dir, {})
    request = requests_log.one("CreateTrainingJob")
    assert "DebugHookConfig" not in request and "ProfilerConfig" not in request


def test_the_server_holds_the_fields(requests_log, moto_session, moto_role_arn, source_dir):
    estimator = _fit(
        moto_session,
        moto_role_arn,
        source_dir,
        {
            "disable_output_compression": True,
            "keep_alive_period_in_seconds": 60,
            "encrypt_inter_container_traffic": True,
            "debugger_hook_config": {"S3OutputPath": "s3://d/debug"},
            "tensorboard_output_config": {"S3OutputPath": "s3://t/tb"},
        },
    )
    described = estimator.describe()
    assert described["OutputDataConfig"]["CompressionType"] == "NONE"
    assert described["ResourceConfig"]["KeepAlivePeriodInSeconds"] == 60
    assert described["EnableInterContainerTrafficEncryption"] is True
    assert described["DebugHookConfig"]["S3OutputPath"] == "s3://d/debug"
    assert described["TensorBoardOutputConfig"] == {"S3OutputPath": "s3://t/tb"}


def test_uncompressed_output_gives_v2s_model_data_dict(moto_session, moto_role_arn, source_dir):
    estimator = _fit(moto_session, moto_role_arn, source_dir, {"disable_output_compression": True})
    artifacts = estimator.describe()["ModelArtifacts"]["S3ModelArtifacts"]
    assert estimator.model_data == {
        "S3DataSource": {
            "S3Uri": artifacts.rstrip("/") + "/",
            "S3DataType": "S3Prefix",
            "CompressionType": "None",
        }
    }
    # attach() reads the setting back from the job.
    attached = HuggingFace.attach(estimator.latest_training_job.name, sagemaker_session=moto_session)
    assert attached.options.disable_output_compression is True
    assert attached.model_data == estimator.model_data


def test_a_misspelt_keyword_warns_with_the_real_name_and_is_not_sent(
    requests_log, moto_session, moto_role_arn, source_dir
):
    with pytest.warns(SageMakerHFWarning, match=r"metrics_definition \(did you mean metric_definitions\?\)"):
        _fit(moto_session, moto_role_arn, source_dir, {"metrics_definition": [{"Name": "a", "Regex": "b"}]})
    request = requests_log.one("CreateTrainingJob")
    assert "MetricDefinitions" not in request["AlgorithmSpecification"]


def test_rules_and_a_lone_credentials_provider_warn_by_name(
    requests_log, moto_session, moto_role_arn, source_dir
):
    with pytest.warns(SageMakerHFWarning) as caught:
        _fit(
            moto_session,
            moto_role_arn,
            source_dir,
            {"rules": ["LossNotDecreasing"], "training_repository_credentials_provider_arn": LAMBDA},
        )
    messages = " | ".join(str(warning.message) for warning in caught)
    assert "rules" in messages and "training_repository_credentials_provider_arn" in messages
    request = requests_log.one("CreateTrainingJob")
    assert "DebugRuleConfigurations" not in request
    assert "TrainingImageConfig" not in request["AlgorithmSpecification"]


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"disable_profiler": True, "profiler_config": {"DisableProfiler": False}}, "drop one of them"),
        ({"max_retry_attempts": 0}, "max_retry_attempts"),
        ({"keep_alive_period_in_seconds": 7200}, "keep_alive_period_in_seconds"),
        ({"training_repository_access_mode": "Public"}, "training_repository_access_mode"),
        (
            {
                "instance_groups": [
                    {"InstanceGroupName": "g", "InstanceType": GPU_INSTANCE, "InstanceCount": 1}
                ]
            },
            "instance_groups replaces instance_type",
        ),
        ({"instance_type": None, "instance_groups": [{"InstanceGroupName": "g"}]}, "InstanceCount"),
        ({"tensorboard_output_config": {"LocalPath": "/tb"}}, "needs S3OutputPath"),
        ({"model_uri": "./model"}, "fit({'model': './model'})"),
    ],
)
def test_bad_v2_arguments_are_refused_with_the_fix(arguments, words, source_dir):
    with pytest.raises(ConfigurationError) as raised:
        HuggingFace(
            entry_point="train.py",
            source_dir=str(source_dir),
            **VERSIONS,
            **{"instance_type": GPU_INSTANCE, **arguments},
        )
    assert words in str(raised.value)


def test_training_input_takes_v2s_arguments_in_v2s_order():
    from sagemaker_hf.training.inputs import TrainingInput

    # Positional, in v2's order: s3_data, distribution, compression, content_type, record_wrapping,
    # s3_data_type, instance_groups, input_mode. The configs are the ones v2 2.257.7 built.
    grouped = TrainingInput("s3://x", None, None, None, None, "S3Prefix", ["a"], "File")
    assert grouped.config == {
        "DataSource": {
            "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://x", "InstanceGroupNames": ["a"]}
        },
        "InputMode": "File",
    }
    augmented = TrainingInput(
        "s3://x",
        s3_data_type="AugmentedManifestFile",
        attribute_names=["source-ref", "label"],
        target_attribute_name="label",
        shuffle_config={"Seed": 3},
        hub_access_config={"HubContentArn": "arn:hub"},
        model_access_config={"AcceptEula": True},
    )
    assert augmented.config == {
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "AugmentedManifestFile",
                "S3Uri": "s3://x",
                "S3DataDistributionType": "FullyReplicated",
                "AttributeNames": ["source-ref", "label"],
                "HubAccessConfig": {"HubContentArn": "arn:hub"},
                "ModelAccessConfig": {"AcceptEula": True},
            }
        },
        "TargetAttributeName": "label",
        "ShuffleConfig": {"Seed": 3},
    }


GROUPS = [
    {"InstanceGroupName": "g1", "InstanceType": "ml.p4d.24xlarge", "InstanceCount": 2},
    {"InstanceGroupName": "g2", "InstanceType": "ml.c5.xlarge", "InstanceCount": 1},
]
GROUP_VERSIONS = {"transformers_version": "4.28.1", "pytorch_version": "2.0.0", "py_version": "py310"}


@pytest.mark.parametrize(
    ("groups", "distribution", "flags"),
    [
        (  # the hyperparameters v2 2.257.7 sent for the same arguments
            GROUPS,
            {"mpi": {"enabled": True, "processes_per_host": 8}, "instance_groups": ["g1"]},
            {
                "sagemaker_distribution_instance_groups": '["g1"]',
                "sagemaker_mpi_custom_mpi_options": '""',
                "sagemaker_mpi_enabled": "true",
                "sagemaker_mpi_num_of_processes_per_host": "8",
            },
        ),
        (
            GROUPS[:1],
            {"torch_distributed": {"enabled": True}},
            {"sagemaker_torch_distributed_enabled": "true"},
        ),
        (
            GROUPS[:1],
            {"mpi": {"enabled": True}},
            {
                "sagemaker_distribution_instance_groups": '["g1"]',
                "sagemaker_mpi_custom_mpi_options": '""',
                "sagemaker_mpi_enabled": "true",
            },
        ),
    ],
)
def test_distribution_in_a_heterogeneous_cluster(
    groups, distribution, flags, requests_log, moto_session, moto_role_arn, source_dir
):
    estimator = HuggingFace(
        entry_point="train.py",
        source_dir=str(source_dir),
        role=moto_role_arn,
        sagemaker_session=moto_session,
        instance_groups=groups,
        distribution=distribution,
        **GROUP_VERSIONS,
    )
    estimator.fit("s3://data/train", wait=False)
    request = requests_log.one("CreateTrainingJob")
    hyperparameters = {
        key: value
        for key, value in request["HyperParameters"].items()
        if not key.startswith(("sagemaker_program", "sagemaker_submit", "sagemaker_job", "sagemaker_region"))
        and key != "sagemaker_container_log_level"
    }
    assert hyperparameters == flags
    assert request["ResourceConfig"] == {"InstanceGroups": groups, "VolumeSizeInGB": 30}
    assert request["AlgorithmSpecification"]["TrainingImage"].endswith(
        "2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04"
    )
    attached = HuggingFace.attach(request["TrainingJobName"], sagemaker_session=moto_session)
    assert attached.instance_groups == groups


def test_a_distribution_group_the_estimator_lacks_is_refused(source_dir):
    with pytest.raises(
        ConfigurationError, match=r"must name one of the estimator's instance groups \(g1, g2\)"
    ):
        HuggingFace(
            entry_point="train.py",
            source_dir=str(source_dir),
            instance_groups=GROUPS,
            distribution={"mpi": {"enabled": True}, "instance_groups": ["g3"]},
            **GROUP_VERSIONS,
        )


def test_fit_sends_the_experiment_config(requests_log, moto_session, moto_role_arn, source_dir):
    estimator = huggingface_estimator(moto_session, moto_role_arn, source_dir)
    experiment = {"ExperimentName": "e", "TrialName": "t", "TrialComponentDisplayName": "d"}
    estimator.fit("s3://data/train", wait=False, experiment_config=experiment)
    assert requests_log.one("CreateTrainingJob")["ExperimentConfig"] == experiment  # as v2 sent it
