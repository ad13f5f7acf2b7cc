"""Session, execution roles, S3 uploads and the s3 helpers notebooks use."""

from __future__ import annotations

from sdk import (
    HuggingFaceModel,
    S3Downloader,
    S3Uploader,
    Session,
    get_execution_role,
    s3_path_join,
    sagemaker,
)

from tests.parity.scenario import BUCKET, Case, scenario
from tests.parity.scenarios.training import estimator

KMS = "arn:aws:kms:us-east-1:123456789012:key/uploads"


@scenario
def default_bucket_and_region(case: Case) -> None:
    session = Session()
    case.result("default_bucket", session.default_bucket())
    case.result("region", session.boto_region_name)


@scenario
def upload_data_file_to_default_bucket(case: Case) -> None:
    path = case.write("data/train.jsonl", '{"text": "hello"}\n')
    uri = Session().upload_data(path, key_prefix="datasets/train")
    case.result("uri", uri)


@scenario
def upload_data_folder_to_named_bucket(case: Case) -> None:
    case.write("data/train.jsonl", '{"text": "hello"}\n')
    case.write("data/test.jsonl", '{"text": "bye"}\n')
    uri = Session().upload_data("data", bucket="my-data-bucket", key_prefix="datasets")
    case.result("uri", uri)


@scenario
def sourcedir_upload_default_bucket(case: Case) -> None:
    case.write("scripts/requirements.txt", "datasets\n")
    huggingface_estimator = estimator(case)
    huggingface_estimator.fit({"train": f"s3://{BUCKET}/data/train"})


@scenario
def s3_uploader_with_kms_key(case: Case) -> None:
    path = case.write("data/train.jsonl", '{"text": "hello"}\n')
    uri = S3Uploader.upload(path, f"s3://{BUCKET}/uploaded", kms_key=KMS)
    case.result("uri", uri)


@scenario
def s3_uploader_folder(case: Case) -> None:
    case.write("model/config.json", "{}")
    case.write("model/tokenizer.json", "{}")
    uri = S3Uploader.upload("model", f"s3://{BUCKET}/models/model", sagemaker_session=Session())
    case.result("uri", uri)


@scenario
def s3_downloader_read_list_download(case: Case) -> None:
    case.aws.put_object(f"s3://{BUCKET}/results/a.json", b'{"label": "POSITIVE"}')
    case.aws.put_object(f"s3://{BUCKET}/results/b.json", b'{"label": "NEGATIVE"}')
    case.result("list", S3Downloader.list(f"s3://{BUCKET}/results"))
    case.result("read_file", S3Downloader.read_file(f"s3://{BUCKET}/results/a.json"))
    case.result("read_bytes", S3Downloader.read_bytes(f"s3://{BUCKET}/results/b.json"))
    S3Downloader.download(f"s3://{BUCKET}/results", "downloaded")
    case.result("downloaded", sorted(path.name for path in (case.work / "downloaded").iterdir()))


@scenario
def s3_path_join_forms(case: Case) -> None:
    case.result("plain", s3_path_join("s3://", BUCKET, "prefix", "key"))
    case.result("slashes", s3_path_join("s3://bucket/", "/a/", "b//", "c"))
    case.result("no_scheme", s3_path_join("bucket", "a", "b"))
    case.result("slash_end", s3_path_join("s3://bucket", "a/", with_end_slash=True))


@scenario
def execution_role_assumed_role(case: Case) -> None:
    case.result("role", get_execution_role())


@scenario
def execution_role_plain_user(case: Case) -> None:
    case.aws.identity = "user"
    get_execution_role()


@scenario
def execution_role_hub_snippet_fallback(case: Case) -> None:
    # The Hugging Face Hub's "Deploy > Amazon SageMaker" snippet, as generated for every
    # model, run as a plain IAM user: the role comes from the except branch.
    import boto3

    case.aws.identity = "user"
    try:
        role = sagemaker.get_execution_role()
    except ValueError:
        iam = boto3.client("iam")
        role = iam.get_role(RoleName="sagemaker_execution_role")["Role"]["Arn"]
    case.result("role", role)

    hub = {
        "HF_MODEL_ID": "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        "HF_TASK": "text-classification",
    }
    huggingface_model = HuggingFaceModel(
        transformers_version="4.26", pytorch_version="1.13", py_version="py39", env=hub, role=role
    )
    predictor = huggingface_model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    case.result("predict", predictor.predict({"inputs": "I like you. I love you"}))


@scenario
def session_with_default_bucket_prefix(case: Case) -> None:
    path = case.write("data/train.jsonl", "{}\n")
    session = Session(default_bucket="team-bucket", default_bucket_prefix="team/project")
    case.result("uri", session.upload_data(path))
