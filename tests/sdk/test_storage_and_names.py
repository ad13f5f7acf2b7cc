"""storage.py (s3:// through the session, file:// and paths on disk) and names.py."""

from __future__ import annotations

import json
import re

import pytest

from sagemaker_hf import storage
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.names import (
    base_from_name,
    base_name_from_image,
    name_from_base,
    normalize_tags,
    timestamp,
)


def test_s3_round_trip(moto_session, tmp_path):
    moto_session.s3_client.create_bucket(Bucket="bucket")
    assert not storage.exists(moto_session, "s3://bucket/dir/one.txt")
    storage.upload_bytes(moto_session, b"one", "s3://bucket/dir/one.txt", content_type="text/plain")
    source = tmp_path / "two.txt"
    source.write_bytes(b"two")
    storage.upload_file(moto_session, source, "s3://bucket/dir/sub/two.txt")

    assert storage.exists(moto_session, "s3://bucket/dir/one.txt")
    assert storage.read_bytes(moto_session, "s3://bucket/dir/one.txt") == b"one"
    assert storage.list_uris(moto_session, "s3://bucket/dir/") == [
        "s3://bucket/dir/one.txt",
        "s3://bucket/dir/sub/two.txt",
    ]
    target = storage.download_file(moto_session, "s3://bucket/dir/sub/two.txt", tmp_path / "out" / "two.txt")
    assert target.read_bytes() == b"two"


@pytest.mark.parametrize("scheme", ["", "file://"])
def test_local_round_trip_needs_no_aws(tmp_path, scheme):
    session = object()  # never touched for local URIs
    root = f"{scheme}{tmp_path}/artifacts"
    storage.upload_bytes(session, b"x", storage.join_uri(root, "a", "one.bin"))
    source = tmp_path / "src.bin"
    source.write_bytes(b"y")
    storage.upload_file(session, source, storage.join_uri(root, "b", "two.bin"))

    assert storage.exists(session, f"{root}/a/one.bin")
    assert not storage.exists(session, f"{root}/a/missing.bin")
    assert storage.read_bytes(session, f"{root}/b/two.bin") == b"y"
    assert storage.list_uris(session, root) == [f"{root}/a/one.bin", f"{root}/b/two.bin"]
    assert storage.download_file(session, f"{root}/a/one.bin", tmp_path / "copy.bin").read_bytes() == b"x"


def test_bad_uris():
    with pytest.raises(ConfigurationError, match="not an S3 URI"):
        storage.parse_s3_uri("/local")
    with pytest.raises(ConfigurationError, match="has no bucket"):
        storage.parse_s3_uri("s3:///key")
    with pytest.raises(ConfigurationError, match="Unsupported URI scheme"):
        storage.local_path("gs://bucket/key")


def test_join_uri():
    assert storage.join_uri("s3://b/prefix/", "/x/", "y") == "s3://b/prefix/x/y"
    assert storage.join_uri("s3://b", "", "k") == "s3://b/k"


def test_timestamped_names():
    stamp = timestamp()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}", stamp)
    name = name_from_base("huggingface-pytorch-inference")
    assert re.fullmatch(r"huggingface-pytorch-inference-\d{4}(-\d{2}){5}-\d{3}", name)
    assert base_from_name(name) == "huggingface-pytorch-inference"
    assert base_from_name("my-model") == "my-model"


def test_long_base_is_trimmed_to_63_characters():
    name = name_from_base("x" * 100)
    assert len(name) == 63
    assert name.startswith("x" * 39 + "-")
    assert name_from_base("a" * 38 + "---" + "b" * 10).count("--") == 0


def test_base_name_from_image():
    uri = (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:1.13-transformers4.26-cpu"
    )
    assert base_name_from_image(uri) == "huggingface-pytorch-inference"
    assert base_name_from_image("registry/team/my_repo.v2@sha256:abc") == "my-repo-v2"
    assert base_name_from_image("___") == "sagemaker-hf"


