"""Request serializers and response deserializers, with SDK v2's class names.

A serializer turns Python data into a request body and names its ``CONTENT_TYPE``; a
deserializer turns a response stream (anything with ``read()``) into Python data and
names what it ``ACCEPT``s. NumPy is imported only when a NumPy (de)serializer is used;
``.npy`` bodies never allow pickles.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from sagemaker_hf.errors import ConfigurationError

# ---- serializers -------------------------------------------------------------------------


class BaseSerializer:
    CONTENT_TYPE = "application/octet-stream"

    def serialize(self, data: Any) -> Any:
        raise NotImplementedError


def _plain(value: Any) -> Any:
    """NumPy arrays and scalars as lists / numbers, everything else unchanged."""
    return value.tolist() if hasattr(value, "tolist") else value


class JSONSerializer(BaseSerializer):
    """JSON; dicts of arrays and arrays become lists. File-like data is sent as read."""

    CONTENT_TYPE = "application/json"

    def serialize(self, data: Any) -> Any:
        if hasattr(data, "read"):
            return data.read()
        if isinstance(data, dict):
            return json.dumps({key: _plain(value) for key, value in data.items()})
        return json.dumps(_plain(data))


class CSVSerializer(BaseSerializer):
    """CSV: a row from a flat sequence, one line per row from a sequence of sequences."""

    CONTENT_TYPE = "text/csv"

    def __init__(self, content_type: str = "text/csv") -> None:
        self.CONTENT_TYPE = content_type

    def serialize(self, data: Any) -> Any:
        if isinstance(data, (str, bytes)) or hasattr(data, "read"):
            return data.read() if hasattr(data, "read") else data
        data = _plain(data)
        if not isinstance(data, Sequence):
            raise ConfigurationError(
                f"CSVSerializer cannot serialize a {type(data).__name__}; pass a string, a list of "
                "values, or a list of rows."
            )
        rows = data if data and all(_is_row(item) for item in data) else [data]
        return "\n".join(",".join(str(value) for value in row) for row in rows)


def _is_row(item: Any) -> bool:
    return isinstance(item, Sequence) and not isinstance(item, (str, bytes))


class NumpySerializer(BaseSerializer):
    """NumPy's ``.npy`` format (no pickles); lists are converted with ``dtype``."""

    CONTENT_TYPE = "application/x-npy"

    def __init__(self, dtype: Any = None, content_type: str = "application/x-npy") -> None:
        self.dtype = dtype
        self.CONTENT_TYPE = content_type

    def serialize(self, data: Any) -> Any:
        if hasattr(data, "read"):
            return data.read()
        import numpy as np

        array = np.asarray(data, dtype=self.dtype)
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


class IdentitySerializer(BaseSerializer):
    """The data unchanged (bytes, or a file object), with the given content type."""

    def __init__(self, content_type: str = "application/octet-stream") -> None:
        self.CONTENT_TYPE = content_type

    def serialize(self, data: Any) -> Any:
        return data


# ---- deserializers -----------------------------------------------------------------------


def _read_all(stream: Any) -> bytes:
    try:
        return stream.read()
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()


class BaseDeserializer:
    ACCEPT: tuple[str, ...] = ("*/*",)

    def deserialize(self, stream: Any, content_type: str | None = None) -> Any:
        raise NotImplementedError


class BytesDeserializer(BaseDeserializer):
    def __init__(self, accept: str = "*/*") -> None:
        self.ACCEPT = (accept,)

    def deserialize(self, stream: Any, content_type: str | None = None) -> bytes:
        return _read_all(stream)


class StringDeserializer(BaseDeserializer):
    def __init__(self, encoding: str = "UTF-8", accept: str = "application/json") -> None:
        self.encoding = encoding
        self.ACCEPT = (accept,)

    def deserialize(self, stream: Any, content_type: str | None = None) -> str:
        return _read_all(stream).decode(self.encoding)


class JSONDeserializer(BaseDeserializer):
    def __init__(self, accept: str = "application/json") -> None:
        self.ACCEPT = (accept,)

    def deserialize(self, stream: Any, content_type: str | None = None) -> Any:
        return json.loads(_read_all(stream).decode("utf-8"))


class NumpyDeserializer(BaseDeserializer):
    """A NumPy array from ``.npy``, JSON or CSV bodies (chosen by the response content type)."""

    def __init__(
        self, dtype: Any = None, accept: str = "application/x-npy", allow_pickle: bool = False
    ) -> None:
        self.dtype = dtype
        self.allow_pickle = allow_pickle
        self.ACCEPT = (accept,)

    def deserialize(self, stream: Any, content_type: str | None = None) -> Any:
        import numpy as np

        body = _read_all(stream)
        media_type = (content_type or self.ACCEPT[0]).split(";")[0].strip().lower()
        if media_type == "application/json":
            return np.array(json.loads(body.decode("utf-8")), dtype=self.dtype)
        if media_type == "text/csv":
            return np.genfromtxt(io.StringIO(body.decode("utf-8")), delimiter=",", dtype=self.dtype)
        if media_type == "application/x-npy":
            return np.load(io.BytesIO(body), allow_pickle=self.allow_pickle)
        raise ConfigurationError(
            f"NumpyDeserializer cannot read content type {content_type!r}; it reads application/x-npy, "
            "application/json and text/csv."
        )
