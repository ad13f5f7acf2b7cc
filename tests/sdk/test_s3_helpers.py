"""sagemaker_hf.s3: SDK v2's S3Uploader, S3Downloader and s3_path_join, against the moto server."""

from __future__ import annotations

import json

import pytest

from sagemaker_hf.errors import ArgumentTypeError, ConfigurationError, SageMakerHFWarning
from sagemaker_hf.s3 import S3Downloader, S3Uploader, parse_s3_url, s3_path_join
from tests.sdk.sdk_v2_oracle import run_with_sdk_v2
from tests.sdk.test_storage_and_names import KMS_KEY, S3Writes

# (arguments, with_end_slash) -> SDK v2's result, recorded from sagemaker==2.257.7
PATH_JOINS = [
    ((["s3://", "bucket", "key"], False), "s3://bucket/key"),
    ((["s3://", "//foo/", "/bar///baz"], False), "s3://foo/bar/baz"),
    ((["/foo", "bar/"], False), "foo/bar"),
    ((["foo", "bar"], True), "foo/bar/"),
    ((["foo", "", None, "bar"], False), "foo/bar"),
    ((["s3://"], False), "s3://"),
    ((["s3://bucket/", "prefix/"], True), "s3://bucket/prefix/"),
    ((["", None], True), ""),
    ((["a", "s3://b"], False), "a/s3:/b"),
    ((["s3://bucket", None, "data//x/"], False), "s3://bucket/data/x"),
]


@pytest.mark.parametrize(("arguments", "expected"), PATH_JOINS)
def test_s3_path_join_as_v2(arguments, expected):
    parts, with_end_slash = arguments
    assert s3_path_join(*parts, with_end_slash=with_end_slash) == expected


def test_recorded_path_joins_are_what_sdk_v2_does():
    probe = (
        "import json; from sagemaker.s3 import s3_path_join; "
        f"print(json.dumps([s3_path_join(*a, with_end_slash=e) for (a, e), _ in {PATH_JOINS!r}]))"
    )
    assert json.loads(run_with_sdk_v2("-c", probe)) == [expected for _, expected in PATH_JOINS]


def test_parse_s3_url():
    assert parse_s3_url("s3://bucket/a/b.txt") == ("bucket", "a/b.txt")
    assert parse_s3_url("s3://bucket") == ("bucket", "")
    with pytest.raises(ValueError, match="not an S3 URI"):
        parse_s3_url("https://bucket/key")
    with pytest.raises(ArgumentTypeError):
        s3_path_join("a", 3)


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "folder"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("a")
    (root / "sub" / "b.txt").write_text("b")
    return root


def test_upload_file_and_folder(moto_session, folder):
    moto_session.s3_client.create_bucket(Bucket="bucket")
    uri = S3Uploader.upload(str(folder / "a.txt"), "s3://bucket/data", sagemaker_session=moto_session)
    assert uri == "s3://bucket/data/a.txt"
    assert S3Uploader.upload(folder, "s3://bucket/tree", sagemaker_session=moto_session) == "s3://bucket/tree"
    # a trailing slash and a bare bucket make no empty key segment (v2 made data//a.txt and /a.txt)
    assert S3Uploader.upload(str(folder / "a.txt"), "s3://bucket/slash/", sagemaker_session=moto_session) == (
        "s3://bucket/slash/a.txt"
    )
    S3Uploader.upload(str(folder / "a.txt"), "s3://bucket", sagemaker_session=moto_session)
    keys = [item["Key"] for item in moto_session.s3_client.list_objects_v2(Bucket="bucket")["Contents"]]
    assert keys == ["a.txt", "data/a.txt", "slash/a.txt", "tree/a.txt", "tree/sub/b.txt"]


