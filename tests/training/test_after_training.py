"""attach(), model_data, create_model(), deploy() and transformer() against moto; failures and logs."""

from __future__ import annotations

import dataclasses
import io
import json
import time
from typing import Any

import boto3
import pytest

from sagemaker_hf import HuggingFace, HuggingFaceModel
from sagemaker_hf.errors import ResourceFailedError
from sagemaker_hf.training import after_training
from sagemaker_hf.training.after_training import TrainedModel
from sagemaker_hf.training.logs import LOG_GROUP, wait_for_training_job
from tests.sdk.conftest import FakeClock, answer
from tests.training.conftest import BUCKET, GPU_INSTANCE, VERSIONS

INFERENCE_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:"
    "1.13-transformers4.26-cpu-py39-ubuntu20.04"
)


def _fitted(session: Any, role: str, source_dir: Any, **arguments: Any) -> HuggingFace:
    estimator = HuggingFace(
        entry_point="train.py",
        source_dir=str(source_dir),
        role=role,
        instance_type=GPU_INSTANCE,
        sagemaker_session=session,
        hyperparameters={"epochs": 2, "model_id": "distilbert-base-uncased"},
        **VERSIONS,
        **arguments,
    )
    estimator.fit({"train": "s3://data/train"})
    return estimator


def test_attach_restores_versions_code_and_hyperparameters(moto_session, moto_role_arn, source_dir):
    trained = _fitted(
        moto_session,
        moto_role_arn,
        source_dir,
        use_spot_instances=True,
        max_wait=172800,
        checkpoint_s3_uri="s3://checkpoints/run",
    )
    job = trained.latest_training_job.name

    attached = HuggingFace.attach(job, sagemaker_session=moto_session)

    assert (attached.framework_version, attached.pytorch_version, attached.py_version) == (
        "4.26",
        "1.13",
        "py39",
    )
    assert attached.tensorflow_version is None and attached.image_uri is None
    assert attached.entry_point == "train.py"
    assert attached.source_dir == f"s3://{BUCKET}/{job}/source/sourcedir.tar.gz"
    assert attached._hyperparameters == {"epochs": 2, "model_id": "distilbert-base-uncased"}
    assert attached.role == moto_role_arn
    assert attached.instance_type == GPU_INSTANCE
    assert attached.settings.use_spot_instances is True
    assert attached.settings.checkpoint_s3_uri == "s3://checkpoints/run"
    assert attached.base_job_name == "huggingface-pytorch-training"
    assert attached.model_data == trained.model_data == f"s3://{BUCKET}/{job}/output/model.tar.gz"


