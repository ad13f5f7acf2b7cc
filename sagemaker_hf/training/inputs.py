"""What a training job reads: :class:`TrainingInput` and :func:`input_channels`, ``fit(inputs)`` →
``InputDataConfig`` (the code and its versions are :mod:`sagemaker_hf.training.code`'s).

 ``s3://`` URIs are sent as they are. A local path (or ``file://`` URI) is read
in place when the session's service can (``session.direct_input_uri``: local mode), and
otherwise uploaded first, through :mod:`storage`, to ``artifact_uri(<job>, "input",
<channel>)`` (SageMaker reads only S3).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sagemaker_hf import storage
from sagemaker_hf._validation import checked_arguments
from sagemaker_hf.errors import ConfigurationError

DEFAULT_CHANNEL = "training"
_CHANNEL_NAME = re.compile(r"^[A-Za-z0-9.\-_]{1,64}$")

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
