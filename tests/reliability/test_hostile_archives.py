"""Hostile archives through every place that extracts one: each is refused with a message that
names the member and the problem, and nothing lands outside the extraction directory.

Paths: ``safe_extract`` itself; the SDK's repack of a local and an S3 ``model.tar.gz`` with
``entry_point`` (``deploy()`` fails before any API call); an S3 ``source_dir`` archive; a
local endpoint's and a local transform job's model data (the endpoint or job fails with the
reason); a local training job's ``sourcedir.tar.gz``. The toolkit extracts nothing (it
reads a directory), and a scan of the package keeps every extraction in ``safetar``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sagemaker_hf
from sagemaker_hf import HuggingFace, HuggingFaceModel
from sagemaker_hf.errors import ResourceFailedError, UnsafeArchiveError
from sagemaker_hf.local.registry import ModelRecord
from sagemaker_hf.safetar import safe_extract
from tests.fixtures.local_mode import LOCAL_VERSIONS
from tests.reliability.hostile_archives import KINDS, hostile_archive

every_kind = pytest.mark.parametrize("kind", sorted(KINDS))

TRAINING_VERSIONS = {"transformers_version": "4.48.0", "pytorch_version": "2.3.0", "py_version": "py311"}
INFERENCE = "def model_fn(model_dir):\n    return None\n"


def _code_dir(tmp_path: Path) -> Path:
    code = tmp_path / "code"
    code.mkdir(exist_ok=True)
    (code / "inference.py").write_text(INFERENCE)
    return code


def _assert_refusal(message: str, archive) -> None:
    assert archive.expected_message in message
    assert "Rebuild the archive from a plain directory" in message


@every_kind
def test_safe_extract(kind, tmp_path):
    with hostile_archive(kind, tmp_path / "in") as archive:
        with pytest.raises(UnsafeArchiveError) as raised:
            safe_extract(archive.path, tmp_path / "out" / "model")
        _assert_refusal(str(raised.value), archive)
        assert str(archive.path) in str(raised.value)
        archive.assert_nothing_escaped(tmp_path)


@every_kind
def test_sdk_repack_of_a_local_archive(kind, tmp_path, local_session):
    with hostile_archive(kind, tmp_path / "in") as archive:
        model = HuggingFaceModel(
            model_data=str(archive.path),
            entry_point="inference.py",
            source_dir=str(_code_dir(tmp_path)),
            sagemaker_session=local_session,
            **LOCAL_VERSIONS,
        )
        with pytest.raises(UnsafeArchiveError) as raised:
            model.deploy(1, "local", endpoint_name=f"repack-{kind}")
        _assert_refusal(str(raised.value), archive)
        archive.assert_nothing_escaped(tmp_path, local_session.local_settings.home)
    assert local_session.sagemaker_client.registry.names(ModelRecord) == []  # no API call was made


@every_kind
def test_sdk_repack_of_an_s3_archive_and_an_s3_source_dir(kind, tmp_path, moto_session, moto_role_arn):
    s3 = moto_session.s3_client
    s3.create_bucket(Bucket="hostile")
    with hostile_archive(kind, tmp_path / "in") as archive:
        s3.upload_file(str(archive.path), "hostile", "model.tar.gz")
        s3.upload_file(str(archive.path), "hostile", "sourcedir.tar.gz")
        for model in (
            HuggingFaceModel(
                model_data="s3://hostile/model.tar.gz",
                entry_point="inference.py",
                source_dir=str(_code_dir(tmp_path)),
                role=moto_role_arn,
                sagemaker_session=moto_session,
                **LOCAL_VERSIONS,
            ),
            HuggingFaceModel(
                entry_point="inference.py",
                source_dir="s3://hostile/sourcedir.tar.gz",
                env={"HF_MODEL_ID": "distilbert-base-uncased"},
                role=moto_role_arn,
                sagemaker_session=moto_session,
                **LOCAL_VERSIONS,
            ),
        ):
            with pytest.raises(UnsafeArchiveError) as raised:
                model.deploy(1, "ml.m5.xlarge")
            _assert_refusal(str(raised.value), archive)
        archive.assert_nothing_escaped(tmp_path)
    assert moto_session.sagemaker_client.list_models()["Models"] == []


@every_kind
def test_local_endpoint_model_data(kind, tmp_path, local_session):
    with hostile_archive(kind, tmp_path / "in") as archive:
        model = HuggingFaceModel(
            model_data=str(archive.path), sagemaker_session=local_session, **LOCAL_VERSIONS
        )
        name = f"hostile-{kind}"
        try:
            with pytest.raises(ResourceFailedError) as raised:
                model.deploy(1, "local", endpoint_name=name)
        finally:
            local_session.sagemaker_client.delete_endpoint(EndpointName=name)
        reason = raised.value.failure_reason
        assert "could not prepare the model data" in reason
        _assert_refusal(reason, archive)
        archive.assert_nothing_escaped(tmp_path, local_session.local_settings.home)


@every_kind
def test_local_transform_job_model_data(kind, tmp_path, local_session):
    data = tmp_path / "data.jsonl"
    data.write_text('{"inputs": "hello"}\n')
    with hostile_archive(kind, tmp_path / "in") as archive:
        model = HuggingFaceModel(
            model_data=str(archive.path), sagemaker_session=local_session, **LOCAL_VERSIONS
        )
        transformer = model.transformer(1, "local", output_path=str(tmp_path / "out"))
        with pytest.raises(ResourceFailedError) as raised:
            transformer.transform(str(data), content_type="application/jsonlines", split_type="Line")
        _assert_refusal(raised.value.failure_reason, archive)
        archive.assert_nothing_escaped(tmp_path, local_session.local_settings.home)


@every_kind
def test_local_training_source_archive(kind, tmp_path, local_session):
    with hostile_archive(kind, tmp_path / "in", name="sourcedir.tar.gz") as archive:
        estimator = HuggingFace(
            entry_point="train.py",
            source_dir=str(archive.path),
            instance_type="local",
            instance_count=1,
            sagemaker_session=local_session,
            **TRAINING_VERSIONS,
        )
        with pytest.raises(ResourceFailedError) as raised:
            estimator.fit(logs=False)
        _assert_refusal(raised.value.failure_reason, archive)
        archive.assert_nothing_escaped(tmp_path, local_session.local_settings.home)


# Anything that unpacks an archive outside safetar.py.
EXTRACTION = re.compile(
    r"extractall\(|\.extract\(|unpack_archive|zipfile|TarFile\(|tarfile\.open\([^)]*['\"]r"
)


def test_every_extraction_in_the_package_goes_through_safetar():
    package = Path(sagemaker_hf.__file__).parent
    found = [
        f"{path.relative_to(package)}:{number}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "safetar.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if EXTRACTION.search(line)
    ]
    assert found == []
    toolkit = package / "toolkit"
    assert not any("tarfile" in path.read_text(encoding="utf-8") for path in toolkit.rglob("*.py"))
