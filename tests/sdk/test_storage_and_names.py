"""storage.py (s3:// through the session, file:// and paths on disk) and names.py."""

from __future__ import annotations

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
