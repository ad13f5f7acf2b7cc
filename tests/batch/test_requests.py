"""Transform requests against moto: exact CreateTransformJob fields, describe round trip, attach,
the estimator's transformer, failures and what is refused before any job starts."""

from __future__ import annotations

import io
from typing import Any

import pytest

from sagemaker_hf import HuggingFace, HuggingFaceModel, Transformer
from sagemaker_hf.batch.wait import wait_for_transform_job
from sagemaker_hf.errors import ConfigurationError, ResourceFailedError, WaitTimeoutError
from tests.sdk.conftest import VERSIONS, FakeClock

INPUT = "s3://batch-in/reviews/"
OUTPUT = "s3://batch-out/predictions"
HUB = {"HF_MODEL_ID": "distilbert-base-uncased-finetuned-sst-2-english", "HF_TASK": "text-classification"}


def _transformer(session: Any, role: str, **arguments: Any) -> Transformer:
    model = HuggingFaceModel(env=HUB, role=role, sagemaker_session=session, **VERSIONS)
    return model.transformer(instance_count=1, instance_type="ml.m5.xlarge", output_path=OUTPUT, **arguments)


def _created(session: Any, name: str) -> dict[str, Any]:
    return session.sagemaker_client.describe_transform_job(TransformJobName=name)


@pytest.mark.parametrize(
    ("settings", "transform_arguments", "expected_input", "expected_top"),
    [
        (
            {"strategy": "SingleRecord"},
            {"content_type": "application/json", "split_type": "Line"},
            {"ContentType": "application/json", "SplitType": "Line"},
            {"BatchStrategy": "SingleRecord"},
        ),
        (
            {
                "strategy": "MultiRecord",
                "assemble_with": "Line",
                "max_payload": 2,
                "max_concurrent_transforms": 4,
            },
            {"content_type": "application/jsonlines", "split_type": "Line", "compression_type": "Gzip"},
            {"ContentType": "application/jsonlines", "SplitType": "Line", "CompressionType": "Gzip"},
            {"BatchStrategy": "MultiRecord", "MaxPayloadInMB": 2, "MaxConcurrentTransforms": 4},
        ),
        (
            {"strategy": "MultiRecord", "assemble_with": "Line"},
            {
                "content_type": "text/csv",
                "split_type": "Line",
                "input_filter": "$[1:]",
                "join_source": "Input",
                "output_filter": "$[0,-1]",
            },
            {"ContentType": "text/csv", "SplitType": "Line"},
            {
                "BatchStrategy": "MultiRecord",
                "DataProcessing": {"InputFilter": "$[1:]", "OutputFilter": "$[0,-1]", "JoinSource": "Input"},
            },
        ),
    ],
    ids=["single-record", "multi-record-gzip", "csv-filters-join"],
)
def test_create_transform_job_fields_and_describe_round_trip(
    requests_log, moto_session, moto_role_arn, settings, transform_arguments, expected_input, expected_top
):
    transformer = _transformer(moto_session, moto_role_arn, **settings)
    transformer.transform(INPUT, job_name="batch-job", wait=False, **transform_arguments)

    sent = requests_log.one("CreateTransformJob")
    assert sent == {
        "TransformJobName": "batch-job",
        "ModelName": transformer.model_name,
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": INPUT}},
            **expected_input,
        },
        "TransformOutput": {
            "S3OutputPath": OUTPUT,
            **({"AssembleWith": "Line"} if "assemble_with" in settings else {}),
        },
        "TransformResources": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge"},
        **expected_top,
    }
    described = _created(moto_session, "batch-job")
    for field in ("ModelName", "TransformInput", "TransformOutput", "TransformResources", *expected_top):
        assert described[field] == sent[field], field
    assert transformer.wait()["TransformJobStatus"] == "Completed"


