"""Predictions out: the default encode step, for each Accept the server can answer.

- JSON: NaN and ±Infinity become ``null`` (JSON has no such numbers); numpy and torch values
  become lists and numbers, PIL images base64 PNG, datetimes ISO 8601 strings (with a space
  between date and time, as the AWS toolkit writes them), bytes base64.
  Plain predictions (str-keyed dicts, lists and scalars, and float64 numpy arrays when orjson
  is installed) skip that conversion walk.
- A multi-record answer is one JSON document per record, one line each, in order, joined by
  ``\\n`` without a trailing newline.
- CSV needs a list of objects; its lines end with ``\\r\\n`` (RFC 4180, and the AWS toolkit's
  ``encode_csv``). ``.npy`` is written with ``allow_pickle=False``, so object arrays are
  refused (406).
- Images (``image/png``, ``image/jpeg``, …) need a PIL image, written in that format; any
  other prediction is refused (406) after the model ran, naming what it was.

numpy is imported only by the function that needs it.
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import datetime
import decimal
import enum
import io
import json
import math
from collections.abc import Callable
from typing import Any

from sagemaker_hf.toolkit import media_types
from sagemaker_hf.toolkit.errors import ModelError, NotAcceptableError

try:
    import orjson
except ImportError:  # the toolkit extra installs it; json writes the same documents, slower
    orjson = None


def _is_pil_image(value: Any) -> bool:
    return type(value).__module__.startswith("PIL.") and hasattr(value, "save") and hasattr(value, "mode")


def _png_base64(image: Any) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def json_values(value: Any) -> Any:
    """Plain JSON values for a prediction; NaN and infinities become None.

    Raises :class:`ModelError` for a value JSON cannot represent.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {
            str(key) if not isinstance(key, str) else key: json_values(item) for key, item in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_values(item) for item in value]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return str(value)  # isoformat(), with a space before a datetime's time, as the AWS toolkit writes
    if isinstance(value, decimal.Decimal):
        return json_values(float(value))
    if isinstance(value, enum.Enum):
        return json_values(value.value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if _is_pil_image(value):
        return _png_base64(value)
    if hasattr(value, "detach") and hasattr(value, "tolist"):  # torch.Tensor, on any device
        return json_values(value.detach().cpu().tolist())
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return json_values(value.tolist())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_values(dataclasses.asdict(value))
    raise ModelError(
        f"the prediction holds a value of type {type(value).__module__}.{type(value).__qualname__}, "
        "which JSON cannot represent; return plain Python values, or add an output_fn"
    )


_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
# Types json writes exactly as json_values would leave them (exact types: a subclass may not be).
_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})
_PLAIN_DEPTH = 32  # deeper values take the full path, which behaves as it always did


