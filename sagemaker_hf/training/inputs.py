"""What a training job runs on and with: its inputs, its code and its image versions.

* :class:`TrainingInput` and :func:`input_channels`: ``fit(inputs)`` → ``InputDataConfig``.
* :class:`TrainingCode`: ``entry_point``/``source_dir``/``dependencies`` → ``sourcedir.tar.gz``.
* :func:`check_versions`: the versions that choose the training image.

Inputs: ``s3://`` URIs are sent as they are. A local path (or ``file://`` URI) is read
in place when the session's service can (``session.direct_input_uri``: local mode), and
otherwise uploaded first, through :mod:`storage`, to ``artifact_uri(<job>, "input",
<channel>)`` (SageMaker reads only S3).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagemaker_hf import storage
from sagemaker_hf._validation import checked_arguments
from sagemaker_hf.artifacts import make_tarball
from sagemaker_hf.container.training import SOURCE_ARCHIVE_NAME
from sagemaker_hf.errors import ConfigurationError, MissingArgumentError

DEFAULT_CHANNEL = "training"
_CHANNEL_NAME = re.compile(r"^[A-Za-z0-9.\-_]{1,64}$")
# Version-control folders and bytecode caches are never part of the job's code.
_NOT_CODE = shutil.ignore_patterns(".git", ".hg", ".svn", "__pycache__", "*.pyc")

# argument -> values the API accepts
INPUT_CHOICES: dict[str, tuple[str, ...]] = {
    "distribution": ("FullyReplicated", "ShardedByS3Key"),
    "s3_data_type": ("S3Prefix", "ManifestFile", "AugmentedManifestFile"),
    "compression": ("None", "Gzip"),
    "input_mode": ("File", "Pipe", "FastFile"),
    "record_wrapping": ("None", "RecordIO"),
}


def _check_choice(argument: str, value: str | None) -> None:
    allowed = INPUT_CHOICES[argument]
    if value is not None and value not in allowed:
        raise ConfigurationError(f"{argument}={value!r} is not supported; use one of {', '.join(allowed)}.")


@dataclass(frozen=True)
class TrainingInput:
    """One input channel with its options (SDK v2's ``sagemaker.inputs.TrainingInput``, in its order).

    ``distribution`` defaults to ``FullyReplicated``, except for a channel limited to
    ``instance_groups``, as in v2. ``shuffle_config`` is the API's ``{"Seed": 1}``.
    """

    s3_data: str | Path
    distribution: str | None = None
    compression: str | None = None
    content_type: str | None = None
    record_wrapping: str | None = None
    s3_data_type: str = "S3Prefix"
    instance_groups: list[str] | None = None
    input_mode: str | None = None
    attribute_names: list[str] | None = None
    target_attribute_name: str | None = None
    shuffle_config: dict[str, int] | None = None
    hub_access_config: dict[str, Any] | None = None
    model_access_config: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        for argument in INPUT_CHOICES:
            _check_choice(argument, getattr(self, argument))

    @property
    def config(self) -> dict[str, Any]:
        """The ``Channel`` shape without its name (SDK v2's attribute)."""
        data_source: dict[str, Any] = {"S3DataType": self.s3_data_type, "S3Uri": str(self.s3_data)}
        if self.distribution is not None or not self.instance_groups:
            data_source["S3DataDistributionType"] = self.distribution or "FullyReplicated"
        source_options = {
            "InstanceGroupNames": self.instance_groups,
            "AttributeNames": self.attribute_names,
            "HubAccessConfig": self.hub_access_config,
            "ModelAccessConfig": self.model_access_config,
        }
        data_source.update({key: value for key, value in source_options.items() if value is not None})
        optional = {
            "ContentType": self.content_type,
            "CompressionType": self.compression,
            "RecordWrapperType": self.record_wrapping,
            "InputMode": self.input_mode,
            "TargetAttributeName": self.target_attribute_name,
            "ShuffleConfig": self.shuffle_config,
        }
        return {
            "DataSource": {"S3DataSource": data_source},
            **{key: value for key, value in optional.items() if value is not None},
        }

    def with_uri(self, uri: str) -> TrainingInput:
        return dataclasses.replace(self, s3_data=uri)


# The dataclass writes __init__; its arguments are checked against the fields' annotations,
# as every public call's are.
TrainingInput.__init__ = checked_arguments("TrainingInput")(TrainingInput.__init__)  # type: ignore[method-assign]


def _as_training_input(channel: str, value: Any) -> TrainingInput:
    if isinstance(value, TrainingInput):
        return value
    if isinstance(value, (str, Path)):
        return TrainingInput(str(value))
    raise ConfigurationError(
        f"fit() input for channel {channel!r} is a {type(value).__name__}; pass an s3:// URI, a local "
        "path or a sagemaker_hf.TrainingInput."
    )


def _check_channel_name(channel: str) -> None:
    if not isinstance(channel, str) or not _CHANNEL_NAME.match(channel):
        raise ConfigurationError(
            f"Channel name {channel!r} is not valid: use 1 to 64 letters, digits, '.', '-' or '_' "
            "(e.g. 'train', 'test')."
        )


def input_channels(session: Any, inputs: Any, job_name: str) -> list[dict[str, Any]]:
    """``InputDataConfig`` for ``fit(inputs)``; plain local paths are uploaded first.

    ``inputs`` is None, one source (channel ``training``) or a dict of channel → source,
    where a source is an ``s3://``/``file://`` URI, a local path or a :class:`TrainingInput`.
    """
    if inputs is None:
        return []
    if isinstance(inputs, dict):
        sources = dict(inputs)
    elif isinstance(inputs, (str, Path, TrainingInput)):
        sources = {DEFAULT_CHANNEL: inputs}
    else:
        raise ConfigurationError(
            f"fit(inputs=...) got a {type(inputs).__name__}; pass an s3:// URI, a local path, a "
            "TrainingInput, or a dict such as {'train': 's3://bucket/train', 'test': 's3://bucket/test'}."
        )
    channels = []
    for channel, value in sources.items():
        _check_channel_name(channel)
        source = _as_training_input(channel, value)
        uri = source.s3_data
        if not storage.is_s3(uri):
            if not storage.local_path(uri).exists():
                raise ConfigurationError(
                    f"fit() input for channel {channel!r}: {uri!r} is neither an s3:// URI nor an existing "
                    "local file or directory."
                )
            direct = session.direct_input_uri(uri)
            uri = direct or storage.upload_path(
                session, storage.local_path(uri), session.artifact_uri(job_name, "input", channel)
            )
            source = source.with_uri(uri)
        channels.append({"ChannelName": channel, **source.config})
    return channels


# ---- code --------------------------------------------------------------------------------


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