def test_tags():
    assert normalize_tags(None) is None
    assert normalize_tags({"team": "nlp", "cost": 3}) == [
        {"Key": "team", "Value": "nlp"},
        {"Key": "cost", "Value": "3"},
    ]
    assert normalize_tags([{"Key": "a", "Value": "b"}]) == [{"Key": "a", "Value": "b"}]
    with pytest.raises(ConfigurationError, match="not a tag"):
        normalize_tags([("a", "b")])


# ---- the S3 upload arguments (one home: storage.upload_arguments) --------------------------

ACCOUNT = "123456789012"
DEFAULT_BUCKET = f"sagemaker-us-east-1-{ACCOUNT}"
KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


class S3Writes:
    """The arguments of every S3 write as sent (bodies left out), captured on the real client."""

    def __init__(self, boto_session) -> None:
        self.sent: list[tuple[str, dict]] = []
        boto_session.events.register("before-parameter-build.s3", self._record)

    def _record(self, params, model, **_) -> None:
        if model.name in ("PutObject", "CreateMultipartUpload", "HeadBucket"):
            self.sent.append((model.name, {k: v for k, v in params.items() if k != "Body"}))

    def to(self, key_suffix: str) -> dict:
        matches = [p for name, p in self.sent if name != "HeadBucket" and p["Key"].endswith(key_suffix)]
        assert len(matches) == 1, self.sent
        return matches[0]


@pytest.fixture
def s3_writes(moto_session) -> S3Writes:
    return S3Writes(moto_session.boto_session)


def _head(session, uri: str) -> dict:
    location = storage.parse_s3_uri(uri)
    head = session.s3_client.head_object(Bucket=location.bucket, Key=location.key)
    return {key: head.get(key) for key in ("ServerSideEncryption", "SSEKMSKeyId")}


def test_upload_data_sends_v2s_arguments(moto_session, s3_writes, tmp_path):
    source = tmp_path / "train.jsonl"
    source.write_text("{}\n")
    uri = moto_session.upload_data(str(source), key_prefix="datasets")
    assert uri == f"s3://{DEFAULT_BUCKET}/datasets/train.jsonl"
    sent = s3_writes.to("datasets/train.jsonl")
    # v2: ExpectedBucketOwner on the default bucket, no encryption unless asked for
    assert sent["ExpectedBucketOwner"] == ACCOUNT and "ServerSideEncryption" not in sent
    assert ("HeadBucket", {"Bucket": DEFAULT_BUCKET, "ExpectedBucketOwner": ACCOUNT}) in s3_writes.sent

    moto_session.s3_client.create_bucket(Bucket="team-data")
    moto_session.upload_data(
        str(source),
        bucket="team-data",
        key_prefix="x",
        extra_args={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY},
    )
    sent = s3_writes.to("x/train.jsonl")
    assert "ExpectedBucketOwner" not in sent  # a bucket you name may be another account's on purpose
    assert _head(moto_session, "s3://team-data/x/train.jsonl") == {
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": KMS_KEY,
    }


def test_upload_data_applies_the_default_prefix(moto_endpoint, tmp_path):
    from sagemaker_hf import Session

    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("a")
    session = Session(default_bucket="mine", default_bucket_prefix="team")
    assert session.upload_data(str(tmp_path / "d"), key_prefix="inputs") == "s3://mine/team/inputs"
    assert session.s3_client.get_object(Bucket="mine", Key="team/inputs/a.txt")["Body"].read() == b"a"


def test_a_bucket_named_by_the_user_gets_no_expected_owner(moto_endpoint, tmp_path):
    from sagemaker_hf import Session

    session = Session(default_bucket="mine")
    writes = S3Writes(session.boto_session)
    session.upload_data(str(tmp_path), key_prefix="empty")  # creates the bucket, uploads nothing
    source = tmp_path / "f.txt"
    source.write_text("f")
    session.upload_data(str(source))
    assert "ExpectedBucketOwner" not in writes.to("data/f.txt")
    assert all("ExpectedBucketOwner" not in params for name, params in writes.sent if name == "HeadBucket")


