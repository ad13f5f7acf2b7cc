"""Images and audio from a request, for the vision and audio pipelines.

Images: PIL images (the codec decodes image bodies), raw bytes, or base64 strings (with or
without a ``data:`` prefix) in JSON. Audio: raw bytes (WAV is decoded here; other formats
need ffmpeg in the image), base64 strings, arrays of samples at the model's rate, or
``{"array"|"raw": [...], "sampling_rate": N}``.

URLs are never fetched and strings are never opened as paths: the container has no network
by default, and a request must not read the server's files.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import shutil
import struct
from typing import Any

from sagemaker_hf.toolkit.errors import BadInputError
from sagemaker_hf.toolkit.tasks.base import preview
from sagemaker_hf.toolkit.tasks.inputs import Prepared

_NO_URLS = (
    "URLs are not fetched (the endpoint has no network by default): send the {kind} itself, as the request "
    "body with Content-Type {content_type}, or base64-encoded in JSON."
)


def images(inputs: Any, task: str) -> Prepared:
    """One image or a non-empty list of images, as PIL RGB images."""
    if isinstance(inputs, list) and inputs:
        return Prepared([load_image(item, task) for item in inputs], many=True)
    return Prepared([load_image(inputs, task)], many=False)


def load_image(value: Any, task: str) -> Any:
    from PIL import Image, UnidentifiedImageError

    if isinstance(value, Image.Image):
        return value.convert("RGB")
    data = _bytes_from(value, task, kind="image", content_type="image/png or image/jpeg")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise BadInputError(
            f"{task}: the image could not be decoded ({error}). Send PNG, JPEG, TIFF, BMP, GIF or WebP bytes."
        ) from error
    return image.convert("RGB")


def audio_clips(inputs: Any, task: str, sampling_rate: int) -> Prepared:
    """One clip or a list of clips, as float32 mono arrays at ``sampling_rate``."""
    if isinstance(inputs, list) and inputs and not _is_number(inputs[0]):
        return Prepared([load_audio(item, task, sampling_rate) for item in inputs], many=True)
    return Prepared([load_audio(inputs, task, sampling_rate)], many=False)


# Speech encoders (wav2vec2, HuBERT) see 25 ms through their first convolutions; a shorter clip
# fails inside the model ("Kernel size can't be greater than actual input size").
MIN_AUDIO_SECONDS = 0.025


def load_audio(value: Any, task: str, sampling_rate: int) -> Any:
    """A clip as float32 mono samples at ``sampling_rate``; BadInputError if it is unusable."""
    import numpy as np

    samples = _load_audio(value, task, sampling_rate)
    shortest = math.ceil(MIN_AUDIO_SECONDS * sampling_rate)
    if len(samples) < shortest:
        raise BadInputError(
            f"{task}: the clip is {len(samples)} samples long at {sampling_rate} Hz, shorter than the "
            f"{MIN_AUDIO_SECONDS * 1000:g} ms ({shortest} samples) a speech model needs; send a longer clip."
        )
    if not np.isfinite(samples).all():
        raise BadInputError(f"{task}: the audio samples hold null, NaN or infinite values; send numbers.")
    return samples


def _load_audio(value: Any, task: str, sampling_rate: int) -> Any:
    import numpy as np

    if isinstance(value, dict):
        samples = value.get("array", value.get("raw"))
        source_rate = value.get("sampling_rate")
        if samples is None or not isinstance(source_rate, int) or source_rate <= 0:
            raise BadInputError(
                f'{task}: an audio object needs "array" (or "raw") samples and an integer "sampling_rate", '
                f"got keys {sorted(value)}."
            )
        return resample(_samples(samples, task), source_rate, sampling_rate)
    if isinstance(value, (list, np.ndarray)):
        return _samples(value, task)
    data = _bytes_from(value, task, kind="audio", content_type="audio/wav")
    return decode_audio_bytes(data, task, sampling_rate)


def decode_audio_bytes(data: bytes, task: str, sampling_rate: int) -> Any:
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        samples, source_rate = read_wav(data, task)
        return resample(samples, source_rate, sampling_rate)
    if shutil.which("ffmpeg"):
        from transformers.pipelines.audio_utils import ffmpeg_read

        try:
            return ffmpeg_read(data, sampling_rate)
        except ValueError as error:
            raise BadInputError(f"{task}: ffmpeg could not decode the audio ({error}).") from error
    raise BadInputError(
        f"{task}: this audio is not WAV, and decoding other formats (FLAC, MP3, OGG) needs ffmpeg, which "
        "this image does not have. Send WAV, or the samples as a JSON array or application/x-npy at "
        f"{sampling_rate} Hz."
    )


def read_wav(data: bytes, task: str) -> tuple[Any, int]:
    """PCM (8/16/24/32-bit) or IEEE-float WAV → (float32 mono samples in [-1, 1], sampling rate)."""
    import numpy as np

    chunks = _riff_chunks(data, task)
    if b"fmt " not in chunks or b"data" not in chunks or len(chunks[b"fmt "]) < 16:
        raise BadInputError(f"{task}: the WAV file has no 'fmt ' or 'data' chunk.")
    fmt = chunks[b"fmt "]
    encoding, channels, rate, _, _, bits = struct.unpack("<HHIIHH", fmt[:16])
    if (
        encoding == 0xFFFE and len(fmt) >= 26
    ):  # WAVE_FORMAT_EXTENSIBLE: the real code opens the sub-format GUID
        encoding = struct.unpack("<H", fmt[24:26])[0]
    raw = chunks[b"data"]
    if encoding == 3 and bits in (32, 64):
        samples = np.frombuffer(raw[: len(raw) // (bits // 8) * (bits // 8)], dtype=f"<f{bits // 8}")
    elif encoding == 1 and bits == 8:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif encoding == 1 and bits in (16, 32):
        width = bits // 8
        samples = np.frombuffer(raw[: len(raw) // width * width], dtype=f"<i{width}") / float(2 ** (bits - 1))
    elif encoding == 1 and bits == 24:
        triples = np.frombuffer(raw[: len(raw) // 3 * 3], dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        samples = np.where(values >= 1 << 23, values - (1 << 24), values) / float(1 << 23)
    else:
        raise BadInputError(
            f"{task}: unsupported WAV encoding (format {encoding}, {bits} bits). "
            "Send 8/16/24/32-bit PCM or float WAV."
        )
    if channels > 1:
        samples = samples[: len(samples) // channels * channels].reshape(-1, channels).mean(axis=1)
    return samples.astype(np.float32), rate


def resample(samples: Any, source_rate: int, target_rate: int) -> Any:
    """Linear interpolation to ``target_rate``: cheap and dependency-free; good enough for speech."""
    import numpy as np

    if source_rate == target_rate or len(samples) == 0:
        return samples
    duration = len(samples) / source_rate
    target_times = np.arange(round(duration * target_rate)) / target_rate
    source_times = np.arange(len(samples)) / source_rate
    return np.interp(target_times, source_times, samples).astype(np.float32)


def _riff_chunks(data: bytes, task: str) -> dict[bytes, bytes]:
    chunks: dict[bytes, bytes] = {}
    offset = 12
    while offset + 8 <= len(data):
        chunk_id, size = struct.unpack("<4sI", data[offset : offset + 8])
        chunks.setdefault(chunk_id, data[offset + 8 : offset + 8 + size])
        offset += 8 + size + (size % 2)
    if not chunks:
        raise BadInputError(f"{task}: the WAV file is truncated.")
    return chunks


def _samples(value: Any, task: str) -> Any:
    import numpy as np

    try:
        samples = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise BadInputError(f"{task}: audio samples must be numbers, got {preview(value)}.") from error
    if samples.ndim == 2:  # (channels, samples) or (samples, channels): average the short axis
        samples = samples.mean(axis=0 if samples.shape[0] < samples.shape[1] else 1)
    if samples.ndim != 1 or samples.size == 0:
        raise BadInputError(
            f"{task}: audio samples must be a non-empty 1-D array, got shape {samples.shape}."
        )
    return samples


def _bytes_from(value: Any, task: str, kind: str, content_type: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if not isinstance(value, str):
        raise BadInputError(
            f"{task}: expected {kind} bytes or a base64 string, got {type(value).__name__} {preview(value)}."
        )
    text = value.strip()
    if text.lower().startswith(("http://", "https://", "s3://", "file:")):
        raise BadInputError(f"{task}: {_NO_URLS.format(kind=kind, content_type=content_type)}")
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as error:
        raise BadInputError(
            f"{task}: a string input must be base64-encoded {kind} data; {preview(value, 40)} is not. "
            f"Send the {kind} as the request body with Content-Type {content_type}, or base64 in JSON."
        ) from error


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
