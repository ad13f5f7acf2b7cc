"""Archives that expand past reason, and folders whose files hide behind links.

A model author hands over a 2 MB ``model.tar.gz`` that expands to 2 GB of zeros: it is
refused, before anything is written, by ``safe_extract`` and by every public path that
extracts one (the SDK's repack, a local endpoint). A genuine archive stays accepted, and
both limits and the disk's free space are named with the fix when they refuse.
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from sagemaker_hf import HuggingFaceModel, safetar
from sagemaker_hf.artifacts import CodeSpec, build_model_archive, prepare_model_data
from sagemaker_hf.errors import ConfigurationError, ResourceFailedError, UnsafeArchiveError
from sagemaker_hf.safetar import ExtractLimits, safe_extract
from sagemaker_hf.testing.bombs import write_gzip_tar_bomb
from tests.fixtures.local_mode import LOCAL_VERSIONS

GB = 1024**3


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return write_gzip_tar_bomb(tmp_path_factory.mktemp("bomb") / "model.tar.gz", 2 * GB)


def test_the_bomb_is_real(bomb):
    with tarfile.open(bomb) as tar:
        (member,) = tar.getmembers()
        assert member.size == 2 * GB
        head = tar.extractfile(member).read(1024 * 1024)
    assert head == bytes(len(head)) and len(head) == 1024 * 1024
    assert bomb.stat().st_size < 3 * 1024 * 1024


def test_safe_extract_refuses_a_gzip_bomb_before_writing_anything(bomb, tmp_path):
    destination = tmp_path / "out"
    with pytest.raises(UnsafeArchiveError) as refused:
        safe_extract(bomb, destination)
    message = str(refused.value)
    assert "decompression bomb" in message and "SAGEMAKER_HF_MAX_ARCHIVE_RATIO" in message
    assert str(bomb) in message and "from 2.0 MB" in message
    assert list(destination.iterdir()) == []


def test_a_bomb_given_as_a_file_object_is_refused_too(bomb, tmp_path):
    with bomb.open("rb") as stream, pytest.raises(UnsafeArchiveError, match="decompression bomb"):
        safe_extract(stream, tmp_path / "out")


def test_the_sdk_repack_refuses_a_bomb_before_any_api_call(bomb, tmp_path, local_session):
    code = tmp_path / "code"
    code.mkdir()
    (code / "inference.py").write_text("def model_fn(model_dir):\n    return None\n")
    model = HuggingFaceModel(
        model_data=str(bomb),
        entry_point="inference.py",
        source_dir=str(code),
        sagemaker_session=local_session,
        **LOCAL_VERSIONS,
    )
    models = local_session.local_settings.home / "registry" / "models"
    before = sorted(models.glob("*.json"))
    with pytest.raises(UnsafeArchiveError, match="decompression bomb"):
        model.deploy(1, "local", endpoint_name="bomb-repack")
    assert sorted(models.glob("*.json")) == before  # refused before CreateModel


@pytest.mark.slow
def test_a_local_endpoint_given_a_bomb_fails_with_the_reason(bomb, local_session):
    model = HuggingFaceModel(model_data=str(bomb), sagemaker_session=local_session, **LOCAL_VERSIONS)
    try:
        with pytest.raises(ResourceFailedError) as failed:
            model.deploy(1, "local", endpoint_name="bomb-endpoint")
    finally:
        local_session.sagemaker_client.delete_endpoint(EndpointName="bomb-endpoint")
    assert "decompression bomb" in failed.value.failure_reason
    home = local_session.local_settings.home
    assert sum(path.stat().st_size for path in home.rglob("*") if path.is_file()) < 64 * 1024**2


def _archive(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_the_total_limit_is_configurable_and_named(tmp_path, monkeypatch):
    archive = _archive(
        tmp_path / "model.tar.gz", {"config.json": b"{}", "weights.bin": os.urandom(2 * 1024**2)}
    )
    monkeypatch.setenv(safetar.MAX_EXPANDED_GB_VARIABLE, "0.001")  # about 1 MB
    with pytest.raises(UnsafeArchiveError, match="raise SAGEMAKER_HF_MAX_ARCHIVE_EXPANDED_GB"):
        safe_extract(archive, tmp_path / "out")
    monkeypatch.setenv(safetar.MAX_EXPANDED_GB_VARIABLE, "1")
    assert sorted(safe_extract(archive, tmp_path / "out")) == ["config.json", "weights.bin"]


def test_a_ratio_given_in_the_environment_applies(tmp_path, monkeypatch):
    monkeypatch.setenv(safetar.MAX_RATIO_VARIABLE, "5000")
    assert ExtractLimits.from_environment().max_ratio == 5000
    monkeypatch.setenv(safetar.MAX_RATIO_VARIABLE, "lots")
    with pytest.raises(UnsafeArchiveError, match="must be numbers"):
        ExtractLimits.from_environment()


def test_small_archives_that_compress_well_are_not_refused_for_their_ratio(tmp_path):
    # 32 MB of zeros in a few KB: far over the ratio, but under the size the ratio applies from.
    archive = _archive(tmp_path / "model.tar.gz", {"config.json": b"{}", "zeros.bin": bytes(32 * 1024**2)})
    assert sorted(safe_extract(archive, tmp_path / "out")) == ["config.json", "zeros.bin"]
    assert (tmp_path / "out" / "zeros.bin").stat().st_size == 32 * 1024**2


def test_an_archive_larger_than_the_free_disk_space_is_refused_before_writing(tmp_path, monkeypatch):
    archive = _archive(
        tmp_path / "model.tar.gz", {"config.json": b"{}", "weights.bin": os.urandom(512 * 1024)}
    )
    real_usage = safetar.shutil.disk_usage
    monkeypatch.setattr(safetar.shutil, "disk_usage", lambda path: real_usage(path)._replace(free=1000))
    with pytest.raises(UnsafeArchiveError, match="free some disk space") as refused:
        safe_extract(archive, tmp_path / "out")
    assert "has 1000 bytes free" in str(refused.value)
    assert list((tmp_path / "out").iterdir()) == []


# ---- a folder with files behind a symlinked folder below its top level (issue 16.16) ----


def _model_folder_with_linked_weights(tmp_path: Path) -> Path:
    elsewhere = tmp_path / "elsewhere" / "shards"
    elsewhere.mkdir(parents=True)
    (elsewhere / "shard-1.safetensors").write_bytes(b"one")
    (elsewhere / "deeper").mkdir()
    (elsewhere / "deeper" / "shard-2.safetensors").write_bytes(b"two")
    model = tmp_path / "model"
    (model / "weights").mkdir(parents=True)
    (model / "config.json").write_text("{}")
    (model / "weights" / "shards").symlink_to(elsewhere, target_is_directory=True)
    return model


def _names(archive: Path) -> set[str]:
    with tarfile.open(archive) as tar:
        return {member.name for member in tar.getmembers() if member.isfile()}


def test_build_model_archive_packs_the_files_of_a_linked_folder_as_deploy_does(tmp_path):
    model = _model_folder_with_linked_weights(tmp_path)
    built = build_model_archive(model, tmp_path / "built.tar.gz")
    expected = {
        "config.json",
        "weights/shards/shard-1.safetensors",
        "weights/shards/deeper/shard-2.safetensors",
    }
    assert _names(built) == expected
    with tarfile.open(built) as tar:
        assert tar.extractfile("weights/shards/deeper/shard-2.safetensors").read() == b"two"

    code = tmp_path / "code"
    code.mkdir()
    (code / "inference.py").write_text("")
    staged = tmp_path / "deployed.tar.gz"
    prepare_model_data(None, str(model), CodeSpec("inference.py", str(code)), f"file://{staged}")
    assert _names(staged) - {"code/inference.py"} == expected


def test_a_folder_linked_to_its_own_ancestor_is_refused_not_packed_forever(tmp_path):
    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    (model / "config.json").write_text("{}")
    (model / "sub" / "loop").symlink_to(model, target_is_directory=True)
    with pytest.raises(ConfigurationError, match="symbolic link to a folder that contains it"):
        build_model_archive(model, tmp_path / "loop.tar.gz")
