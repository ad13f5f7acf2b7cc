"""Resource names and tags.

A generated name is a base plus a millisecond UTC timestamp
(``huggingface-pytorch-inference-2024-05-01-12-30-45-123``), at most 63 characters
(SageMaker's limit), the base trimmed to fit, exactly as SDK v2 named things.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

from sagemaker_hf._validation import checked_arguments
from sagemaker_hf.errors import ConfigurationError

MAX_NAME_LENGTH = 63
_TIMESTAMP_SUFFIX = re.compile(r"-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}$")
_INVALID_NAME_CHARS = re.compile(r"[^a-zA-Z0-9-]+")


def timestamp() -> str:
    """``%Y-%m-%d-%H-%M-%S-<milliseconds>`` in UTC."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d-%H-%M-%S-%f")[:-3]


@checked_arguments("name_from_base")
def name_from_base(base: str, max_length: int = MAX_NAME_LENGTH, short: bool = False) -> str:
    """``base`` plus a fresh timestamp, the base trimmed so the whole fits ``max_length``.

    SDK v2's ``sagemaker.utils.name_from_base`` (notebooks name endpoints with it);
    ``short=True`` uses v2's short stamp, ``%y%m%d-%H%M`` in local time.
    """
    stamp = time.strftime("%y%m%d-%H%M") if short else timestamp()
    trimmed = _safe_base(base)[: max_length - len(stamp) - 1].rstrip("-")
    return f"{trimmed}-{stamp}"


def base_from_name(name: str) -> str:
    """``name`` without a trailing timestamp added by :func:`name_from_base`."""
    return _TIMESTAMP_SUFFIX.sub("", name)


def base_name_from_image(image_uri: str) -> str:
    """The repository of an image URI: ``…/huggingface-pytorch-inference:1.13…`` → its name."""
    repository = image_uri.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
    return _safe_base(repository)


def _safe_base(base: str) -> str:
    # SageMaker names allow only letters, digits and hyphens; ECR repositories also use . and _.
    cleaned = _INVALID_NAME_CHARS.sub("-", base).strip("-")
    return cleaned or "sagemaker-hf"


def normalize_tags(
    tags: Mapping[str, str] | Sequence[Mapping[str, str]] | None,
) -> list[dict[str, str]] | None:
    """Tags as the API wants them, from a ``{"Key", "Value"}`` list or a plain dict."""
    if not tags:
        return None
    if isinstance(tags, Mapping):
        return [{"Key": str(key), "Value": str(value)} for key, value in tags.items()]
    normalized = []
    for tag in tags:
        if not isinstance(tag, Mapping) or set(tag) != {"Key", "Value"}:
            raise ConfigurationError(
                f"tags: {tag!r} is not a tag. Pass a list of {{'Key': ..., 'Value': ...}} dicts "
                "or a plain dict such as {'team': 'nlp'}."
            )
        normalized.append({"Key": str(tag["Key"]), "Value": str(tag["Value"])})
    return normalized
