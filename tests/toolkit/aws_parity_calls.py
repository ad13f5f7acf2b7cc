"""The calls of the AWS toolkit parity test, run in one interpreter and printed as JSON.

    python tests/toolkit/aws_parity_calls.py aws    # in .venv/aws-toolkit: the AWS module
    python tests/toolkit/aws_parity_calls.py ours   # in .venv: sagemaker_hf's compat module

Each side imports ``sagemaker_huggingface_inference_toolkit.decoder_encoder`` (on ours
through the compat alias) and makes the same calls: the inputs of the AWS toolkit's own
unit tests, what the pipelines return, and inputs a client or a model can send that those
tests do not. It prints one JSON object: the module's public functions and their
parameters, the ``content_types`` constants, and for every call its outcome (the value
described exactly: text, bytes in base64, images as mode, size and a hash of their pixels;
or the error's class name and the builtin classes an ``except`` clause could name).

This file imports only the standard library, numpy and Pillow: it runs in the AWS side's
venv, which has nothing of sagemaker_hf.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import inspect
import io
import json
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

# From the AWS toolkit's tests/unit/test_decoder_encoder.py.
ENCODE_JSON_INPUT = {"upper": [1425], "lower": [576], "level": [2], "datetime": ["2012-08-08 15:30"]}
ENCODE_CSV_INPUT = [
    {"answer": "Nuremberg", "end": 42, "score": 0.9926825761795044, "start": 33},
    {"answer": "Berlin is the capital of Germany", "end": 32, "score": 0.26097726821899414, "start": 0},
]
DECODE_JSON_INPUT = {"inputs": "My name is Wolfgang and I live in Berlin"}
DECODE_CSV_INPUT = (
    "question,context\r\nwhere do i live?,My name is Philipp and I live in Nuremberg\r\n"
    "where is Berlin?,Berlin is the capital of Germany"
)
IMAGE_TYPES = [
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/bmp",
    "image/gif",
    "image/webp",
    "image/x-image",
]
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/tiff": "TIFF", "image/bmp": "BMP"}
IMAGE_FORMATS.update({"image/gif": "GIF", "image/webp": "WEBP", "image/x-image": "PNG"})


def picture(mode: str = "RGB") -> Image.Image:
    """A small image with some structure (a gradient), the same on both sides."""
    image = Image.linear_gradient("L").resize((24, 16))
    return image.convert(mode)


def image_bytes(image_format: str) -> bytes:
    buffer = io.BytesIO()
    picture().save(buffer, format=image_format)
    return buffer.getvalue()


def npy_bytes(array: Any) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def calls(de: Any) -> dict[str, Callable[[], Any]]:
    """Call id -> the call, on the decoder_encoder module ``de``."""
    found: dict[str, Callable[[], Any]] = {
        # ---------------------------------------------------------------- decode: JSON
        "decode_json str": lambda: de.decode_json(json.dumps(DECODE_JSON_INPUT)),
        "decode_json bytes": lambda: de.decode_json(json.dumps(DECODE_JSON_INPUT).encode()),
        "decode_json bytearray": lambda: de.decode_json(bytearray(b'{"inputs": "caf\xc3\xa9"}')),
        "decode json": lambda: de.decode(json.dumps(DECODE_JSON_INPUT), "application/json"),
        "decode json by default": lambda: de.decode(b'{"inputs": [1, 2.5, null, true]}'),
        "decode empty json": lambda: de.decode(b"", "application/json"),
        "decode blank json": lambda: de.decode("  \n", "application/json"),
        "decode malformed json": lambda: de.decode(b'{"inputs": }', "application/json"),
        "decode_json malformed": lambda: de.decode_json("{oops"),
        "decode two json documents on one line": lambda: de.decode('{"a": 1} {"b": 2}', "application/json"),
        "decode json lines under application/json": lambda: de.decode(
            '{"inputs": "a"}\n{"inputs": "b"}', "application/json"
        ),
        "decode json with a charset": lambda: de.decode(
            b'{"inputs": "x"}', "application/json; charset=utf-8"
        ),
        "decode deeply nested json": lambda: de.decode("[" * 100_000 + "]" * 100_000, "application/json"),
        "decode json integer of 5000 digits": lambda: de.decode("1" * 5000, "application/json"),
        # ---------------------------------------------------------------- decode: CSV
        "decode_csv question and context": lambda: de.decode_csv(DECODE_CSV_INPUT),
        "decode_csv inputs": lambda: de.decode_csv("inputs\r\nI love you\r\nI like you"),
        "decode csv": lambda: de.decode("inputs\nI love you\n", "text/csv"),
        "decode_csv inputs among other columns": lambda: de.decode_csv("id,inputs\r\n1,hello\r\n2,world"),
        "decode_csv quoted fields": lambda: de.decode_csv('inputs\r\n"a, b"\r\n"two\nlines"'),
        "decode_csv without a header": lambda: de.decode_csv(
            "where do i live?,My name is Philipp and I live in Nuremberg\r\nwhere is Berlin?,Berlin"
        ),
        "decode_csv upper-case header": lambda: de.decode_csv("Inputs\r\nI love you"),
        "decode_csv ragged row": lambda: de.decode_csv("question,context\r\nwhere do i live?"),
        "decode empty csv": lambda: de.decode("", "text/csv"),
        "decode csv bytes": lambda: de.decode(b"inputs\nI love you", "text/csv"),
        # ---------------------------------------------------------------- decode: images, audio, npy
        "decode_image not an image": lambda: de.decode_image(bytearray(b"not an image")),
        "decode_audio": lambda: de.decode_audio(bytearray(b"RIFF\x24\x00\x00\x00WAVEfmt ")),
        "decode audio/mpeg": lambda: de.decode(b"ID3\x03\x00", "audio/mpeg"),
        "decode empty audio": lambda: de.decode(b"", "audio/x-audio"),
        "decode npy numbers": lambda: de.decode(
            npy_bytes(np.arange(6, dtype=np.float32).reshape(2, 3)), "application/x-npy"
        ),
        "decode npy objects": lambda: de.decode(
            npy_bytes(np.array([{"a": 1}], dtype=object)), "application/x-npy"
        ),
        "decode unsupported type": lambda: de.decode(b"<a/>", "application/xml"),
        # ---------------------------------------------------------------- encode: JSON
        "encode_json": lambda: de.encode_json(ENCODE_JSON_INPUT),
        "encode_json with accept_type": lambda: de.encode_json(ENCODE_JSON_INPUT, "application/json"),
        "encode_json numpy array": lambda: de.encode_json({"data": np.array([1, 0.5, 5.0])}),
        "encode_json numpy scalars": lambda: de.encode_json(
            {"i": np.int64(3), "f32": np.float32(0.1), "f64": np.float64(1e-7), "b": np.bool_(True)}
        ),
        "encode_json small and large floats": lambda: de.encode_json([1e-7, 1e16, 0.1, 2.0, -0.0, 5e-324]),
        "encode_json datetime": lambda: de.encode_json({"when": datetime.datetime(2012, 8, 8, 15, 30)}),
        "encode_json image": lambda: de.encode_json([{"label": "cat", "mask": picture("L"), "score": 0.5}]),
        "encode_json unicode": lambda: de.encode_json({"text": "café \u2028 \x7f \U0001f917 \x00"}),
        "encode_json int keys": lambda: de.encode_json({1: "a", 2: "b"}),
        "encode_json nan": lambda: de.encode_json({"score": float("nan")}),
        "encode_json bytes": lambda: de.encode_json({"audio": b"\x00\x01"}),
        "encode json": lambda: de.encode(ENCODE_JSON_INPUT, "application/json"),
        "encode json by default": lambda: de.encode([{"label": "POSITIVE", "score": 0.99}]),
        "encode any": lambda: de.encode({"a": 1}, "*/*"),
        "encode json with a charset": lambda: de.encode({"a": 1}, "application/json; charset=utf-8"),
        "encode json lines": lambda: de.encode([{"a": 1}, {"a": 2}], "application/jsonlines"),
        "encode unsupported type": lambda: de.encode({"a": 1}, "text/html"),
        # ---------------------------------------------------------------- encode: CSV
        "encode_csv": lambda: de.encode_csv(ENCODE_CSV_INPUT),
        "encode_csv with accept_type": lambda: de.encode_csv(ENCODE_CSV_INPUT, "text/csv"),
        "encode csv": lambda: de.encode(ENCODE_CSV_INPUT, "text/csv"),
        "encode_csv numpy float32 cells": lambda: de.encode_csv([{"word": "x", "score": np.float32(0.5)}]),
        "encode_csv quoting": lambda: de.encode_csv([{"text": 'a, "b"\nc', "n": None}]),
        "encode_csv one dict": lambda: de.encode_csv({"label": "POSITIVE", "score": 0.99}),
        "encode_csv rows with different keys": lambda: de.encode_csv([{"a": 1}, {"a": 2, "b": 3}]),
        "encode_csv list cells": lambda: de.encode_csv([{"labels": ["a", "b"], "scores": [0.5, 0.25]}]),
        "encode_csv nested rows": lambda: de.encode_csv([[{"label": "a", "score": 0.5}]]),
        "encode_csv empty": lambda: de.encode_csv([]),
        # ---------------------------------------------------------------- encode: npy
        "encode npy array": lambda: de.encode(np.array([[1, 2], [3, 4]]), "application/x-npy"),
        "encode npy list": lambda: de.encode([1, 2.5], "application/x-npy"),
        "encode npy objects": lambda: de.encode([{"label": "a"}], "application/x-npy"),
        # ---------------------------------------------------------------- encode: images
        "encode_image": lambda: de.encode_image(picture()),
        "encode_image rgba as jpeg": lambda: de.encode_image(picture("RGBA"), "image/jpeg"),
        "encode_image not an image": lambda: de.encode_image([1, 2]),
        "encode image/png not an image": lambda: de.encode([{"label": "a"}], "image/png"),
    }
    for media_type in IMAGE_TYPES:
        image_format = IMAGE_FORMATS[media_type]
        found[f"decode_image {image_format}"] = lambda f=image_format: de.decode_image(
            bytearray(image_bytes(f))
        )
        found[f"decode {media_type}"] = lambda t=media_type, f=image_format: de.decode(image_bytes(f), t)
        found[f"encode_image {media_type}"] = lambda t=media_type: de.encode_image(picture(), t)
        found[f"encode {media_type}"] = lambda t=media_type: de.encode(picture(), t)
    return found


def describe(value: Any) -> Any:
    """A JSON description that two equal values share, whichever interpreter made them."""
    if isinstance(value, Image.Image):
        return {"image": [value.mode, list(value.size), hashlib.sha256(value.tobytes()).hexdigest()]}
    if isinstance(value, np.ndarray):
        return {"array": [value.dtype.str, list(value.shape), describe(value.tolist())]}
    if isinstance(value, (bytes, bytearray)):
        return {"bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, dict):
        return {"dict": [[describe(key), describe(item)] for key, item in value.items()]}
    if isinstance(value, (list, tuple)):  # a list subclass (our MultiRecord) is a list
        return {"list": [describe(item) for item in value]}
    if value is None or isinstance(value, (bool, int, float)):
        return {type(value).__name__: repr(value)}
    return {"object": f"{type(value).__module__}.{type(value).__qualname__}"}


def catchable_as(error: BaseException) -> list[str]:
    """The builtin classes (and json.JSONDecodeError) an ``except`` clause could catch it by."""
    names = [cls.__name__ for cls in type(error).__mro__ if cls.__module__ == "builtins"]
    if isinstance(error, json.JSONDecodeError):
        names.append("json.JSONDecodeError")
    return sorted(set(names) - {"object"})


def outcome(call: Callable[[], Any]) -> dict[str, Any]:
    try:
        return {"value": describe(call())}
    except Exception as error:  # the point: which error each side raises
        return {
            "error": f"{type(error).__module__}.{type(error).__name__}",
            "catchable_as": catchable_as(error),
        }


def parameters(function: Callable[..., Any]) -> list[list[str]]:
    return [
        [parameter.name, parameter.kind.name, repr(parameter.default)]
        for parameter in inspect.signature(function).parameters.values()
    ]


def main(side: str) -> None:
    if side == "ours":
        from sagemaker_hf.toolkit.compat import install_alias

        if not install_alias():
            raise SystemExit(
                "the AWS toolkit is installed in this interpreter; run 'ours' in the project venv"
            )
    from sagemaker_huggingface_inference_toolkit import content_types, decoder_encoder

    sys.setrecursionlimit(1000)  # both sides at the default, whatever the runner set
    functions = {
        name: parameters(function)
        for name, function in vars(decoder_encoder).items()
        if inspect.isfunction(function)
        and function.__module__ == decoder_encoder.__name__
        and not name.startswith("_")
    }
    constants = {name: value for name, value in vars(content_types).items() if name.isupper()}
    results = {name: outcome(call) for name, call in calls(decoder_encoder).items()}
    print(
        json.dumps(
            {
                "module": decoder_encoder.__file__,
                "functions": functions,
                "content_types": constants,
                "calls": results,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
