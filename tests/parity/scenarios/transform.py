"""Batch transform: model.transformer(...) and Transformer(...), then transform(...)."""

from __future__ import annotations

from sdk import HuggingFaceModel, Transformer

from tests.parity.scenario import BUCKET, HUB, ROLE, VERSIONS, Case, scenario

DATA = f"s3://{BUCKET}/batch/input.jsonl"


def hub_model() -> HuggingFaceModel:
    return HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)


@scenario
def transform_defaults(case: Case) -> None:
    batch_job = hub_model().transformer(instance_count=1, instance_type="ml.m5.xlarge")
    batch_job.transform(data=DATA, content_type="application/json", split_type="Line")
    case.result("output_path", batch_job.output_path)


@scenario
def transform_every_transformer_argument(case: Case) -> None:
    batch_job = hub_model().transformer(
        instance_count=2,
        instance_type="ml.g4dn.xlarge",
        strategy="MultiRecord",
        assemble_with="Line",
        output_path=f"s3://{BUCKET}/batch/output",
        output_kms_key="arn:aws:kms:us-east-1:123456789012:key/out",
        accept="application/json",
        env={"HF_TASK": "text-classification", "BATCH": "1"},
        max_concurrent_transforms=4,
        max_payload=6,
        tags=[{"Key": "project", "Value": "parity"}],
        volume_kms_key="arn:aws:kms:us-east-1:123456789012:key/volume",
    )
    batch_job.transform(DATA, content_type="application/json", split_type="Line")
    case.result("output_path", batch_job.output_path)


@scenario
def transform_every_transform_argument(case: Case) -> None:
    batch_job = hub_model().transformer(
        instance_count=1, instance_type="ml.m5.xlarge", output_path=f"s3://{BUCKET}/batch/output"
    )
    batch_job.transform(
        data=f"s3://{BUCKET}/batch/manifest",
        data_type="ManifestFile",
        content_type="text/csv",
        compression_type="Gzip",
        split_type="Line",
        job_name="my-transform-job",
        wait=True,
        logs=False,
    )
    case.result("job_name", batch_job.latest_transform_job.name)


@scenario
def transform_filters_and_join_source(case: Case) -> None:
    batch_job = hub_model().transformer(
        instance_count=1,
        instance_type="ml.m5.xlarge",
        strategy="SingleRecord",
        assemble_with="Line",
        output_path=f"s3://{BUCKET}/batch/output",
        accept="application/json",
    )
    batch_job.transform(
        DATA,
        content_type="application/json",
        split_type="Line",
        input_filter="$.inputs",
        output_filter="$['id','SageMakerOutput']",
        join_source="Input",
    )


@scenario
def transform_no_wait(case: Case) -> None:
    batch_job = hub_model().transformer(instance_count=1, instance_type="ml.m5.xlarge")
    batch_job.transform(DATA, content_type="application/json", split_type="Line", wait=False)
    case.result("output_path", batch_job.output_path)


@scenario
def transform_then_wait(case: Case) -> None:
    batch_job = hub_model().transformer(
        instance_count=1, instance_type="ml.m5.xlarge", output_path=f"s3://{BUCKET}/batch/output"
    )
    batch_job.transform(DATA, content_type="application/json", split_type="Line", wait=False)
    batch_job.wait(logs=False)


@scenario
def transformer_for_existing_model(case: Case) -> None:
    batch_job = Transformer(
        model_name="existing-model",
        instance_count=1,
        instance_type="ml.m5.xlarge",
        output_path=f"s3://{BUCKET}/batch/output",
        base_transform_job_name="nightly",
    )
    case.aws.sagemaker.models["existing-model"] = {"ModelName": "existing-model"}
    batch_job.transform(DATA, content_type="application/json", split_type="Line")


@scenario
def transformer_class_defaults(case: Case) -> None:
    case.aws.sagemaker.models["existing-model"] = {"ModelName": "existing-model"}
    batch_job = Transformer(model_name="existing-model", instance_count=1, instance_type="ml.m5.xlarge")
    batch_job.transform(DATA, content_type="application/json", split_type="Line")
    case.result("output_path", batch_job.output_path)
