"""Images and audio for the vision and audio tasks: PIL images, bytes, base64 (never URLs or
paths), WAV decoding and resampling, sample arrays."""

from __future__ import annotations

import base64
import io
import shutil
import struct

import numpy as np
import pytest
from PIL import Image

from sagemaker_hf.testing import samples
from sagemaker_hf.toolkit.errors import BadInputError
from sagemaker_hf.toolkit.tasks import media_inputs

PNG = samples.png_bytes()


@pytest.mark.parametrize(
    "image",
    [
        Image.open(io.BytesIO(PNG)).convert("RGBA"),
        PNG,
        base64.b64encode(PNG).decode(),
        "data:image/png;base64," + base64.b64encode(PNG).decode(),
    ],
    ids=["pil", "bytes", "base64", "data-url"],
)
def test_every_image_form_gives_the_same_answer(task_models, image):
    model = task_models("image-classification")
    assert model.predict(image, {}) == model.predict(PNG, {})


def test_a_list_of_images_answers_per_image(task_models):
    result = task_models("image-classification").predict([PNG, PNG], {"top_k": 1})
    assert len(result) == 2 and all(len(entry) == 1 for entry in result)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("https://example.com/cat.png", "URLs are not fetched"),
        ("s3://bucket/cat.png", "URLs are not fetched"),
        ("/etc/hostname", "must be base64-encoded image data"),
        (base64.b64encode(b"not an image").decode(), "could not be decoded"),
        (42, "expected image bytes or a base64 string"),
    ],
)
def test_images_from_urls_paths_or_garbage_are_refused(task_models, value, fragment):
    with pytest.raises(BadInputError) as caught:
        task_models("image-classification").predict(value, {})
    assert fragment in caught.value.message


def test_zero_shot_image_classification_needs_candidate_labels(task_models):
    with pytest.raises(BadInputError, match="candidate_labels"):
        task_models("zero-shot-image-classification").predict(PNG, {})


def wav(samples_bytes: bytes, *, rate: int, bits: int, channels: int = 1, encoding: int = 1) -> bytes:
    block = channels * bits // 8
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, encoding, channels, rate, rate * block, block, bits)
    data = struct.pack("<4sI", b"data", len(samples_bytes)) + samples_bytes
    return struct.pack("<4sI4s", b"RIFF", 4 + len(fmt) + len(data), b"WAVE") + fmt + data


def test_wav_encodings_decode_to_the_same_samples():
    tone = np.sin(np.linspace(0, 20, 400)).astype(np.float32) * 0.5
    pcm16 = (tone * 32767).astype("<i2").tobytes()
    pcm32 = (tone * 2147483647).astype("<i4").tobytes()
    pcm8 = (tone * 127 + 128).astype(np.uint8).tobytes()
    as24 = (tone * 8388607).astype("<i4")
    pcm24 = b"".join(int(value).to_bytes(4, "little", signed=True)[:3] for value in as24)
    float32 = tone.astype("<f4").tobytes()
    for data, bits, encoding, tolerance in [
        (pcm16, 16, 1, 1e-4),
        (pcm32, 32, 1, 1e-6),
        (pcm8, 8, 1, 2e-2),  # 8-bit: 1/128 steps
        (pcm24, 24, 1, 1e-6),
        (float32, 32, 3, 0),
    ]:
        decoded, rate = media_inputs.read_wav(wav(data, rate=16_000, bits=bits, encoding=encoding), "test")
        assert rate == 16_000 and decoded.dtype == np.float32
        np.testing.assert_allclose(decoded, tone, atol=tolerance + 1e-7)


def test_stereo_is_averaged_and_other_rates_are_resampled():
    left = np.full(800, 0.5, dtype=np.float32)
    stereo = np.stack([left, -left / 2], axis=1).reshape(-1)
    data = wav((stereo * 32767).astype("<i2").tobytes(), rate=8_000, bits=16, channels=2)
    samples_at_16k = media_inputs.load_audio(data, "test", 16_000)
    assert len(samples_at_16k) == 1600
    np.testing.assert_allclose(samples_at_16k, 0.125, atol=1e-3)


def test_audio_forms(task_models):
    model = task_models("audio-classification")
    clip = samples.wav_bytes()
    decoded, _ = media_inputs.read_wav(clip, "test")
    expected = model.predict(clip, {})
    assert model.predict(base64.b64encode(clip).decode(), {}) == expected
    for same_clip in (decoded.tolist(), {"array": decoded.tolist(), "sampling_rate": 16_000}):
        result = model.predict(same_clip, {})
        assert [entry["label"] for entry in result] == [entry["label"] for entry in expected]
        assert [entry["score"] for entry in result] == pytest.approx([entry["score"] for entry in expected])
    assert len(model.predict([clip, clip], {})) == 2


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"array": [0.1, 0.2]}, 'integer "sampling_rate"'),
        ([], "non-empty 1-D array"),
        ("https://example.com/a.wav", "URLs are not fetched"),
        (b"RIFF\x00\x00\x00\x00WAVE", "truncated"),
    ],
)
def test_audio_errors(task_models, value, fragment):
    with pytest.raises(BadInputError) as caught:
        task_models("automatic-speech-recognition").predict(value, {})
    assert fragment in caught.value.message


@pytest.mark.skipif(shutil.which("ffmpeg") is not None, reason="with ffmpeg, other formats decode")
def test_audio_that_is_not_wav_needs_ffmpeg(task_models):
    with pytest.raises(BadInputError) as caught:
        task_models("automatic-speech-recognition").predict(b"fLaC\x00\x00\x00\x22" + bytes(64), {})
    assert "needs ffmpeg" in caught.value.message and "Send WAV" in caught.value.message
