"""model.tar.gz helpers: the documented `tar zcvf model.tar.gz *` flow with the layout checked."""

from __future__ import annotations

import tarfile
import warnings

import pytest

from sagemaker_hf.artifacts import CodeSpec, build_model_archive, check_model_layout, prepare_model_data
from sagemaker_hf.errors import ConfigurationError
from tests.sdk.conftest import tar_members, write_inference_script, write_model_dir


def test_build_model_archive_puts_files_at_the_root(tmp_path):
    model_dir = write_model_dir(tmp_path / "distilbert")
    (model_dir / ".gitattributes").write_text("*.bin filter=lfs")
    (model_dir / "1_Pooling").mkdir()
    (model_dir / "1_Pooling" / "config.json").write_text("{}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a sentence-transformers module folder is not a nested model
        archive = build_model_archive(model_dir)
    assert archive == tmp_path / "distilbert.model.tar.gz"
    members = tar_members(archive.read_bytes())
    assert set(members) == {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "vocab.txt",
        "1_Pooling/config.json",
    }


def test_archive_written_inside_the_directory_does_not_include_itself(tmp_path):
    model_dir = write_model_dir(tmp_path / "m")
    archive = build_model_archive(model_dir, model_dir / "model.tar.gz")
    assert "model.tar.gz" not in tar_members(archive.read_bytes())


def test_model_one_level_down_is_refused_with_the_fix(tmp_path):
    write_model_dir(tmp_path / "clone" / "my-model")
    with pytest.raises(ConfigurationError, match=r"no config\.json at its root") as raised:
        build_model_archive(tmp_path / "clone")
    assert "one level down in 'my-model'" in str(raised.value)
    assert str(tmp_path / "clone" / "my-model") in str(raised.value)


def test_extra_top_level_model_folder_warns(tmp_path):
    model_dir = write_model_dir(tmp_path / "m")
    write_model_dir(model_dir / "checkpoint-500")
    with pytest.warns(UserWarning, match="extra top-level folder"):
        check_model_layout(model_dir)


def test_empty_or_missing_directories(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigurationError, match="is empty"):
        build_model_archive(tmp_path / "empty")
    with pytest.raises(ConfigurationError, match="is not a directory"):
        build_model_archive(tmp_path / "missing")


def test_custom_code_models_need_no_config_json(tmp_path):
    model_dir = tmp_path / "sklearn"
    write_inference_script(model_dir / "code")
    (model_dir / "model.joblib").write_bytes(b"\x00")
    check_model_layout(model_dir)  # passes: code/inference.py loads whatever it needs


def test_prepare_model_data_repacks_local_archive_on_disk(tmp_path):
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in write_model_dir(tmp_path / "m").iterdir():
            tar.add(path, arcname=path.name)
    script = write_inference_script(tmp_path / "src")
    destination = tmp_path / "out" / "model.tar.gz"
    result = prepare_model_data(object(), str(archive), CodeSpec(str(script)), f"file://{destination}")
    assert result == f"file://{destination}"
    assert {"config.json", "code/inference.py"} <= set(tar_members(destination.read_bytes()))
    assert prepare_model_data(object(), "s3://b/model.tar.gz", None, "unused") == "s3://b/model.tar.gz"
    assert prepare_model_data(object(), None, None, "unused") is None


def test_source_dir_from_s3_is_unpacked_into_code(moto_session, tmp_path):
    source = tmp_path / "source"
    write_inference_script(source)
    (source / "utils.py").write_text("X = 1\n")
    sourcedir = tmp_path / "sourcedir.tar.gz"
    with tarfile.open(sourcedir, "w:gz") as tar:
        for path in source.iterdir():
            tar.add(path, arcname=path.name)
    moto_session.s3_client.create_bucket(Bucket="code")
    moto_session.s3_client.upload_file(str(sourcedir), "code", "sourcedir.tar.gz")
    code = CodeSpec("inference.py", source_dir="s3://code/sourcedir.tar.gz")
    code.check()
    destination = tmp_path / "model.tar.gz"
    prepare_model_data(moto_session, None, code, str(destination))
    assert set(tar_members(destination.read_bytes())) == {"code/inference.py", "code/utils.py"}


def test_symlinked_files_are_stored_as_content(tmp_path):
    # A Hugging Face cache snapshot: every file is a link into blobs/.
    blobs = tmp_path / "blobs"
    blobs.mkdir()
    (blobs / "abc").write_text('{"model_type": "bert"}')
    (blobs / "def").write_bytes(b"weights")
    snapshot = tmp_path / "snapshots" / "main"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").symlink_to(blobs / "abc")
    (snapshot / "model.safetensors").symlink_to(blobs / "def")
    archive = build_model_archive(snapshot, tmp_path / "model.tar.gz")
    assert tar_members(archive.read_bytes()) == {
        "config.json": b'{"model_type": "bert"}',
        "model.safetensors": b"weights",
    }