def test_uploads_with_a_kms_key_are_encrypted_with_it(moto_session, folder):
    moto_session.s3_client.create_bucket(Bucket="bucket")
    S3Uploader.upload(str(folder / "a.txt"), "s3://bucket/k", kms_key=KMS_KEY, sagemaker_session=moto_session)
    S3Uploader.upload_string_as_file_body("héllo", "s3://bucket/s.txt", KMS_KEY, moto_session)
    S3Uploader.upload_bytes(b"\x00\x01", "s3://bucket/b.bin", sagemaker_session=moto_session)
    for key in ("k/a.txt", "s.txt"):
        head = moto_session.s3_client.head_object(Bucket="bucket", Key=key)
        assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", KMS_KEY)
    assert "SSEKMSKeyId" not in moto_session.s3_client.head_object(Bucket="bucket", Key="b.bin")
    assert S3Downloader.read_file("s3://bucket/s.txt", moto_session) == "héllo"
    assert S3Downloader.read_bytes("s3://bucket/b.bin", sagemaker_session=moto_session) == b"\x00\x01"


def test_default_bucket_uploads_carry_the_expected_owner(moto_session, folder):
    writes = S3Writes(moto_session.boto_session)  # before the first client is made
    bucket = moto_session.default_bucket()
    S3Uploader.upload(str(folder / "a.txt"), f"s3://{bucket}/x", sagemaker_session=moto_session)
    S3Uploader.upload_string_as_file_body("s", f"s3://{bucket}/s.txt", sagemaker_session=moto_session)
    assert writes.to("x/a.txt")["ExpectedBucketOwner"] == "123456789012"
    assert writes.to("s.txt")["ExpectedBucketOwner"] == "123456789012"


def test_download_and_list_follow_v2s_prefix_rules(moto_session, tmp_path):
    s3 = moto_session.s3_client
    s3.create_bucket(Bucket="bucket")
    for key in ("data/a.txt", "data/sub/b.txt", "data/empty/", "datasets/c.txt", "model.tar.gz"):
        s3.put_object(Bucket="bucket", Key=key, Body=b"" if key.endswith("/") else key.encode())

    # a plain prefix: data matches data/ and datasets/, as in S3
    assert S3Downloader.list("s3://bucket/data", moto_session) == [
        "s3://bucket/data/a.txt",
        "s3://bucket/data/empty",
        "s3://bucket/data/sub/b.txt",
        "s3://bucket/datasets/c.txt",
    ]
    written = S3Downloader.download(
        "s3://bucket/data/", str(tmp_path / "out"), sagemaker_session=moto_session
    )
    assert written == [str(tmp_path / "out" / "a.txt"), str(tmp_path / "out" / "sub" / "b.txt")]
    assert (tmp_path / "out" / "sub" / "b.txt").read_bytes() == b"data/sub/b.txt"
    assert (tmp_path / "out" / "empty").is_dir()
    # a single object lands under its own name
    single = S3Downloader.download(
        "s3://bucket/model.tar.gz", tmp_path / "one", sagemaker_session=moto_session
    )
    assert single == [str(tmp_path / "one" / "model.tar.gz")]
    # nothing there: an empty list
    assert (
        S3Downloader.download("s3://bucket/missing/", tmp_path / "none", sagemaker_session=moto_session) == []
    )
    # "data" also matches "datasets/c.txt", which would land outside the folder: refused (v2 too)
    with pytest.raises(ConfigurationError, match="outside"):
        S3Downloader.download("s3://bucket/data", tmp_path / "escape", sagemaker_session=moto_session)


def test_download_kms_key_is_ignored_with_a_warning(moto_session, tmp_path):
    moto_session.s3_client.create_bucket(Bucket="bucket")
    moto_session.s3_client.put_object(Bucket="bucket", Key="d/x.txt", Body=b"x")
    with pytest.warns(SageMakerHFWarning, match="kms_key"):
        written = S3Downloader.download(
            "s3://bucket/d/", tmp_path, kms_key=KMS_KEY, sagemaker_session=moto_session
        )
    assert written == [str(tmp_path / "x.txt")]


def test_arguments_are_type_checked():
    with pytest.raises(ArgumentTypeError, match=r"S3Uploader.upload\(desired_s3_uri=...\): got int 3"):
        S3Uploader.upload("file.txt", 3)
