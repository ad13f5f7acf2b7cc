"""Request serializers and response deserializers, with SDK v2's class names and behaviour.

A serializer turns Python data into a request body and names its ``CONTENT_TYPE`` (from
its ``content_type`` attribute, as in v2); a deserializer turns a response stream
(anything with ``read()``) into Python data and names what it ``ACCEPT``s (a tuple, from
its ``accept`` attribute). ``sagemaker_hf.deserializers`` is this module too, for v2's
spelling after ``import sagemaker_hf as sagemaker``. NumPy is imported only when a NumPy
(de)serializer is used, and pandas only for a DataFrame. tests/sdk/test_serializers.py
compares every class with v2's on the same inputs; the deliberate differences (bytes and
tuples of rows in CSV, no pickles in ``.npy`` requests, NumPy scalars in JSON) are listed in
docs/migration.md.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sagemaker_hf._validation import checked_arguments
from sagemaker_hf.errors import ArgumentTypeError, ConfigurationError

# ---- serializers -------------------------------------------------------------------------


class BaseSerializer:
    """A request body from Python data: override ``serialize`` and ``CONTENT_TYPE``."""

    CONTENT_TYPE = "application/octet-stream"

    def serialize(self, data: Any) -> Any:
        raise NotImplementedError


class SimpleBaseSerializer(BaseSerializer):
    """A serializer whose content type is given at construction (SDK v2's base class)."""

    @checked_arguments("SimpleBaseSerializer")
    def __init__(self, content_type: str = "application/json") -> None:
        self.content_type = content_type

    @property
    def CONTENT_TYPE(self) -> str:  # type: ignore[override]
        return self.content_type


def _plain(value: Any) -> Any:
    """NumPy arrays and scalars as lists / numbers, everything else unchanged."""
    return value.tolist() if hasattr(value, "tolist") else value


class JSONSerializer(SimpleBaseSerializer):
    """JSON; dicts of arrays and arrays become lists. File-like data is sent as read."""

    def serialize(self, data: Any) -> Any:
        if isinstance(data, dict):
            return json.dumps({key: _plain(value) for key, value in data.items()})
        if hasattr(data, "read"):
            return data.read()
        return json.dumps(_plain(data))


class CSVSerializer(SimpleBaseSerializer):
    """CSV, written by the ``csv`` module (fields with commas or quotes are quoted).

    A list (or array) whose first item is itself a sequence (a list, an array or a
    string) gives one line per item; anything else is one row. A string is sent as it
    is, a file-like object as read, a pandas DataFrame without header and index.
    """

    @checked_arguments("CSVSerializer")
    def __init__(self, content_type: str = "text/csv") -> None:
        super().__init__(content_type)

    def serialize(self, data: Any) -> Any:
        if hasattr(data, "read"):
            return data.read()
        if isinstance(data, (str, bytes)):
            return data  # v2 wrote a bytes body's byte values as numbers
        if hasattr(data, "to_csv") and type(data).__module__.startswith("pandas"):
            return data.to_csv(header=False, index=False)
        if _holds_rows(data):
            return "\n".join(_csv_row(row) for row in data)
        return _csv_row(data)


def _holds_rows(data: Any) -> bool:
    """Whether ``data`` is rows: as v2, a list or array whose first item is a sequence (a string
    too); a tuple only when its first item is a non-string sequence (v2 wrote the rows' reprs)."""
    if getattr(data, "ndim", 1) == 0 or not _is_sequence(data) or not len(data):
        return False
    if isinstance(data, tuple):
        return _is_sequence(data[0]) and not isinstance(data[0], (str, bytes))
    return hasattr(data, "__setitem__") and _is_sequence(data[0])


def _is_sequence(item: Any) -> bool:
    return hasattr(item, "__iter__") and hasattr(item, "__getitem__")


def _csv_row(row: Any) -> str:
    if isinstance(row, str):
        return row
    row = row.flatten() if hasattr(row, "flatten") else row
    if not hasattr(row, "__len__") or isinstance(row, (dict, bytes)):
        raise ArgumentTypeError(
            f"CSVSerializer cannot serialize a {type(row).__name__}; pass a string, a list of values, "
            "a list of rows or an array."
        )
    if len(row) == 0:
        raise ConfigurationError("CSVSerializer cannot serialize an empty row; send at least one value.")
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=",").writerow([_plain(value) for value in row])
    return buffer.getvalue().rstrip("\r\n")