def test_packed_model_is_encrypted_like_v2s_repacked_model(moto_session, moto_role_arn, s3_writes, tmp_path):
    from sagemaker_hf import HuggingFaceModel
    from tests.sdk.conftest import VERSIONS, write_inference_script, write_model_dir

    model_dir = write_model_dir(tmp_path / "model")
    model = HuggingFaceModel(
        role=moto_role_arn, model_data=str(model_dir), sagemaker_session=moto_session, **VERSIONS
    )
    model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge", endpoint_name="plain")
    sent = s3_writes.to("model.tar.gz")
    assert sent["ServerSideEncryption"] == "aws:kms" and "SSEKMSKeyId" not in sent
    assert sent["ExpectedBucketOwner"] == ACCOUNT
    assert _head(moto_session, f"s3://{sent['Bucket']}/{sent['Key']}")["ServerSideEncryption"] == "aws:kms"

    keyed = HuggingFaceModel(
        role=moto_role_arn,
        model_data=str(model_dir),
        entry_point=str(write_inference_script(tmp_path / "code")),
        model_kms_key=KMS_KEY,
        sagemaker_session=moto_session,
        **VERSIONS,
    )
    keyed.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge", endpoint_name="keyed")
    repacked = [p for name, p in s3_writes.sent if name == "PutObject" and p.get("SSEKMSKeyId")]
    assert len(repacked) == 1 and repacked[0]["ServerSideEncryption"] == "aws:kms"
    uri = f"s3://{repacked[0]['Bucket']}/{repacked[0]['Key']}"
    assert _head(moto_session, uri) == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY}


@pytest.mark.parametrize(
    ("code_location", "expected_key_id"),
    [
        (None, KMS_KEY),  # the code goes to the output bucket: output_kms_key
        ("s3://output/code", KMS_KEY),  # code_location in the output bucket: output_kms_key too (v2)
        ("s3://elsewhere/code", None),  # another bucket: the AWS managed key
    ],
)
def test_training_code_upload_encryption(
    moto_session, moto_role_arn, tmp_path, code_location, expected_key_id
):
    from sagemaker_hf import HuggingFace
    from tests.sdk.conftest import VERSIONS

    for bucket in ("output", "elsewhere", "data"):
        moto_session.s3_client.create_bucket(Bucket=bucket)
    script = tmp_path / "train.py"
    script.write_text("print('training')\n")
    estimator = HuggingFace(
        entry_point=str(script),
        role=moto_role_arn,
        instance_type="ml.p3.2xlarge",
        instance_count=1,
        output_path="s3://output/jobs",
        output_kms_key=KMS_KEY,
        code_location=code_location,
        sagemaker_session=moto_session,
        **VERSIONS,
    )
    estimator.fit("s3://data/train", wait=False, job_name="encrypted-code")
    job = moto_session.sagemaker_client.describe_training_job(TrainingJobName="encrypted-code")
    submitted = json.loads(job["HyperParameters"]["sagemaker_submit_directory"])
    assert submitted.endswith("sourcedir.tar.gz")
    assert _head(moto_session, submitted) == {
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": expected_key_id,
    }


def test_async_inputs_carry_the_expected_owner_only(moto_session, moto_results, s3_writes):
    from sagemaker_hf import AsyncPredictor, HuggingFacePredictor

    moto_session.default_bucket()
    moto_results.queue_async({"data": '{"ok": true}'})
    predictor = AsyncPredictor(HuggingFacePredictor("ep", sagemaker_session=moto_session))
    predictor.predict_async({"inputs": "hello"})
    (sent,) = [params for name, params in s3_writes.sent if name == "PutObject"]
    assert sent["ExpectedBucketOwner"] == ACCOUNT and "ServerSideEncryption" not in sent
    assert sent["ContentType"] == "application/json"