def test_attach_restores_the_settings_of_a_job(moto_session, moto_role_arn):
    transformer = _transformer(
        moto_session, moto_role_arn, strategy="MultiRecord", assemble_with="Line", accept="text/csv"
    )
    transformer.transform(INPUT, content_type="text/csv", split_type="Line", job_name="to-attach", wait=False)

    attached = Transformer.attach("to-attach", sagemaker_session=moto_session)
    assert (attached.model_name, attached.strategy, attached.assemble_with, attached.accept) == (
        transformer.model_name,
        "MultiRecord",
        "Line",
        "text/csv",
    )
    assert attached.output_path == OUTPUT and attached.latest_transform_job == "to-attach"


def test_the_estimator_transformer_creates_its_model_first(
    requests_log, moto_session, moto_role_arn, tmp_path
):
    (tmp_path / "train.py").write_text("print('training')\n")
    estimator = HuggingFace(
        entry_point="train.py",
        source_dir=str(tmp_path),
        role=moto_role_arn,
        instance_type="ml.p3.2xlarge",
        instance_count=1,
        sagemaker_session=moto_session,
        **VERSIONS,
    )
    estimator.fit("s3://batch-in/train", logs=False)
    batch_job = estimator.transformer(instance_count=1, instance_type="ml.m5.xlarge", strategy="SingleRecord")
    batch_job.transform(INPUT, content_type="application/json", split_type="Line", wait=False)

    operations = requests_log.operations()
    assert operations.index("CreateModel") < operations.index("CreateTransformJob")
    model = requests_log.one("CreateModel")
    assert requests_log.one("CreateTransformJob")["ModelName"] == model["ModelName"] == batch_job.model_name
    assert model["PrimaryContainer"]["ModelDataUrl"] == estimator.model_data


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"input_filter": "$..inputs"}, "recursive descent"),
        ({"output_filter": "$[?(@.score > 0.5)]"}, "filters and script expressions"),
        ({"join_source": "Output"}, "join_source='Output'"),
        ({"data": "reviews.jsonl"}, "is not an S3 URI. Upload it first"),
    ],
)
def test_what_cannot_run_is_refused_before_any_job(moto_session, moto_role_arn, arguments, problem):
    transformer = _transformer(moto_session, moto_role_arn)
    with pytest.raises(ConfigurationError, match=problem):
        transformer.transform(**{"data": INPUT, **arguments})
    assert moto_session.sagemaker_client.list_transform_jobs()["TransformJobSummaries"] == []


def _describer(*answers: dict[str, Any]):
    queue = list(answers)
    return lambda: queue.pop(0) if len(queue) > 1 else queue[0]


def _job(status: str, **extra: Any) -> dict[str, Any]:
    return {"TransformJobName": "job", "TransformJobStatus": status, **extra}


def test_waiting_shows_progress_and_raises_the_failure_reason():
    progress = {"RecordsDone": 1200, "RecordsPerSecond": 350.5, "ObjectsDone": 0, "ObjectsTotal": 2}
    stream, clock = io.StringIO(), FakeClock()
    reason = "ClientError: input.jsonl line 1234: bad record"
    describe = _describer(
        _job("InProgress"),
        _job("InProgress", Progress=progress),
        _job("Failed", FailureReason=reason, Progress=progress),
    )
    with pytest.raises(ResourceFailedError, match="line 1234: bad record") as raised:
        wait_for_transform_job(describe, "job", clock=clock, stream=stream)
    assert raised.value.failure_reason == reason
    assert "Transform job job: Failed 1,200 records (350.5/s), 0/2 objects" in stream.getvalue()
    assert clock.sleeps == [1.0, 1.0]  # the first poll backs off from 1 s; progress refreshes every second


def test_waiting_without_progress_backs_off_and_times_out():
    clock = FakeClock()
    with pytest.raises(WaitTimeoutError, match="last status: InProgress"):
        wait_for_transform_job(
            _describer(_job("InProgress")), "job", timeout=20, clock=clock, stream=io.StringIO()
        )
    assert clock.sleeps[:3] == [1.0, 1.5, 2.25] and sum(clock.sleeps) == pytest.approx(20)
