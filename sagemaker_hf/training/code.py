"""What a training job runs: its code and the versions that choose its image.

* :class:`TrainingCode`: ``entry_point``/``source_dir``/``dependencies`` → ``sourcedir.tar.gz``.
* :func:`check_versions`: the versions that choose the training image.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagemaker_hf import storage
from sagemaker_hf.artifacts import make_tarball
from sagemaker_hf.container.training import SOURCE_ARCHIVE_NAME
from sagemaker_hf.errors import ConfigurationError, MissingArgumentError

# Version-control folders and bytecode caches are never part of the job's code.
_NOT_CODE = shutil.ignore_patterns(".git", ".hg", ".svn", "__pycache__", "*.pyc")


def _is_archive(path: str) -> bool:
    return path.endswith((".tar.gz", ".tgz"))


@dataclass(frozen=True)
class TrainingCode:
    """The training script, the directory around it, and extra libraries (SDK v2's meanings).

    ``source_dir`` may also be an ``s3://`` (or local) ``.tar.gz`` already holding the code,
    as ``attach()`` restores it.
    """

    entry_point: str
    source_dir: str | None = None
    dependencies: tuple[str, ...] = ()

    @property
    def program(self) -> str:
        """``sagemaker_program``: relative to ``source_dir``, or the script's file name."""
        return self.entry_point if self.source_dir else Path(self.entry_point).name

    @property
    def packed(self) -> bool:
        """Whether ``source_dir`` is an archive that is used as it is."""
        source_dir = self.source_dir
        return source_dir is not None and (storage.is_s3(source_dir) or _is_archive(source_dir))

    def check(self) -> None:
        """Fail before any API call when a local file named here is missing."""
        if storage.is_s3(self.entry_point):
            raise ConfigurationError(
                f"entry_point={self.entry_point!r} must be a local file (or a path inside source_dir); "
                "put the code in a .tar.gz and pass it as source_dir='s3://.../sourcedir.tar.gz'."
            )
        remote_dir = self.source_dir is not None and storage.is_s3(self.source_dir)
        if remote_dir and not _is_archive(str(self.source_dir)):
            raise ConfigurationError(
                f"source_dir={self.source_dir!r}: an S3 source_dir must be a .tar.gz of the code."
            )
        if self.packed:
            pass  # the archive's content is checked by the container, as in SDK v2
        elif self.source_dir is not None:
            if not Path(self.source_dir).is_dir():
                raise ConfigurationError(f"source_dir={self.source_dir!r} is not a directory.")
            if not (Path(self.source_dir) / self.entry_point).is_file():
                raise ConfigurationError(
                    f"entry_point={self.entry_point!r} is not a file inside source_dir={self.source_dir!r}; "
                    "give entry_point relative to source_dir."
                )
        elif not Path(self.entry_point).is_file():
            raise ConfigurationError(f"entry_point={self.entry_point!r} is not a file.")
        for dependency in self.dependencies:
            if not Path(dependency).exists():
                raise ConfigurationError(f"dependencies: {dependency!r} does not exist.")

    def upload(self, session: Any, destination_uri: str, kms_key: str | None = None) -> str:
        """``sagemaker_submit_directory``: the code packed and uploaded to ``destination_uri``.

        The archive holds ``source_dir``'s visible entries (or the entry point alone) at
        its root, and each dependency as a folder (or file) next to them.
        """
        if self.source_dir is not None and storage.is_s3(self.source_dir):
            return self.source_dir
        if self.packed:
            return storage.upload_file(
                session, storage.local_path(self.source_dir), destination_uri, kms_key, built_archive=True
            )
        with tempfile.TemporaryDirectory(prefix="sagemaker-hf-code-") as scratch:
            stage = Path(scratch) / "code"
            if self.source_dir is not None:
                shutil.copytree(self.source_dir, stage, ignore=_NOT_CODE)
            else:
                stage.mkdir()
                shutil.copy2(self.entry_point, stage / Path(self.entry_point).name)
            for dependency in map(Path, self.dependencies):
                if dependency.is_dir():
                    shutil.copytree(dependency, stage / dependency.name, dirs_exist_ok=True)
                else:
                    shutil.copy2(dependency, stage / dependency.name)
            archive = make_tarball(stage, Path(scratch) / SOURCE_ARCHIVE_NAME)
            return storage.upload_file(session, archive, destination_uri, kms_key, built_archive=True)


# ---- versions ----------------------------------------------------------------------------

_VERSIONS_EXAMPLE = "transformers_version='4.26.0', pytorch_version='1.13.1', py_version='py39'"


def check_versions(
    transformers_version: str | None,
    pytorch_version: str | None,
    tensorflow_version: str | None,
    py_version: str | None,
    image_uri: str | None,
) -> None:
    from sagemaker_hf.image_uris import check_image_versions

    if py_version is None and image_uri is None:
        # SDK v2 took py_version as a required positional argument, so its users catch TypeError.
        raise MissingArgumentError(
            f"HuggingFace() missing the argument py_version, which chooses the image: pass e.g. "
            f"{_VERSIONS_EXAMPLE}, or image_uri='<your image>'."
        )
    check_image_versions(
        "HuggingFace",
        transformers_version,
        pytorch_version,
        tensorflow_version,
        py_version,
        image_uri,
        example=_VERSIONS_EXAMPLE,
    )
    if image_uri is not None:
        return
    framework_version = pytorch_version or tensorflow_version
    assert transformers_version is not None and framework_version is not None
    if len(transformers_version.split(".")) != len(framework_version.split(".")):
        framework = "pytorch_version" if pytorch_version else "tensorflow_version"
        raise ConfigurationError(
            f"transformers_version={transformers_version!r} and {framework}={framework_version!r} use a "
            "different number of version parts; use the same number of version parts, e.g. 4.26.0 with "
            "1.13.1, or 4.26 with 1.13."
        )