class NumpySerializer(SimpleBaseSerializer):
    """NumPy's ``.npy`` format, never with pickles; ``dtype`` converts lists (as in v2)."""

    @checked_arguments("NumpySerializer")
    def __init__(self, dtype: Any = None, content_type: str = "application/x-npy") -> None:
        super().__init__(content_type)
        self.dtype = dtype

    def serialize(self, data: Any) -> Any:
        if hasattr(data, "read"):
            return data.read()
        import numpy as np

        array = np.asarray(data, dtype=self.dtype if isinstance(data, list) else None)
        if array.size == 0:
            raise ConfigurationError(
                "NumpySerializer cannot serialize an empty array; send at least one value."
            )
        if array.dtype == object:
            raise ConfigurationError(
                "NumpySerializer got ragged or mixed data (an object array, which would need pickle); "
                "pass rows of equal length or a numeric array."
            )
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return buffer.getvalue()


class IdentitySerializer(SimpleBaseSerializer):
    """The data unchanged (bytes, or a file object), with the given content type."""

    @checked_arguments("IdentitySerializer")
    def __init__(self, content_type: str = "application/octet-stream") -> None:
        super().__init__(content_type)

    def serialize(self, data: Any) -> Any:
        return data


class DataSerializer(SimpleBaseSerializer):
    """A file's bytes, from its path or the bytes themselves (audio, images).

    ``DataSerializer(content_type="audio/x-audio").serialize("sample.flac")`` reads the
    file; bytes are sent as they are; ``{"data": ...}`` sends its ``"data"``.
    """

    @checked_arguments("DataSerializer")
    def __init__(self, content_type: str = "file-path/raw-bytes") -> None:
        super().__init__(content_type)

    def serialize(self, data: Any) -> bytes:
        if isinstance(data, (str, Path)):
            try:
                return Path(data).read_bytes()
            except OSError as error:
                raise ConfigurationError(
                    f"DataSerializer could not read the file {str(data)!r}: {error.strerror or error}. "
                    "Pass the path of an existing file, or its bytes."
                ) from error
        if isinstance(data, (bytes, bytearray)):
            return bytes(data)
        if isinstance(data, dict) and "data" in data:
            return self.serialize(data["data"])
        raise ArgumentTypeError(
            f"DataSerializer cannot serialize a {type(data).__name__}; pass a file path, bytes, or "
            "{'data': <path or bytes>}."
        )


class StringSerializer(SimpleBaseSerializer):
    """A string, sent as UTF-8 bytes."""

    @checked_arguments("StringSerializer")
    def __init__(self, content_type: str = "text/plain") -> None:
        super().__init__(content_type)

    def serialize(self, data: Any) -> bytes:
        if not isinstance(data, str):
            raise ArgumentTypeError(f"StringSerializer cannot serialize a {type(data).__name__}; pass a str.")
        return data.encode("utf-8")


class JSONLinesSerializer(SimpleBaseSerializer):
    """JSON Lines: one JSON value per line from an iterable; a string or file as it is."""

    @checked_arguments("JSONLinesSerializer")
    def __init__(self, content_type: str = "application/jsonlines") -> None:
        super().__init__(content_type)

    def serialize(self, data: Any) -> Any:
        if isinstance(data, str):
            return data
        if hasattr(data, "read"):
            return data.read()
        if isinstance(data, Iterable):
            return "\n".join(json.dumps(_plain(item)) for item in data)
        raise ArgumentTypeError(
            f"JSONLinesSerializer cannot serialize a {type(data).__name__}; pass a list of JSON values."
        )


# ---- deserializers -----------------------------------------------------------------------


def _read_all(stream: Any) -> bytes:
    try:
        return stream.read()
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()


