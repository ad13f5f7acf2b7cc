"""After training: attach(), deploying and batch-transforming the trained model, metrics, logs."""

from __future__ import annotations

import json

from sdk import Estimator, HuggingFace, Session, TrainingJobAnalytics

from tests.parity.scenario import BUCKET, ROLE, Case, scenario
from tests.parity.scenarios.training import estimator

JOB = "huggingface-pytorch-training-2025-01-01-12-00-00-000"
TRAINING_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
    "2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04"
)


def seed_finished_job(case: Case, name: str = JOB, **fields: object) -> None:
    """A job as a framework estimator started it: what DescribeTrainingJob then returns."""
    hyperparameters = {
        "epochs": "1",
        "model_name": json.dumps("distilbert-base-uncased"),
        "sagemaker_program": json.dumps("train.py"),
        "sagemaker_submit_directory": json.dumps(f"s3://{BUCKET}/{name}/source/sourcedir.tar.gz"),
        "sagemaker_container_log_level": "20",
        "sagemaker_job_name": json.dumps(name),
        "sagemaker_region": json.dumps("us-east-1"),
    }
    request = {
        "TrainingJobName": name,
        "AlgorithmSpecification": {
            "TrainingImage": TRAINING_IMAGE,
            "TrainingInputMode": "File",
            "EnableSageMakerMetricsTimeSeries": True,
            "MetricDefinitions": [{"Name": "loss", "Regex": "loss: ([0-9.]+)"}],
        },
        "RoleArn": ROLE,
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": f"s3://{BUCKET}/data/train",
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
            }
        ],
        "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/"},
        "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "HyperParameters": hyperparameters,
        "EnableNetworkIsolation": False,
        "EnableInterContainerTrafficEncryption": False,
        "EnableManagedSpotTraining": False,
        **fields,
    }
    case.aws.sagemaker.seed_training_job(request)


@scenario
def attach_to_finished_job(case: Case) -> None:
    seed_finished_job(case)
    huggingface_estimator = HuggingFace.attach(JOB)
    case.result("model_data", huggingface_estimator.model_data)
    case.result("entry_point", huggingface_estimator.entry_point)
    case.result("source_dir", huggingface_estimator.source_dir)
    case.result("instance_type", huggingface_estimator.instance_type)
    case.result("hyperparameters", huggingface_estimator.hyperparameters())
    case.result("base_job_name", huggingface_estimator.base_job_name)


@scenario
def attach_then_deploy(case: Case) -> None:
    seed_finished_job(case)
    huggingface_estimator = HuggingFace.attach(JOB)
    huggingface_estimator.deploy(initial_instance_count=1, instance_type="ml.g4dn.xlarge")


@scenario
def attach_with_generic_estimator(case: Case) -> None:
    seed_finished_job(case)
    generic_estimator = Estimator.attach(JOB)
    case.result("model_data", generic_estimator.model_data)
    case.result("image_uri", generic_estimator.image_uri)


@scenario
def fit_then_deploy(case: Case) -> None:
    huggingface_estimator = estimator(case)
    huggingface_estimator.fit({"train": f"s3://{BUCKET}/data/train"})
    predictor = huggingface_estimator.deploy(initial_instance_count=1, instance_type="ml.g4dn.xlarge")
    case.result("predict", predictor.predict({"inputs": "great"}))


@scenario
def fit_then_transformer(case: Case) -> None:
    huggingface_estimator = estimator(case)
    huggingface_estimator.fit({"train": f"s3://{BUCKET}/data/train"})
    batch_job = huggingface_estimator.transformer(
        instance_count=1, instance_type="ml.m5.xlarge", strategy="SingleRecord"
    )
    batch_job.transform(
        f"s3://{BUCKET}/batch/input.jsonl", content_type="application/json", split_type="Line"
    )


@scenario
def training_job_analytics_dataframe(case: Case) -> None:
    seed_finished_job(case)
    frame = TrainingJobAnalytics(JOB, metric_names=["loss"]).dataframe()
    case.result("columns", list(frame.columns))
    case.result("rows", len(frame))


@scenario
def logs_for_job_without_waiting(case: Case) -> None:
    seed_finished_job(case)
    Session().logs_for_job(JOB, wait=False)
