"""Request bodies in, predictions out: the default decode and encode steps.

Decisions worth knowing (also in the README):

- ``application/json`` with any ``charset`` parameter works; a UTF-8 byte-order mark is
  accepted. Several JSON documents one per line under ``application/json`` are treated
  like JSON Lines (SageMaker batch transform's MultiRecord sends exactly that).
- JSON Lines bodies decode to a :class:`MultiRecord`: one payload per non-blank line. The
  answer has one JSON document per record, in order, joined by ``\\n`` without a trailing
  newline (batch transform adds one after each response when it assembles by line).
- CSV: the header must name ``inputs`` (one input per row), or ``question`` and
  ``context``; a task whose model cannot read CSV answers 415.
- ``application/x-npy`` is read with ``allow_pickle=False``: object arrays are refused (400).
- JSON output: NaN and ±Infinity become ``null`` (JSON has no such numbers); numpy and
  torch values become lists and numbers, PIL images base64 PNG, datetimes ISO 8601
  strings, bytes base64.

numpy and PIL are imported only by the functions that need them.
"""

from __future__ import annotations

import base64
import codecs
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

from sagemaker_hf.toolkit import media
from sagemaker_hf.toolkit.errors import (
    BadInputError,
    ModelError,
    NotAcceptableError,
    UnsupportedMediaTypeError,
)


class MultiRecord(list):
    """The payloads of a multi-record body; the answer must hold one line per record, in order."""


# ---------------------------------------------------------------------------- decoding


def body_text(body: bytes | str, content_type: media.MediaType) -> str:
    """The body as text, using the Content-Type's charset (UTF-8 when it names none)."""
    if isinstance(body, str):
        return body
    charset = content_type.charset or "utf-8"
    try:
        name = codecs.lookup(charset).name
    except LookupError as error:
        raise UnsupportedMediaTypeError(
            f"Content-Type {content_type.essence!r} names the charset {charset!r}, which is unknown; "
            "send UTF-8 (charset=utf-8)"
        ) from error
    try:
        return body.decode("utf-8-sig" if name == "utf-8" else name)
    except UnicodeDecodeError as error:
        raise BadInputError(
            f"the body is not valid {charset}: byte 0x{body[error.start]:02x} at position {error.start} "
            f"({error.reason}); send {charset} text or fix the charset in Content-Type"
        ) from error


def _require_content(text: str, example: str) -> None:
    if not text.strip():
        raise BadInputError(f"the body is empty; send for example {example}")


def _loads(text: str) -> Any:
    """``json.loads``, where JSON that Python cannot hold (nested about 1000 deep, an integer of
    over 4300 digits) is bad input (400), not a server error."""
    try:
        return json.loads(text)
    except RecursionError:
        raise BadInputError(
            "the JSON nests arrays or objects too deeply (about 1000 levels or more); send flatter JSON"
        ) from None
    except json.JSONDecodeError:
        raise
    except ValueError as error:
        raise BadInputError(
            f"the JSON holds a number Python cannot read ({str(error).split(';')[0]}); send it as a string"
        ) from None


def _decode_json(body: bytes | str, content_type: media.MediaType) -> Any:
    text = body_text(body, content_type)
    _require_content(text, '{"inputs": "..."}')
    try:
        return _loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            records = _json_lines(text)
            if records is not None and len(records) > 1:
                return MultiRecord(records)
        raise BadInputError(
            f"the body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from error


def _lines(text: str) -> list[str]:
    # Not str.splitlines(): it also splits on U+0085 and U+2028, which JSON strings may hold raw.
    return text.split("\n")


def _json_lines(text: str) -> list[Any] | None:
    """Each non-blank line parsed as JSON, or None if any line is not JSON."""
    try:
        return [_loads(line) for line in _lines(text) if line.strip()]
    except json.JSONDecodeError:
        return None


def _decode_jsonlines(body: bytes | str, content_type: media.MediaType) -> MultiRecord:
    text = body_text(body, content_type)
    _require_content(text, '{"inputs": "..."} on each line')
    records = MultiRecord()
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        try:
            records.append(_loads(line))
        except json.JSONDecodeError as error:
            raise BadInputError(
                f"line {number} of the JSON Lines body is not valid JSON: {error.msg} at column {error.colno}"
            ) from error
    return records


def _decode_csv(body: bytes | str, content_type: media.MediaType) -> dict[str, list[Any]]:
    text = body_text(body, content_type)
    _require_content(text, "a header line 'inputs' followed by one input per line")
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if row]
    except csv.Error as error:
        raise BadInputError(f"the body is not valid CSV: {error}") from error
    header = [name.strip().lower() for name in rows[0]]
    records = rows[1:]
    for number, row in enumerate(records, start=2):
        if len(row) != len(header):
            raise BadInputError(
                f"CSV row {number} has {len(row)} fields but the header has {len(header)} "
                f"({', '.join(header)})"
            )
    if "inputs" in header:
        column = header.index("inputs")
        return {"inputs": [row[column] for row in records]}
    if "question" in header and "context" in header:
        return {"inputs": [dict(zip(header, row, strict=True)) for row in records]}
    raise BadInputError(
        f"the CSV header ({', '.join(header)}) must name an 'inputs' column, or 'question' and 'context' "
        "columns for question answering; put that header on the first line"
    )


_NPY_MAGIC = b"\x93NUMPY"