def _is_plain(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` holds only str-keyed dicts, lists, tuples and plain scalars, so that json
    writes it as it writes ``json_values(value)`` (NaN and infinities aside: json refuses them)."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return True
    if depth == _PLAIN_DEPTH:
        return False
    if kind.__name__ == "ndarray":
        return _is_plain_array(value)
    if kind is dict:
        if not set(map(type, value)) <= {str}:
            return False
        items: Any = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return False
    if set(map(type, items)) <= _PLAIN_SCALARS:  # one C-speed pass over a long list of numbers
        return True
    return all(_is_plain(item, depth + 1) for item in items)


def _is_plain_array(value: Any) -> bool:
    """A float64 numpy array that orjson writes as it writes ``value.tolist()``: the same
    shortest text per number, and NaN and infinities as null (feature-extraction's token
    states, token_states.py). json cannot write arrays at all; without orjson they take the
    full path."""
    return (
        orjson is not None
        and type(value).__module__ == "numpy"
        and value.dtype.kind == "f"
        and value.dtype.itemsize == 8
        and value.dtype.isnative
        and value.flags.c_contiguous
    )


def _encode_json(prediction: Any) -> bytes:
    # The walk in json_values costs ~45 us for one 384-float embedding; most predictions
    # (task models' lists and dicts of numbers and strings) do not need it. orjson writes
    # floats ~10x faster than json (0.02 against 0.17 ms for one embedding), each as the shortest
    # text that reads back as the same float, and NaN and infinities as null, as json_values does.
    if _is_plain(prediction):
        if orjson is not None:
            try:
                return orjson.dumps(prediction, option=orjson.OPT_SERIALIZE_NUMPY)
            except TypeError:  # an int beyond 64 bits: json writes those
                pass
        try:
            return _JSON_ENCODER.encode(prediction).encode("utf-8")
        except (ValueError, TypeError):  # NaN or an infinity (json_values writes null), or an array
            pass
    return _JSON_ENCODER.encode(json_values(prediction)).encode("utf-8")


def json_text(prediction: Any) -> str:
    """The JSON document as the json module writes it (the AWS toolkit's ``encode_json`` text;
    orjson writes the same values, but exponents as ``1e-7`` where json writes ``1e-07``)."""
    return _JSON_ENCODER.encode(json_values(prediction))


def _encode_jsonlines(prediction: Any) -> bytes:
    # One request is one record, and a record's answer is one line, whatever it holds: a list
    # prediction (fill-mask's five guesses) split into lines would read as five records.
    return _encode_json(prediction)


def _csv_rows(prediction: Any) -> list[dict[str, Any]]:
    if isinstance(prediction, dict):
        return [prediction]
    if isinstance(prediction, list) and all(isinstance(item, dict) for item in prediction):
        return prediction
    if isinstance(prediction, list) and all(
        isinstance(item, list) and all(isinstance(inner, dict) for inner in item) for item in prediction
    ):
        return [row for item in prediction for row in item]
    raise NotAcceptableError(
        f"the prediction is a {type(prediction).__name__}, not a list of objects, so text/csv cannot hold "
        "it; accept application/json"
    )


def _csv_cell(value: Any) -> Any:
    value = json_values(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "" if value is None else value


def _encode_csv(prediction: Any) -> bytes:
    rows = _csv_rows(prediction)
    if not rows:
        return b""  # no rows, no columns: not even a header line
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(str(key) for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({str(key): _csv_cell(value) for key, value in row.items()})
    return buffer.getvalue().encode("utf-8")


def _encode_npy(prediction: Any) -> bytes:
    import numpy

    if hasattr(prediction, "detach"):
        prediction = prediction.detach().cpu().numpy()
    try:
        array = numpy.asarray(prediction)
    except ValueError as error:
        raise NotAcceptableError(
            f"the prediction cannot be an array ({error}); accept application/json"
        ) from error
    if array.dtype == object:
        raise NotAcceptableError(
            "the prediction holds objects (such as labels with scores), which .npy cannot store without "
            "pickle; accept application/json"
        )
    buffer = io.BytesIO()
    numpy.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def encode_image(prediction: Any, media_type: str) -> bytes:
    """A PIL image as ``media_type`` (one of :data:`media_types.IMAGE_FORMATS`); raises NotAcceptableError
    (406) for a prediction that is not an image or whose mode the format cannot hold."""
    if not _is_pil_image(prediction):
        raise NotAcceptableError(
            f"the prediction is a {type(prediction).__name__}, not an image, so {media_type} cannot hold it; "
            "accept application/json (or return a PIL image from predict_fn)"
        )
    image_format = media_types.IMAGE_FORMATS.get(media_type)
    if image_format is None:
        raise NotAcceptableError(
            f"cannot write an image as {media_type!r}; accept one of: {', '.join(media_types.IMAGE_FORMATS)}"
        )
    buffer = io.BytesIO()
    try:
        prediction.save(buffer, format=image_format)
    except (OSError, ValueError, KeyError) as error:
        raise NotAcceptableError(
            f"the {prediction.mode} image cannot be written as {media_type} ({error}); accept image/png"
        ) from error
    return buffer.getvalue()


_ENCODE: dict[str, Callable[[Any], bytes]] = {
    "json": _encode_json,
    "jsonlines": _encode_jsonlines,
    "csv": _encode_csv,
    "npy": _encode_npy,
}


def _encoder_name(accept: str) -> str:
    name = media_types.ENCODERS.get(media_types.parse_media_type(accept).essence)
    if name is None:
        raise NotAcceptableError(
            f"cannot encode a prediction as {accept!r}; accept one of: {', '.join(media_types.ENCODERS)}"
        )
    return name


def encode(prediction: Any, accept: str) -> bytes:
    """Encode a prediction as ``accept``, one concrete media type (see :func:`media_types.negotiate`)."""
    name = _encoder_name(accept)
    if name == "image":
        return encode_image(prediction, media_types.parse_media_type(accept).essence)
    return _ENCODE[name](prediction)


def encode_records(predictions: list[Any], accept: str) -> bytes:
    """One JSON document per record, one line each, in order (the multi-record answer).

    Only JSON and JSON Lines can be split by line again, so other types are refused.
    """
    if _encoder_name(accept) not in ("json", "jsonlines"):
        raise NotAcceptableError(
            f"a multi-record body (JSON Lines) is answered with one JSON document per line; accept "
            f"application/jsonlines or application/json, not {accept!r}"
        )
    return join_lines([_encode_json(prediction) for prediction in predictions])


def join_lines(encoded_records: list[bytes]) -> bytes:
    """Join per-record answers into one body, one line per record, without a trailing newline."""
    return b"\n".join(record.rstrip(b"\r\n") for record in encoded_records)
