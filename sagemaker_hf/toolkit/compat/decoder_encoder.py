"""``decoder_encoder`` as scripts written for the AWS toolkit call it.

The public functions of ``sagemaker_huggingface_inference_toolkit.decoder_encoder`` 2.6.0,
with the same signatures and return types: ``decode(content, content_type)`` returns the
parsed JSON, ``{"inputs": [...]}`` for CSV, ``{"inputs": image}`` for images and
``{"inputs": bytes}`` for audio; ``encode(content, accept_type)`` returns ``str`` for JSON
and CSV, ``bytes`` for NumPy and images. Malformed or empty JSON raises a
``json.JSONDecodeError`` there as here (ours is also the toolkit's 400).

``tests/toolkit/test_aws_toolkit_parity.py`` runs the same calls through the AWS module and
this one and compares the results; every difference it allows is a deliberate one, listed
in docs/migration.md (media-type parameters such as ``; charset=utf-8`` are accepted; NaN
becomes ``null``; object arrays are never pickled; errors name the problem and carry the
status code the server answers with).
"""

from __future__ import annotations

from typing import Any

from sagemaker_hf.toolkit import codecs, encoders, media_types
from sagemaker_hf.toolkit.compat import content_types

# What encode() gives back as text; the other types (NumPy, images) are bytes.
_TEXT_ENCODERS = frozenset({"json", "jsonlines", "csv"})


def _as_body(content: Any) -> bytes | str:
    if isinstance(content, (bytes, str)):
        return content
    return bytes(content)


def decode(content: Any, content_type: str = content_types.JSON) -> Any:
    """Decode a request body (``str`` or ``bytes``) by its content type."""
    return codecs.decode(_as_body(content), content_type)


def encode(content: Any, accept_type: str = content_types.JSON) -> str | bytes:
    """Encode a prediction as ``accept_type``; text types come back as ``str``, binary ones as ``bytes``."""
    accept = media_types.negotiate(accept_type) if accept_type in ("", content_types.ANY) else accept_type
    encoder = media_types.ENCODERS.get(media_types.parse_media_type(accept).essence)
    if encoder == "json":
        return encode_json(content)
    encoded = encoders.encode(content, accept)
    return encoded.decode("utf-8") if encoder in _TEXT_ENCODERS else encoded


def decode_json(content: Any) -> Any:
    return decode(content, content_types.JSON)


def decode_csv(string_like: Any) -> Any:
    return decode(string_like, content_types.CSV)


def decode_image(bpayload: Any) -> Any:
    return decode(bpayload, content_types.PNG)


def decode_audio(bpayload: Any) -> Any:
    return decode(bpayload, content_types.X_AUDIO)


def encode_json(content: Any, accept_type: str | None = None) -> str:
    """JSON text; ``accept_type`` is accepted and ignored, as in the AWS toolkit."""
    return encoders.json_text(content)


def encode_csv(content: Any, accept_type: str | None = None) -> str:
    """CSV text with a header row, lines ending in ``\\r\\n``; ``accept_type`` is ignored."""
    return encoders.encode(content, content_types.CSV).decode("utf-8")


def encode_image(image: Any, accept_type: str = content_types.PNG) -> bytes:
    """A PIL image's bytes in the format ``accept_type`` names (``image/x-image``: PNG)."""
    return encoders.encode_image(image, media_types.parse_media_type(accept_type).essence)
