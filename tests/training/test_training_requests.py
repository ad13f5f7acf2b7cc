"""The exact CreateTrainingJob that fit() sends (captured, validation on), and what moto then holds."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sagemaker_hf import HuggingFace, TrainingCompilerConfig
from sagemaker_hf.training.inputs import TrainingInput
from tests.sdk.conftest import s3_bytes, tar_members
from tests.training.conftest import (
    BUCKET,
    GPU_INSTANCE,
    MULTI_GPU_INSTANCE,
    TRAINING_IMAGE,
    VERSIONS,
)


def _estimator(session: Any, role: str, source_dir: Any, **arguments: Any) -> HuggingFace:
    settings = {"instance_type": GPU_INSTANCE, **VERSIONS, **arguments}
    return HuggingFace(
        entry_point="train.py",
        source_dir=str(source_dir),
        role=role,
        sagemaker_session=session,
        **settings,
    )


def _code_hyperparameters(job: str, program: str = "train.py") -> dict[str, str]:
    return {
        "sagemaker_program": json.dumps(program),
        "sagemaker_submit_directory": json.dumps(f"s3://{BUCKET}/{job}/source/sourcedir.tar.gz"),
        "sagemaker_container_log_level": "20",
        "sagemaker_job_name": json.dumps(job),
        "sagemaker_region": json.dumps("us-east-1"),
    }


def test_plain_job(requests_log, moto_session, moto_role_arn, source_dir):
    estimator = _estimator(
        moto_session,
        moto_role_arn,
        source_dir,
        hyperparameters={"epochs": 3, "model_name": "distilbert-base-uncased", "fp16": True, "lr": 5e-5},
    )
    estimator.fit({"train": "s3://data/train", "test": "s3://data/test"})
    job = estimator.latest_training_job.name

    assert job.startswith("huggingface-pytorch-training-")
    assert requests_log.operations() == ["CreateTrainingJob", "DescribeTrainingJob"]
    assert requests_log.one("CreateTrainingJob") == {
        "TrainingJobName": job,
        "AlgorithmSpecification": {
            "TrainingImage": TRAINING_IMAGE,
            "TrainingInputMode": "File",
            "EnableSageMakerMetricsTimeSeries": True,
        },
        "RoleArn": moto_role_arn,
        "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/"},
        "ResourceConfig": {"InstanceType": GPU_INSTANCE, "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "HyperParameters": {
            "epochs": "3",
            "model_name": '"distilbert-base-uncased"',
            "fp16": "true",
            "lr": "5e-05",
            **_code_hyperparameters(job),
        },
        "InputDataConfig": [
            {
                "ChannelName": channel,
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": f"s3://data/{channel}",
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
            }
            for channel in ("train", "test")
        ],
    }
    # What the server holds matches what was sent.
    described = moto_session.sagemaker_client.describe_training_job(TrainingJobName=job)
    assert described["HyperParameters"] == requests_log.one("CreateTrainingJob")["HyperParameters"]
    assert described["ResourceConfig"]["InstanceType"] == GPU_INSTANCE
    assert described["AlgorithmSpecification"]["TrainingImage"] == TRAINING_IMAGE
    assert estimator.model_data == f"s3://{BUCKET}/{job}/output/model.tar.gz"


def test_sourcedir_is_packed_and_uploaded(moto_session, moto_role_arn, source_dir, tmp_path):
    library = tmp_path / "common"
    library.mkdir()
    (library / "shared.py").write_text("VALUE = 1\n")
    (source_dir / "__pycache__").mkdir()
    (source_dir / "__pycache__" / "train.cpython-311.pyc").write_bytes(b"\x00")
    estimator = _estimator(moto_session, moto_role_arn, source_dir, dependencies=[str(library)])
    estimator.fit("s3://data/train", wait=False)
    job = estimator.latest_training_job.name

    members = tar_members(s3_bytes(moto_session, f"s3://{BUCKET}/{job}/source/sourcedir.tar.gz"))
    assert sorted(members) == ["common/shared.py", "requirements.txt", "train.py", "utils/helpers.py"]
    assert members["train.py"] == (source_dir / "train.py").read_bytes()


def test_entry_point_alone_and_a_local_input_are_uploaded(
    requests_log, moto_session, moto_role_arn, source_dir, tmp_path
):
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.jsonl").write_text('{"text": "good", "label": 1}\n')
    estimator = HuggingFace(
        entry_point=str(source_dir / "train.py"),
        role=moto_role_arn,
        instance_type=GPU_INSTANCE,
        sagemaker_session=moto_session,
        **VERSIONS,
    )
    estimator.fit(str(data), wait=False, job_name="my-job")

    request = requests_log.one("CreateTrainingJob")
    assert request["HyperParameters"]["sagemaker_program"] == '"train.py"'
    [channel] = request["InputDataConfig"]
    assert channel["ChannelName"] == "training"
    assert channel["DataSource"]["S3DataSource"]["S3Uri"] == f"s3://{BUCKET}/my-job/input/training"
    assert s3_bytes(moto_session, f"s3://{BUCKET}/my-job/input/training/train.jsonl").startswith(b'{"text"')
    members = tar_members(s3_bytes(moto_session, f"s3://{BUCKET}/my-job/source/sourcedir.tar.gz"))
    assert sorted(members) == ["train.py"]


# distribution -> the flags SDK v2 adds, on ml.p3.16xlarge
DISTRIBUTIONS = {
    "smdistributed-dataparallel": (
        {"smdistributed": {"dataparallel": {"enabled": True}}},
        {
            "sagemaker_distributed_dataparallel_enabled": "true",
            "sagemaker_instance_type": json.dumps(MULTI_GPU_INSTANCE),
            "sagemaker_distributed_dataparallel_custom_mpi_options": '""',
        },
    ),
    "smdistributed-modelparallel": (
        {
            "smdistributed": {"modelparallel": {"enabled": True, "parameters": {"partitions": 2}}},
            "mpi": {"enabled": True, "processes_per_host": 8},
        },
        {
            "sagemaker_mpi_enabled": "true",
            "sagemaker_mpi_num_of_processes_per_host": "8",
            "sagemaker_mpi_custom_mpi_options": '""',
            "mp_parameters": '{"partitions": 2}',
            "sagemaker_distributed_dataparallel_enabled": "false",
            "sagemaker_instance_type": json.dumps(MULTI_GPU_INSTANCE),
        },
    ),
    "torch_distributed": (
        {"torch_distributed": {"enabled": True}},
        {
            "sagemaker_torch_distributed_enabled": "true",
            "sagemaker_instance_type": json.dumps(MULTI_GPU_INSTANCE),
        },
    ),
    "pytorchddp": (
        {"pytorchddp": {"enabled": True}},
        {"sagemaker_pytorch_ddp_enabled": "true", "sagemaker_instance_type": json.dumps(MULTI_GPU_INSTANCE)},
    ),
    "mpi": (
        {"mpi": {"enabled": True, "processes_per_host": 4, "custom_mpi_options": "-verbose"}},
        {
            "sagemaker_mpi_enabled": "true",
            "sagemaker_mpi_num_of_processes_per_host": "4",
            "sagemaker_mpi_custom_mpi_options": '"-verbose"',
        },
    ),
}


@pytest.mark.parametrize("kind", sorted(DISTRIBUTIONS))
def test_distribution_flags(kind, requests_log, moto_session, moto_role_arn, source_dir):
    distribution, flags = DISTRIBUTIONS[kind]
    # torch_distributed needs an image with torchrun: PyTorch 1.13.1 or later, typed as v2 listed it.
    versions = (
        {"transformers_version": "4.26.0", "pytorch_version": "1.13.1"} if kind == "torch_distributed" else {}
    )
    estimator = _estimator(
        moto_session,
        moto_role_arn,
        source_dir,
        instance_type=MULTI_GPU_INSTANCE,
        instance_count=2,
        distribution=distribution,
        **versions,
    )
    estimator.fit("s3://data/train", wait=False)
    job = estimator.latest_training_job.name

    request = requests_log.one("CreateTrainingJob")
    assert request["HyperParameters"] == {**_code_hyperparameters(job), **flags}
    assert request["ResourceConfig"]["InstanceCount"] == 2
    # attach() reads the same distribution back from the flags.
    attached = HuggingFace.attach(job, sagemaker_session=moto_session)
    assert attached.distribution == distribution


def test_spot_with_checkpoints(requests_log, moto_session, moto_role_arn, source_dir):
    estimator = _estimator(
        moto_session,
        moto_role_arn,
        source_dir,
        use_spot_instances=True,
        max_run=3600,
        max_wait=7200,
        checkpoint_s3_uri="s3://checkpoints/run-1",
        checkpoint_local_path="/opt/ml/checkpoints",
    )
    estimator.fit("s3://data/train", wait=False)

    request = requests_log.one("CreateTrainingJob")
    assert request["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}
    assert request["EnableManagedSpotTraining"] is True
    assert request["CheckpointConfig"] == {
        "S3Uri": "s3://checkpoints/run-1",
        "LocalPath": "/opt/ml/checkpoints",
    }
    described = moto_session.sagemaker_client.describe_training_job(
        TrainingJobName=request["TrainingJobName"]
    )
    assert described["EnableManagedSpotTraining"] is True
    assert described["CheckpointConfig"] == request["CheckpointConfig"]
    assert described["StoppingCondition"] == request["StoppingCondition"]


def test_metrics_environment_and_the_other_optional_fields(
    requests_log, moto_session, moto_role_arn, source_dir
):
    moto_session.s3_client.create_bucket(Bucket="outputs")
    metrics = [
        {"Name": "loss", "Regex": "'loss': ([0-9]+(.|e\\-)[0-9]+),?"},
        {"Name": "eval_accuracy", "Regex": "'eval_accuracy': ([0-9]+(.|e\\-)[0-9]+),?"},
    ]
    estimator = _estimator(
        moto_session,
        moto_role_arn,
        source_dir,
        metric_definitions=metrics,
        environment={"HF_HUB_OFFLINE": "1"},
        output_path="s3://outputs/hf",
        output_kms_key="kms-out",
        volume_kms_key="kms-volume",
        volume_size=100,
        input_mode="FastFile",
        subnets=["subnet-1"],
        security_group_ids=["sg-1"],
        tags={"project": "demo"},
        base_job_name="sentiment",
    )
    estimator.fit(
        {"train": TrainingInput("s3://data/train", content_type="application/jsonlines", compression="Gzip")},
        wait=False,
    )

    request = requests_log.one("CreateTrainingJob")
    job = request["TrainingJobName"]
    assert job.startswith("sentiment-")
    assert request["AlgorithmSpecification"]["MetricDefinitions"] == metrics
    assert request["AlgorithmSpecification"]["TrainingInputMode"] == "FastFile"
    assert request["Environment"] == {"HF_HUB_OFFLINE": "1"}
    assert request["OutputDataConfig"] == {"S3OutputPath": "s3://outputs/hf", "KmsKeyId": "kms-out"}
    assert request["ResourceConfig"]["VolumeKmsKeyId"] == "kms-volume"
    assert request["ResourceConfig"]["VolumeSizeInGB"] == 100
    assert request["VpcConfig"] == {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}
    assert request["Tags"] == [{"Key": "project", "Value": "demo"}]
    [channel] = request["InputDataConfig"]
    assert channel["ContentType"] == "application/jsonlines"
    assert channel["CompressionType"] == "Gzip"
    # SDK v2 keeps the code next to the output, in the output bucket.
    assert request["HyperParameters"]["sagemaker_submit_directory"] == json.dumps(
        f"s3://outputs/{job}/source/sourcedir.tar.gz"
    )
    assert estimator.model_data == f"s3://outputs/hf/{job}/output/model.tar.gz"


def test_training_compiler(requests_log, moto_session, moto_role_arn, source_dir):
    estimator = HuggingFace(
        entry_point="train.py",
        source_dir=str(source_dir),
        role=moto_role_arn,
        instance_type="ml.p3.2xlarge",
        instance_count=2,
        transformers_version="4.21.1",
        pytorch_version="1.11.0",
        py_version="py38",
        compiler_config=TrainingCompilerConfig(),
        distribution={"pytorchxla": {"enabled": True}},
        sagemaker_session=moto_session,
    )
    estimator.fit("s3://data/train", wait=False)

    request = requests_log.one("CreateTrainingJob")
    job = request["TrainingJobName"]
    assert job.startswith("huggingface-pytorch-trcomp-training-")
    assert request["AlgorithmSpecification"]["TrainingImage"] == (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-trcomp-training:"
        "1.11.0-transformers4.21.1-gpu-py38-cu113-ubuntu20.04"
    )
    assert request["HyperParameters"] == {
        **_code_hyperparameters(job),
        "sagemaker_pytorch_xla_multi_worker_enabled": "true",
        "sagemaker_training_compiler_enabled": "true",
        "sagemaker_training_compiler_debug_mode": "false",
    }
    attached = HuggingFace.attach(job, sagemaker_session=moto_session)
    assert attached.compiler_config == TrainingCompilerConfig(enabled=True, debug=False)
    assert (attached.framework_version, attached.pytorch_version) == ("4.21.1", "1.11.0")


def test_network_isolation_sends_the_code_as_a_channel(requests_log, moto_session, moto_role_arn, source_dir):
    estimator = _estimator(moto_session, moto_role_arn, source_dir, enable_network_isolation=True)
    estimator.fit("s3://data/train", wait=False)

    request = requests_log.one("CreateTrainingJob")
    job = request["TrainingJobName"]
    assert request["EnableNetworkIsolation"] is True
    code = request["InputDataConfig"][-1]
    assert code["ChannelName"] == "code"
    assert code["DataSource"]["S3DataSource"]["S3Uri"] == f"s3://{BUCKET}/{job}/source/sourcedir.tar.gz"
    assert request["HyperParameters"]["sagemaker_submit_directory"] == json.dumps(
        "/opt/ml/input/data/code/sourcedir.tar.gz"
    )
