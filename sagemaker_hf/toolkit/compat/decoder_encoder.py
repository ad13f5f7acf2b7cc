"""``decoder_encoder`` as scripts written for the AWS toolkit call it.

Same names and return shapes as the AWS module: ``decode(content, content_type)`` returns
the parsed JSON, ``{"inputs": [...]}`` for CSV, ``{"inputs": image}`` for images and
``{"inputs": bytes}`` for audio; ``encode(content, accept)`` returns ``str`` for JSON and
CSV and ``bytes`` for NumPy. Both accept media-type parameters (``; charset=utf-8``),
which the AWS module refuses, and raise the toolkit's own errors (400, 406, 415) instead
of MMS exceptions. The work is done by :mod:`sagemaker_hf.toolkit.codecs` and
:mod:`sagemaker_hf.toolkit.encoders`.
"""

from __future__ import annotations

from typing import Any

from sagemaker_hf.toolkit import codecs, encoders, media
from sagemaker_hf.toolkit.compat import content_types


def _as_body(content: Any) -> bytes | str:
    if isinstance(content, (bytes, str)):
        return content
    return bytes(content)


def decode(content: Any, content_type: str = content_types.JSON) -> Any:
    """Decode a request body (``str`` or ``bytes``) by its content type."""
    return codecs.decode(_as_body(content), content_type)


def encode(content: Any, content_type: str = content_types.JSON) -> str | bytes:
    """Encode a prediction; text types come back as ``str``, binary ones as ``bytes``."""
    accept = media.negotiate(content_type) if content_type in ("", content_types.ANY) else content_type
    encoded = encoders.encode(content, accept)
    if media.ENCODERS[media.parse_media_type(accept).essence] == "npy":
        return encoded
    return encoded.decode("utf-8")


def decode_json(content: Any) -> Any:
    return decode(content, content_types.JSON)


def decode_csv(string_like: Any) -> Any:
    return decode(string_like, content_types.CSV)


def decode_image(bpayload: Any) -> Any:
    return decode(bpayload, content_types.PNG)


def decode_audio(bpayload: Any) -> Any:
    return decode(bpayload, content_types.X_AUDIO)


def encode_json(content: Any) -> str:
    return encoders.encode(content, content_types.JSON).decode("utf-8")


def encode_csv(content: Any) -> str:
    return encoders.encode(content, content_types.CSV).decode("utf-8")
