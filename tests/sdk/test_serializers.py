"""Serializers and deserializers (SDK v2 class names), without a server."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.serializers import (
    BytesDeserializer,
    CSVSerializer,
    IdentitySerializer,
    JSONDeserializer,
    JSONSerializer,
    NumpyDeserializer,
    NumpySerializer,
    StringDeserializer,
)


def test_json_serializer():
    serializer = JSONSerializer()
    assert serializer.CONTENT_TYPE == "application/json"
    assert json.loads(serializer.serialize({"inputs": np.array([1, 2])})) == {"inputs": [1, 2]}
    assert serializer.serialize(io.BytesIO(b'{"a": 1}')) == b'{"a": 1}'
    assert serializer.serialize("text") == '"text"'


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([1, 2, 3], "1,2,3"),
        ([[1, 2], [3, 4]], "1,2\n3,4"),
        (np.array([[1, 2], [3, 4]]), "1,2\n3,4"),
        ("a,b", "a,b"),
        (["ab", "cd"], "ab,cd"),
    ],
)
def test_csv_serializer(data, expected):
    assert CSVSerializer().serialize(data) == expected


def test_csv_serializer_rejects_scalars():
    with pytest.raises(ConfigurationError, match="cannot serialize a int"):
        CSVSerializer().serialize(3)


def test_numpy_npy_round_trip_without_pickle():
    array = np.arange(6, dtype=np.int64).reshape(2, 3)
    body = NumpySerializer().serialize(array)
    result = NumpyDeserializer().deserialize(io.BytesIO(body), "application/x-npy")
    np.testing.assert_array_equal(result, array)
    assert NumpySerializer(dtype="float32").serialize([[1, 2]])[:6] == b"\x93NUMPY"


def test_numpy_serializer_refuses_what_would_need_pickle():
    with pytest.raises(ConfigurationError, match="ragged"):
        NumpySerializer().serialize(np.array([[1], [1, 2]], dtype=object))
    with pytest.raises(ConfigurationError, match="empty array"):
        NumpySerializer().serialize([])


def test_numpy_deserializer_reads_json_and_csv():
    deserializer = NumpyDeserializer()
    np.testing.assert_array_equal(
        deserializer.deserialize(io.BytesIO(b"[[1, 2]]"), "application/json"), [[1, 2]]
    )
    np.testing.assert_array_equal(
        deserializer.deserialize(io.BytesIO(b"1,2\n3,4"), "text/csv"), [[1, 2], [3, 4]]
    )
    with pytest.raises(ConfigurationError, match="image/png"):
        deserializer.deserialize(io.BytesIO(b""), "image/png")


def test_text_and_bytes_deserializers_close_the_stream():
    stream = io.BytesIO("héllo".encode())
    assert StringDeserializer().deserialize(stream) == "héllo"
    assert stream.closed
    assert BytesDeserializer().deserialize(io.BytesIO(b"\x00\x01")) == b"\x00\x01"
    assert JSONDeserializer().deserialize(io.BytesIO(b'{"a": [1]}')) == {"a": [1]}


def test_identity_serializer():
    serializer = IdentitySerializer("audio/wav")
    assert serializer.CONTENT_TYPE == "audio/wav"
    assert serializer.serialize(b"RIFF") == b"RIFF"
