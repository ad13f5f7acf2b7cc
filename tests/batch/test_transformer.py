"""Batch transform: model.transformer() and Transformer against moto."""

from __future__ import annotations

import pytest

from sagemaker_hf import HuggingFaceModel, Transformer
from sagemaker_hf.errors import ConfigurationError, ResourceFailedError
from tests.sdk.conftest import VERSIONS, answer

BUCKET = "sagemaker-us-east-1-123456789012"
INPUT = "s3://sagemaker-s3-demo-test/samples/input.jsonl"


def _model(session, role):
    hub = {"HF_MODEL_ID": "distilbert-base-uncased-finetuned-sst-2-english", "HF_TASK": "text-classification"}
    return HuggingFaceModel(env=hub, role=role, sagemaker_session=session, **VERSIONS)


def test_documented_batch_snippet(requests_log, moto_session, moto_role_arn):
    huggingface_model = _model(moto_session, moto_role_arn)
    batch_job = huggingface_model.transformer(
        instance_count=1, instance_type="ml.p3.2xlarge", strategy="SingleRecord"
    )
    # The model exists as soon as transformer() returns.
    described_model = moto_session.sagemaker_client.describe_model(ModelName=batch_job.model_name)
    assert "-gpu-" in described_model["PrimaryContainer"]["Image"]

    batch_job.transform(data=INPUT, content_type="application/json", split_type="Line")

    job_name = batch_job.latest_transform_job
    assert job_name.startswith("huggingface-pytorch-inference-")
    assert requests_log.one("CreateTransformJob") == {
        "TransformJobName": job_name,
        "ModelName": batch_job.model_name,
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": INPUT}},
            "ContentType": "application/json",
            "SplitType": "Line",
        },
        "TransformOutput": {"S3OutputPath": f"s3://{BUCKET}/{job_name}"},
        "TransformResources": {"InstanceCount": 1, "InstanceType": "ml.p3.2xlarge"},
        "BatchStrategy": "SingleRecord",
    }
    job = moto_session.sagemaker_client.describe_transform_job(TransformJobName=job_name)
    assert job["TransformJobStatus"] == "Completed"
    assert job["ModelName"] == batch_job.model_name
    assert job["TransformOutput"]["S3OutputPath"] == f"s3://{BUCKET}/{job_name}"


def test_every_optional_field(requests_log, moto_session, moto_role_arn):
    transformer = _model(moto_session, moto_role_arn).transformer(
        instance_count=2,
        instance_type="ml.m5.xlarge",
        strategy="MultiRecord",
        assemble_with="Line",
        output_path="s3://out/predictions",
        output_kms_key="out-key",
        accept="application/json",
        env={"HF_BATCH": "8"},
        max_concurrent_transforms=4,
        max_payload=6,
        tags={"team": "nlp"},
        volume_kms_key="vol-key",
    )
    transformer.transform(
        INPUT,
        content_type="application/json",
        compression_type="Gzip",
        split_type="Line",
        job_name="my-job",
        input_filter="$.inputs",
        output_filter="$",
        join_source="Input",
        wait=False,
    )
    assert requests_log.one("CreateTransformJob") == {
        "TransformJobName": "my-job",
        "ModelName": transformer.model_name,
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": INPUT}},
            "ContentType": "application/json",
            "CompressionType": "Gzip",
            "SplitType": "Line",
        },
        "TransformOutput": {
            "S3OutputPath": "s3://out/predictions",
            "Accept": "application/json",
            "AssembleWith": "Line",
            "KmsKeyId": "out-key",
        },
        "TransformResources": {
            "InstanceCount": 2,
            "InstanceType": "ml.m5.xlarge",
            "VolumeKmsKeyId": "vol-key",
        },
        "BatchStrategy": "MultiRecord",
        "MaxConcurrentTransforms": 4,
        "MaxPayloadInMB": 6,
        "Environment": {"HF_BATCH": "8"},
        "DataProcessing": {"InputFilter": "$.inputs", "OutputFilter": "$", "JoinSource": "Input"},
        "Tags": [{"Key": "team", "Value": "nlp"}],
    }
    assert "DescribeTransformJob" not in requests_log.operations()

    attached = Transformer.attach("my-job", sagemaker_session=moto_session)
    assert attached.model_name == transformer.model_name
    assert (attached.instance_count, attached.instance_type) == (2, "ml.m5.xlarge")
    assert attached.strategy == "MultiRecord"
    assert attached.assemble_with == "Line"
    assert attached.output_path == "s3://out/predictions"
    assert attached.max_payload == 6
    assert attached.env == {"HF_BATCH": "8"}
    assert attached.wait()["TransformJobStatus"] == "Completed"


def test_failed_job_raises_failure_reason(moto_session, moto_role_arn):
    transformer = _model(moto_session, moto_role_arn).transformer(
        instance_count=1, instance_type="ml.m5.xlarge"
    )
    answer(
        moto_session.sagemaker_client,
        "DescribeTransformJob",
        {
            "TransformJobName": "job",
            "TransformJobArn": "arn:aws:sagemaker:us-east-1:123456789012:transform-job/job",
            "TransformJobStatus": "Failed",
            "FailureReason": "ClientError: See job logs for more information",
            "ModelName": transformer.model_name,
            "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": INPUT}}},
            "TransformResources": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge"},
            "CreationTime": 0,
        },
    )
    with pytest.raises(ResourceFailedError, match="ClientError: See job logs") as raised:
        transformer.transform(INPUT, job_name="job")
    assert raised.value.kind == "Transform job"