def _decode_npy(body: bytes | str, content_type: media.MediaType) -> Any:
    import numpy

    if isinstance(body, str) or not body.startswith(_NPY_MAGIC):
        raise BadInputError(
            "the body is not a valid .npy array (it does not start with the .npy header); "
            "send the bytes numpy.save writes"
        )
    try:
        loaded = numpy.load(io.BytesIO(body), allow_pickle=False)
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise BadInputError(
                "the .npy body holds Python objects, which would need unpickling, and this server never "
                "unpickles request data; send a numeric or string array"
            ) from error
        raise BadInputError(f"the body is not a valid .npy array: {error}") from error
    except (OSError, EOFError) as error:
        raise BadInputError(f"the body is not a valid .npy array: {error}") from error
    return loaded


def _decode_image(body: bytes | str, content_type: media.MediaType) -> dict[str, Any]:
    from PIL import Image

    if isinstance(body, str) or not body:
        raise BadInputError(f"the {content_type.essence} body is empty or not binary image data")
    try:
        with Image.open(io.BytesIO(body)) as image:
            return {"inputs": image.convert("RGB")}
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise BadInputError(f"the body is not a readable {content_type.essence} image: {error}") from error


def _decode_audio(body: bytes | str, content_type: media.MediaType) -> dict[str, Any]:
    if isinstance(body, str) or not body:
        raise BadInputError(f"the {content_type.essence} body is empty or not binary audio data")
    # The audio pipelines decode the file themselves (with ffmpeg or soundfile).
    return {"inputs": bytes(body)}


_DECODE: dict[str, Callable[[bytes | str, media.MediaType], Any]] = {
    "json": _decode_json,
    "jsonlines": _decode_jsonlines,
    "csv": _decode_csv,
    "npy": _decode_npy,
    "image": _decode_image,
    "audio": _decode_audio,
}


def decode(
    body: bytes | str, content_type: str | None, *, accepts_csv: bool = True, task: str | None = None
) -> Any:
    """Decode a request body by its Content-Type (a missing one means JSON).

    ``accepts_csv`` is False for tasks whose inputs CSV cannot express (zero-shot,
    table question answering); ``task`` only names the task in that error.
    """
    header = content_type or media.JSON
    parsed = media.parse_media_type(header)
    decoder = media.decoder_for(parsed)
    if decoder is None:
        raise media.unsupported_content_type(header)
    if decoder == "csv" and not accepts_csv:
        raise UnsupportedMediaTypeError(
            f"text/csv cannot carry the inputs of the task {task or '(this model)'}, which need nested "
            "fields; send application/json"
        )
    return _DECODE[decoder](body, parsed)


# ---------------------------------------------------------------------------- encoding


def _is_pil_image(value: Any) -> bool:
    return type(value).__module__.startswith("PIL.") and hasattr(value, "save") and hasattr(value, "mode")


def _png_base64(image: Any) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def to_jsonable(value: Any) -> Any:
    """Plain JSON values for a prediction; NaN and infinities become None.

    Raises :class:`ModelError` for a value JSON cannot represent.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {
            str(key) if not isinstance(key, str) else key: to_jsonable(item) for key, item in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return to_jsonable(float(value))
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if _is_pil_image(value):
        return _png_base64(value)
    if hasattr(value, "detach") and hasattr(value, "tolist"):  # torch.Tensor, on any device
        return to_jsonable(value.detach().cpu().tolist())
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return to_jsonable(value.tolist())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    raise ModelError(
        f"the prediction holds a value of type {type(value).__module__}.{type(value).__qualname__}, "
        "which JSON cannot represent; return plain Python values, or add an output_fn"
    )


_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
# Types json writes exactly as to_jsonable would leave them (exact types: a subclass may not be).
_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})
_PLAIN_DEPTH = 32  # deeper values take the full path, which behaves as it always did


def _is_plain(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` holds only str-keyed dicts, lists, tuples and plain scalars, so that json
    writes it as it writes ``to_jsonable(value)`` (NaN and infinities aside: json refuses them)."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return True
    if depth == _PLAIN_DEPTH:
        return False
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


def _json_text(prediction: Any) -> str:
    # The walk in to_jsonable costs ~45 us for one 384-float embedding; most predictions
    # (task models' lists and dicts of numbers and strings) do not need it.
    if _is_plain(prediction):
        try:
            return _JSON_ENCODER.encode(prediction)
        except ValueError:  # NaN or an infinity, which to_jsonable turns into null
            pass
    return _JSON_ENCODER.encode(to_jsonable(prediction))


def _encode_json(prediction: Any) -> bytes:
    return _json_text(prediction).encode("utf-8")


def _encode_jsonlines(prediction: Any) -> bytes:
    items = prediction if isinstance(prediction, list) else [prediction]
    return "\n".join(_json_text(item) for item in items).encode("utf-8")


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
    value = to_jsonable(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "" if value is None else value


def _encode_csv(prediction: Any) -> bytes:
    rows = _csv_rows(prediction)
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(str(key) for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\n")
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


_ENCODE: dict[str, Callable[[Any], bytes]] = {
    "json": _encode_json,
    "jsonlines": _encode_jsonlines,
    "csv": _encode_csv,
    "npy": _encode_npy,
}


def _encoder_name(accept: str) -> str:
    name = media.ENCODERS.get(media.parse_media_type(accept).essence)
    if name is None:
        raise NotAcceptableError(
            f"cannot encode a prediction as {accept!r}; accept one of: {', '.join(media.ENCODERS)}"
        )
    return name


def encode(prediction: Any, accept: str) -> bytes:
    """Encode a prediction as ``accept``, one concrete media type (see :func:`media.negotiate`)."""
    return _ENCODE[_encoder_name(accept)](prediction)


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
