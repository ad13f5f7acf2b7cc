"""Request bodies in: the default decode step, for each Content-Type the server can read.

Decisions worth knowing (also in the README):

- ``application/json`` with any ``charset`` parameter works; a UTF-8 byte-order mark is
  accepted. Several JSON documents one per line under ``application/json`` are treated
  like JSON Lines (SageMaker batch transform's MultiRecord sends exactly that).
- JSON Lines bodies decode to a :class:`MultiRecord`: one payload per non-blank line; the
  answer holds one JSON document per record, in order (:mod:`encoders`). Blank lines (and
  CSV rows) are those :func:`sagemaker_hf.container.records.is_blank` says, the rule local batch jobs
  use too, so a job and the server always count the same records.
- CSV: the header must name ``inputs`` (one input per row), or ``question`` and
  ``context``; a task whose model cannot read CSV answers 415.
- ``application/x-npy`` is read with ``allow_pickle=False``: object arrays are refused (400).

Predictions go out through :mod:`sagemaker_hf.toolkit.encoders`. numpy and PIL are imported
only by the functions that need them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from sagemaker_hf.container.records import is_blank
from sagemaker_hf.toolkit import media_types
from sagemaker_hf.toolkit.errors import BadInputError, InvalidJSONError, UnsupportedMediaTypeError


class MultiRecord(list):
    """The payloads of a multi-record body; the answer must hold one line per record, in order."""


# ---------------------------------------------------------------------------- decoding


def body_text(body: bytes | str, content_type: media_types.MediaType) -> str:
    """The body as text, using the Content-Type's charset (UTF-8 when it names none).

    A charset that is not a linear-time text encoding is refused (415) before any decoding
    (:func:`media_types.text_codec`).
    """
    if isinstance(body, str):
        return body
    codec = media_types.text_codec(content_type)
    try:
        return body.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as error:
        raise BadInputError(
            f"the body is not valid {content_type.charset or 'utf-8'}: byte 0x{body[error.start]:02x} at "
            f"position {error.start} ({error.reason}); send {content_type.charset or 'utf-8'} text or fix "
            "the charset in Content-Type"
        ) from error
    except UnicodeError as error:  # a codec that checks the whole body, such as utf-16's length
        raise BadInputError(
            f"the body is not valid {content_type.charset}: {error}; send UTF-8 text (charset=utf-8)"
        ) from error


def _require_content(text: str, example: str) -> None:
    if not text.strip():
        raise BadInputError(f"the body is empty; send for example {example}")


def _require_json(text: str, example: str) -> None:
    # An InvalidJSONError, as json.loads raises for an empty document (the AWS toolkit's answer).
    if not text.strip():
        raise InvalidJSONError(f"the body is empty; send for example {example}", text, 0)


def _loads(text: str) -> Any:
    """``json.loads``, where JSON that Python cannot hold (nested about 1000 deep, an integer of
    over 4300 digits) is bad input (400), not a server error."""
    try:
        return json.loads(text)
    except RecursionError:
        raise InvalidJSONError(
            "the JSON nests arrays or objects too deeply (about 1000 levels or more); send flatter JSON"
        ) from None
    except json.JSONDecodeError:
        raise
    except ValueError as error:
        raise InvalidJSONError(
            f"the JSON holds a number Python cannot read ({str(error).split(';')[0]}); send it as a string"
        ) from None


def _decode_json(body: bytes | str, content_type: media_types.MediaType) -> Any:
    text = body_text(body, content_type)
    _require_json(text, '{"inputs": "..."}')
    try:
        return _loads(text)
    except json.JSONDecodeError as error:
        if isinstance(error, InvalidJSONError):
            raise
        if error.msg == "Extra data":
            records = _json_lines(text)
            if records is not None and len(records) > 1:
                return MultiRecord(records)
        raise InvalidJSONError(
            f"the body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}",
            text,
            error.pos,
        ) from error


def _record_lines(text: str) -> list[tuple[int, str]]:
    """The lines that hold a record, with their 1-based numbers."""
    # Not str.splitlines(): it also splits on U+0085 and U+2028, which JSON strings may hold raw.
    return [(number, line) for number, line in enumerate(text.split("\n"), start=1) if not is_blank(line)]


def _json_lines(text: str) -> list[Any] | None:
    """Each non-blank line parsed as JSON, or None if any line is not JSON."""
    try:
        return [_loads(line) for _, line in _record_lines(text)]
    except InvalidJSONError:  # JSON, but nested too deep or with a number Python cannot hold
        raise
    except json.JSONDecodeError:
        return None


def _decode_jsonlines(body: bytes | str, content_type: media_types.MediaType) -> MultiRecord:
    text = body_text(body, content_type)
    _require_json(text, '{"inputs": "..."} on each line')
    records = MultiRecord()
    for number, line in _record_lines(text):
        try:
            records.append(_loads(line))
        except json.JSONDecodeError as error:
            if isinstance(error, InvalidJSONError):
                raise InvalidJSONError(f"line {number} of the JSON Lines body: {error.message}") from error
            raise InvalidJSONError(
                f"line {number} of the JSON Lines body is not valid JSON: {error.msg} "
                f"at column {error.colno}",
                line,
                error.pos,
            ) from error
    return records


def _decode_csv(body: bytes | str, content_type: media_types.MediaType) -> dict[str, list[Any]]:
    text = body_text(body, content_type)
    _require_content(text, "a header line 'inputs' followed by one input per line")
    try:
        rows = [
            row for row in csv.reader(io.StringIO(text)) if not (len(row) <= 1 and is_blank("".join(row)))
        ]
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


def _decode_npy(body: bytes | str, content_type: media_types.MediaType) -> Any:
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


def _decode_image(body: bytes | str, content_type: media_types.MediaType) -> dict[str, Any]:
    from PIL import Image

    if isinstance(body, str) or not body:
        raise BadInputError(f"the {content_type.essence} body is empty or not binary image data")
    try:
        with Image.open(io.BytesIO(body)) as image:
            return {"inputs": image.convert("RGB")}
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise BadInputError(f"the body is not a readable {content_type.essence} image: {error}") from error


def _decode_audio(body: bytes | str, content_type: media_types.MediaType) -> dict[str, Any]:
    if isinstance(body, str) or not body:
        raise BadInputError(f"the {content_type.essence} body is empty or not binary audio data")
    # The audio pipelines decode the file themselves (with ffmpeg or soundfile).
    return {"inputs": bytes(body)}


_DECODE: dict[str, Callable[[bytes | str, media_types.MediaType], Any]] = {
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
    header = content_type or media_types.JSON
    parsed = media_types.parse_media_type(header)
    decoder = media_types.decoder_for(parsed)
    if decoder is None:
        raise media_types.unsupported_content_type(header)
    if decoder == "csv" and not accepts_csv:
        raise UnsupportedMediaTypeError(
            f"text/csv cannot carry the inputs of the task {task or '(this model)'}, which need nested "
            "fields; send application/json"
        )
    return _DECODE[decoder](body, parsed)