def test_attach_keeps_a_custom_image_and_refuses_foreign_jobs(moto_session, moto_role_arn, source_dir):
    estimator = HuggingFace(
        entry_point="train.py",
        source_dir=str(source_dir),
        image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/my-trainer:1",
        role=moto_role_arn,
        instance_type="ml.m5.xlarge",
        sagemaker_session=moto_session,
    )
    estimator.fit(wait=False)
    attached = HuggingFace.attach(estimator.latest_training_job.name, sagemaker_session=moto_session)
    assert attached.image_uri == "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-trainer:1"
    assert attached.framework_version is None

    moto_session.sagemaker_client.create_training_job(
        TrainingJobName="not-ours",
        AlgorithmSpecification={"TrainingImage": "some/algorithm:1", "TrainingInputMode": "File"},
        RoleArn=moto_role_arn,
        OutputDataConfig={"S3OutputPath": "s3://out"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )
    with pytest.raises(ValueError, match="not started by a framework estimator"):
        HuggingFace.attach("not-ours", sagemaker_session=moto_session)


def test_create_model_has_the_training_versions(moto_session, moto_role_arn, source_dir):
    estimator = _fitted(
        moto_session, moto_role_arn, source_dir, subnets=["subnet-1"], security_group_ids=["sg-1"]
    )

    model = estimator.create_model(env={"HF_TASK": "text-classification"})

    assert isinstance(model, HuggingFaceModel)
    assert (model.framework_version, model.pytorch_version, model.py_version) == ("4.26", "1.13", "py39")
    assert model.model_data == estimator.model_data
    assert model.role == moto_role_arn
    assert model.vpc_config == {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}
    assert model.env == {"HF_TASK": "text-classification"}
    assert model.entry_point is None and model.source_dir is None
    with_code = estimator.create_model(entry_point="train.py", vpc_config_override=None)
    assert with_code.source_dir == str(source_dir)  # the training code, found locally
    assert with_code.vpc_config is None


def test_what_follows_training_reads_one_frozen_value(moto_session, moto_role_arn, source_dir):
    # No mixin declaring the attributes its host must set: the estimator builds a TrainedModel,
    # and create_model(), deploy() and transformer() read that value only.
    estimator = _fitted(moto_session, moto_role_arn, source_dir, base_job_name="tuned")
    assert HuggingFace.create_model is after_training.create_model
    assert HuggingFace.deploy is after_training.deploy
    assert HuggingFace.transformer is after_training.transformer
    trained = estimator._trained_model()
    assert isinstance(trained, TrainedModel)
    with pytest.raises(dataclasses.FrozenInstanceError):
        trained.role = "another"  # type: ignore[misc]
    assert trained.model_data == estimator.model_data and trained.role == moto_role_arn
    assert trained.image_arguments["transformers_version"] == "4.26"
    assert trained.code_dir == str(source_dir) and trained.default_name.startswith("tuned-")
    assert estimator._trained_model(image_uri=INFERENCE_IMAGE).image_arguments["image_uri"] == INFERENCE_IMAGE


def test_documented_deploy_after_training(moto_endpoint, moto_role_arn, moto_results, source_dir):
    moto_results.queue(
        {"Body": json.dumps([{"label": "spam", "score": 0.99}]), "ContentType": "application/json"}
    )

    # ---- the documented snippet; only the import changed -----------------------------
    from sagemaker_hf import HuggingFace

    huggingface_estimator = HuggingFace(
        entry_point="train.py",
        source_dir=str(source_dir),
        instance_type="ml.p3.2xlarge",
        instance_count=1,
        role=moto_role_arn,
        transformers_version="4.26",
        pytorch_version="1.13",
        py_version="py39",
        hyperparameters={"epochs": 1, "model_name": "distilbert-base-uncased"},
    )
    huggingface_estimator.fit({"train": "s3://data/train", "test": "s3://data/test"})
    predictor = huggingface_estimator.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    data = {
        "inputs": "Camera - You are awarded a SiPix Digital Camera! call 09061221066 fromm landline. "
        "Delivery within 28 days."
    }
    result = predictor.predict(data)
    predictor.delete_endpoint()
    # ------------------------------------------------------------------------------------

    assert result == [{"label": "spam", "score": 0.99}]
    client = boto3.client("sagemaker")
    [model] = client.list_models()["Models"]
    container = client.describe_model(ModelName=model["ModelName"])["PrimaryContainer"]
    assert container["Image"] == INFERENCE_IMAGE
    assert container["ModelDataUrl"] == huggingface_estimator.model_data
    assert model["ModelName"].startswith("huggingface-pytorch-training-")
    assert client.list_endpoints()["Endpoints"] == []


def test_transformer_creates_the_model_now(moto_session, moto_role_arn, source_dir):
    estimator = _fitted(moto_session, moto_role_arn, source_dir)

    transformer = estimator.transformer(
        1, "ml.m5.xlarge", strategy="SingleRecord", env={"HF_TASK": "fill-mask"}
    )

    described = moto_session.sagemaker_client.describe_model(ModelName=transformer.model_name)
    assert described["PrimaryContainer"]["ModelDataUrl"] == estimator.model_data
    assert described["PrimaryContainer"]["Image"] == INFERENCE_IMAGE
    assert transformer.env == {"HF_TASK": "fill-mask"}
    assert transformer.strategy == "SingleRecord"


def test_a_failed_job_raises_with_its_failure_reason(moto_session, moto_role_arn, source_dir):
    reason = "AlgorithmError: ExecuteUserScriptError: exit code 1: CUDA out of memory"
    answer(
        moto_session.sagemaker_client,
        "DescribeTrainingJob",
        {
            "TrainingJobName": "x",
            "TrainingJobStatus": "Failed",
            "SecondaryStatus": "Failed",
            "FailureReason": reason,
        },
    )
    estimator = HuggingFace(
        entry_point="train.py",
        source_dir=str(source_dir),
        role=moto_role_arn,
        instance_type=GPU_INSTANCE,
        sagemaker_session=moto_session,
        **VERSIONS,
    )
    with pytest.raises(ResourceFailedError) as raised:
        estimator.fit("s3://data/train")
    assert raised.value.failure_reason == reason
    assert "CUDA out of memory" in str(raised.value)


def test_wait_shows_secondary_status_and_streams_the_log(moto_session):
    job = "hf-job-2024-01-01-00-00-00-000"
    logs = moto_session.logs_client
    now_ms = int(time.time() * 1000)  # CloudWatch refuses events older than 14 days
    logs.create_log_group(logGroupName=LOG_GROUP)
    logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=f"{job}/algo-1-1700000000")
    logs.put_log_events(
        logGroupName=LOG_GROUP,
        logStreamName=f"{job}/algo-1-1700000000",
        logEvents=[{"timestamp": now_ms + i, "message": f"step {i} loss=0.{9 - i}"} for i in range(3)],
    )
    statuses = iter(
        [
            {"TrainingJobStatus": "InProgress", "SecondaryStatus": "Downloading"},
            {"TrainingJobStatus": "InProgress", "SecondaryStatus": "Training"},
            {
                "TrainingJobStatus": "Completed",
                "SecondaryStatus": "Completed",
                "TrainingTimeInSeconds": 100,
                "BillableTimeInSeconds": 40,
                "EnableManagedSpotTraining": True,
            },
        ]
    )
    from botocore.awsrequest import AWSResponse

    moto_session.sagemaker_client.meta.events.register(
        "before-call.sagemaker.DescribeTrainingJob",
        lambda **_: (AWSResponse("http://stub", 200, {}, None), {"TrainingJobName": job, **next(statuses)}),
    )
    progress, log_out, clock = io.StringIO(), io.StringIO(), FakeClock()

    description = wait_for_training_job(moto_session, job, clock=clock, stream=progress, log_out=log_out)

    assert description["TrainingJobStatus"] == "Completed"
    assert log_out.getvalue().splitlines() == ["step 0 loss=0.9", "step 1 loss=0.8", "step 2 loss=0.7"]
    shown = progress.getvalue()
    assert "InProgress - Downloading (0m00s)" in shown
    assert "InProgress - Training (0m01s)" in shown
    assert "billable seconds: 40, managed spot training savings: 60.0%" in shown
    assert clock.sleeps == [1.0, 1.5]


def test_logs_of_a_job_without_a_log_group_are_empty(moto_session, moto_role_arn, source_dir):
    estimator = _fitted(moto_session, moto_role_arn, source_dir)  # moto has no log group for it
    log_out = io.StringIO()
    description = wait_for_training_job(moto_session, estimator.latest_training_job.name, log_out=log_out)
    assert description["TrainingJobStatus"] == "Completed"
    assert log_out.getvalue() == ""
