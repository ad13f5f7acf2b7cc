"""Where a local endpoint's model comes from: a .tar.gz, s3:// (a real moto server), or a Hub id
resolved offline from a seeded Hugging Face cache."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.artifacts import build_model_archive
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.testing.hub_cache import seed_hub_cache
from tests.fixtures.local_mode import LOCAL_VERSIONS
from tests.local.conftest import endpoint_record


def _deploy_predict_delete(model: HuggingFaceModel) -> tuple[Any, Any]:
    """(prediction, the endpoint's record while it ran)."""
    predictor = model.deploy(initial_instance_count=1, instance_type="local")
    try:
        record = endpoint_record(predictor.sagemaker_session, predictor.endpoint_name)
        return predictor.predict({"inputs": "I love this movie!"}), record
    finally:
        with contextlib.suppress(ClientError):
            predictor.delete_endpoint()


def test_a_local_tar_gz_is_extracted_into_the_working_dir(local_home, tiny_models, tmp_path):
    archive = build_model_archive(tiny_models["text-classification"], tmp_path / "model.tar.gz")
    result, record = _deploy_predict_delete(HuggingFaceModel(model_data=str(archive), **LOCAL_VERSIONS))
    assert result[0]["label"] in {"NEGATIVE", "POSITIVE"}
    assert record.current.process.model_dir == record.current.work_dir / "model"
    assert record.current.model["PrimaryContainer"]["ModelDataUrl"] == f"file://{archive}"
    assert not record.current.work_dir.exists()  # deleted with the endpoint
    assert archive.is_file()


def test_s3_model_data_is_downloaded_through_the_sessions_s3_client(
    local_home, tiny_models, tmp_path, moto_session
):
    archive = build_model_archive(tiny_models["text-classification"], tmp_path / "model.tar.gz")
    moto_session.s3_client.create_bucket(Bucket="models")
    moto_session.s3_client.upload_file(str(archive), "models", "tiny/model.tar.gz")
    model = HuggingFaceModel(model_data="s3://models/tiny/model.tar.gz", **LOCAL_VERSIONS)
    result, record = _deploy_predict_delete(model)
    assert result[0]["label"] in {"NEGATIVE", "POSITIVE"}
    assert record.current.model["PrimaryContainer"]["ModelDataUrl"] == "s3://models/tiny/model.tar.gz"
    assert record.current.process.model_dir == record.current.work_dir / "model"


def test_a_hub_model_id_without_model_data(local_home, tiny_models, tmp_path, monkeypatch):
    cache = tmp_path / "hf-cache"
    seed_hub_cache(tiny_models["text-classification"], "tiny-org/tiny-classifier", cache)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))  # the child inherits it; HF_HUB_OFFLINE=1 too
    model = HuggingFaceModel(
        env={"HF_MODEL_ID": "tiny-org/tiny-classifier", "HF_TASK": "text-classification"}, **LOCAL_VERSIONS
    )
    result, record = _deploy_predict_delete(model)
    assert result[0]["label"] in {"NEGATIVE", "POSITIVE"}
    assert "ModelDataUrl" not in record.current.model["PrimaryContainer"]


def test_file_uris_of_an_archive_and_of_a_folder_are_served(local_home, tiny_models, tmp_path):
    """README and SDK v2's local mode take ``model_data="file://..."`` (issue 15.8)."""
    folder = tiny_models["text-classification"].resolve()
    archive = build_model_archive(folder, tmp_path / "model.tar.gz")
    for model_data, served_from in ((f"file://{archive}", "work_dir"), (f"file://{folder}", "in place")):
        model = HuggingFaceModel(model_data=model_data, **LOCAL_VERSIONS)
        assert model.model_data == model_data  # kept as given, as v2 keeps it
        result, record = _deploy_predict_delete(model)
        assert result[0]["label"] in {"NEGATIVE", "POSITIVE"}
        expected_dir = record.current.work_dir / "model" if served_from == "work_dir" else folder
        assert record.current.process.model_dir == expected_dir


def test_a_file_uri_to_nothing_usable_is_refused_before_any_call(tmp_path):
    (tmp_path / "weights.bin").write_bytes(b"not an archive")
    for model_data in (
        f"file://{tmp_path}/missing.tar.gz",
        f"file://{tmp_path}/weights.bin",
        "https://host/m.tar.gz",
    ):
        with pytest.raises(
            ConfigurationError, match=r"neither an s3:// URI, a local model\.tar\.gz, nor a local model"
        ):
            HuggingFaceModel(model_data=model_data, **LOCAL_VERSIONS)