def test_stop_transform_job(requests_log, moto_session, moto_role_arn):
    transformer = _model(moto_session, moto_role_arn).transformer(
        instance_count=1, instance_type="ml.m5.xlarge"
    )
    transformer.transform(INPUT, job_name="to-stop", wait=False)
    answer(moto_session.sagemaker_client, "StopTransformJob", {})  # moto lacks StopTransformJob
    transformer.stop_transform_job(wait=False)
    assert requests_log.one("StopTransformJob") == {"TransformJobName": "to-stop"}


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"instance_count": 1, "instance_type": "ml.m5.xlarge", "strategy": "Single"}, "strategy='Single'"),
        ({"instance_count": 0, "instance_type": "ml.m5.xlarge"}, "instance_count=0"),
        ({"instance_count": 1, "instance_type": "ml.m5.xlarge", "assemble_with": "Lines"}, "assemble_with"),
    ],
)
def test_bad_transformer_arguments_create_no_model(
    requests_log, moto_session, moto_role_arn, arguments, expected
):
    with pytest.raises(ConfigurationError, match=expected):
        _model(moto_session, moto_role_arn).transformer(**arguments)
    assert moto_session.sagemaker_client.list_models()["Models"] == []


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"data": "input.jsonl"}, "is not an S3 URI"),
        ({"data": INPUT, "split_type": "Lines"}, "split_type='Lines'"),
        ({"data": INPUT, "data_type": "S3Object"}, "data_type"),
        ({"data": INPUT, "join_source": "Output"}, "join_source"),
    ],
)
def test_bad_transform_arguments_start_no_job(moto_session, arguments, expected):
    transformer = Transformer("some-model", 1, "ml.m5.xlarge", sagemaker_session=moto_session)
    with pytest.raises(ConfigurationError, match=expected):
        transformer.transform(**arguments)
    assert moto_session.sagemaker_client.list_transform_jobs()["TransformJobSummaries"] == []


def test_wait_before_transform_is_a_clear_error(moto_session):
    with pytest.raises(ConfigurationError, match="call transform"):
        Transformer("m", 1, "ml.m5.xlarge", sagemaker_session=moto_session).wait()


def test_after_transform_the_transformer_holds_v2s_attributes(moto_session, moto_role_arn):
    transformer = _model(moto_session, moto_role_arn).transformer(
        instance_count=1, instance_type="ml.m5.xlarge"
    )
    assert transformer.output_path is None
    transformer.transform(INPUT, wait=False)
    job_name = transformer.latest_transform_job
    described = moto_session.sagemaker_client.describe_transform_job(TransformJobName=job_name)
    # v2 set output_path to the default location it used, and notebooks read it.
    assert (
        transformer.output_path == described["TransformOutput"]["S3OutputPath"] == f"s3://{BUCKET}/{job_name}"
    )
    assert transformer._current_job_name == job_name
    # v2's latest_transform_job was a handle: .job_name, .name, .describe(), .wait()
    assert transformer.latest_transform_job.job_name == job_name == transformer.latest_transform_job.name
    assert transformer.latest_transform_job.describe()["TransformJobArn"] == described["TransformJobArn"]
    assert transformer.latest_transform_job.wait()["TransformJobStatus"] == "Completed"

    # The next job without output_path gets (and shows) its own default location, as in v2.
    transformer.transform(INPUT, job_name="second-job", wait=False)
    assert transformer.output_path == f"s3://{BUCKET}/second-job"
    second = moto_session.sagemaker_client.describe_transform_job(TransformJobName="second-job")
    assert second["TransformOutput"]["S3OutputPath"] == f"s3://{BUCKET}/second-job"


def test_a_given_output_path_stays(moto_session, moto_role_arn):
    transformer = _model(moto_session, moto_role_arn).transformer(
        instance_count=1, instance_type="ml.m5.xlarge", output_path="s3://out/mine"
    )
    transformer.transform(INPUT, job_name="one", wait=False)
    transformer.transform(INPUT, job_name="two", wait=False)
    assert transformer.output_path == "s3://out/mine"
    described = moto_session.sagemaker_client.describe_transform_job(TransformJobName="two")
    assert described["TransformOutput"]["S3OutputPath"] == "s3://out/mine"


def test_v2s_job_configs_are_sent_as_the_api_structures(requests_log, moto_session, moto_role_arn):
    transformer = _model(moto_session, moto_role_arn).transformer(
        instance_count=1, instance_type="ml.m5.xlarge"
    )
    transformer.transform(
        INPUT,
        job_name="configured",
        experiment_config={"ExperimentName": "exp", "TrialName": "trial"},
        model_client_config={"InvocationsTimeoutInSeconds": 300, "InvocationsMaxRetries": 1},
        batch_data_capture_config={"DestinationS3Uri": "s3://capture/batch", "GenerateInferenceId": True},
        wait=False,
    )
    request = requests_log.one("CreateTransformJob")
    assert request["ExperimentConfig"] == {"ExperimentName": "exp", "TrialName": "trial"}
    assert request["ModelClientConfig"] == {"InvocationsTimeoutInSeconds": 300, "InvocationsMaxRetries": 1}
    assert request["DataCaptureConfig"] == {
        "DestinationS3Uri": "s3://capture/batch",
        "GenerateInferenceId": True,
    }
    described = moto_session.sagemaker_client.describe_transform_job(TransformJobName="configured")
    assert described["TransformJobName"] == "configured"
    with pytest.raises(ConfigurationError, match=r"model_client_config\['InvocationsMaxRetries'\]: value 9"):
        transformer.transform(INPUT, model_client_config={"InvocationsMaxRetries": 9}, wait=False)