class BaseDeserializer:
    """Python data from a response stream: override ``deserialize`` and ``ACCEPT``."""

    ACCEPT: tuple[str, ...] = ("*/*",)

    def deserialize(self, stream: Any, content_type: str | None = None) -> Any:
        raise NotImplementedError


class SimpleBaseDeserializer(BaseDeserializer):
    """A deserializer whose accepted types are given at construction (SDK v2's base class)."""

    @checked_arguments("SimpleBaseDeserializer")
    def __init__(self, accept: str | tuple[str, ...] = "*/*") -> None:
        self.accept = accept

    @property
    def ACCEPT(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.accept,) if isinstance(self.accept, str) else tuple(self.accept)


class BytesDeserializer(SimpleBaseDeserializer):
    def deserialize(self, stream: Any, content_type: str | None = None) -> bytes:
        return _read_all(stream)


class StringDeserializer(SimpleBaseDeserializer):
    @checked_arguments("StringDeserializer")
    def __init__(self, encoding: str = "UTF-8", accept: str | tuple[str, ...] = "application/json") -> None:
        super().__init__(accept)
        self.encoding = encoding

    def deserialize(self, stream: Any, content_type: str | None = None) -> str:
        return _read_all(stream).decode(self.encoding)


class JSONDeserializer(SimpleBaseDeserializer):
    @checked_arguments("JSONDeserializer")
    def __init__(self, accept: str | tuple[str, ...] = "application/json") -> None:
        super().__init__(accept)

    def deserialize(self, stream: Any, content_type: str | None = None) -> Any:
        return json.loads(_read_all(stream).decode("utf-8"))


class JSONLinesDeserializer(SimpleBaseDeserializer):
    """A list with one JSON value per line (blank lines skipped)."""

    @checked_arguments("JSONLinesDeserializer")
    def __init__(self, accept: str | tuple[str, ...] = "application/jsonlines") -> None:
        super().__init__(accept)

    def deserialize(self, stream: Any, content_type: str | None = None) -> list[Any]:
        lines = _read_all(stream).decode("utf-8").split("\n")
        return [json.loads(line) for line in lines if line.strip()]


class CSVDeserializer(SimpleBaseDeserializer):
    """A list of rows, each a list of strings, read by the ``csv`` module."""

    @checked_arguments("CSVDeserializer")
    def __init__(self, encoding: str = "utf-8", accept: str | tuple[str, ...] = "text/csv") -> None:
        super().__init__(accept)
        self.encoding = encoding

    def deserialize(self, stream: Any, content_type: str | None = None) -> list[list[str]]:
        return list(csv.reader(_read_all(stream).decode(self.encoding).splitlines()))


class StreamDeserializer(SimpleBaseDeserializer):
    """``(stream, content_type)`` unread: closing the stream is up to you."""

    def deserialize(self, stream: Any, content_type: str | None = None) -> tuple[Any, str | None]:
        return stream, content_type


class NumpyDeserializer(SimpleBaseDeserializer):
    """A NumPy array from ``.npy``/``.npz``, JSON or CSV bodies (by the response content type)."""

    @checked_arguments("NumpyDeserializer")
    def __init__(
        self,
        dtype: Any = None,
        accept: str | tuple[str, ...] = "application/x-npy",
        allow_pickle: bool = False,
    ) -> None:
        super().__init__(accept)
        self.dtype = dtype
        self.allow_pickle = allow_pickle

    def deserialize(self, stream: Any, content_type: str | None = None) -> Any:
        import numpy as np

        body = _read_all(stream)
        media_type = (content_type or self.ACCEPT[0]).split(";")[0].strip().lower()
        if media_type == "application/json":
            return np.array(json.loads(body.decode("utf-8")), dtype=self.dtype)
        if media_type == "text/csv":
            return np.genfromtxt(io.StringIO(body.decode("utf-8")), delimiter=",", dtype=self.dtype)
        if media_type in ("application/x-npy", "application/x-npz"):
            return np.load(io.BytesIO(body), allow_pickle=self.allow_pickle)
        raise ConfigurationError(
            f"NumpyDeserializer cannot read content type {content_type!r}; it reads application/x-npy, "
            "application/x-npz, application/json and text/csv."
        )
