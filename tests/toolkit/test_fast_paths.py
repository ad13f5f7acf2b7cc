"""The per-request fast paths answer exactly as the general code they skip."""

from __future__ import annotations

import asyncio
import enum
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from sagemaker_hf.toolkit import encoders, media_types
from sagemaker_hf.toolkit.errors import (
    ModelError,
    NotAcceptableError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
)
from sagemaker_hf.toolkit.metrics import Metrics
from sagemaker_hf.toolkit.server import Front
from sagemaker_hf.toolkit.settings import load_settings


def full_path(prediction):
    """What JSON encoding wrote before the fast path: every value through json_values."""
    return json.dumps(
        encoders.json_values(prediction), ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )


def outcome(function, value):
    """The document a JSON encoder wrote, parsed (orjson and json spell some floats
    differently, 1e-5 and 1e-05), or the error it raised."""
    try:
        return "ok", json.loads(function(value))
    except Exception as error:  # the comparison is the point
        return "raised", type(error)


def full_path_bytes(prediction):
    return full_path(prediction).encode("utf-8")


@pytest.fixture(params=["orjson", "json"])
def json_writer(request, monkeypatch):
    """Each test runs with orjson (installed by the toolkit extra) and without it."""
    if request.param == "json":
        monkeypatch.setattr(encoders, "orjson", None)
    else:
        assert encoders.orjson is not None
    return request.param


class Colour(enum.IntEnum):
    RED = 1


class Label(str):
    pass


# ---------------------------------------------------------------- JSON encoding

EDGE_CASES = {
    "embedding": {"embeddings": [0.1234567890123 * index for index in range(384)]},
    "batch of embeddings": {"embeddings": [[1.5, -2.25e-8], [3.0, 1e300]]},
    "labels": [{"label": "POSITIVE", "score": 0.99}, {"label": "négatif", "score": 0.01}],
    "nan inside": {"scores": [1.0, float("nan"), float("inf"), -float("inf")]},
    "tuples": {"pair": (1, "a", (2.5, None))},
    "bool and none keys": {True: 1, None: 2, "x": 3},
    "int and float keys": {1: "one", 2.5: "two and a half"},
    "int enum key and value": {Colour.RED: Colour.RED},
    "str subclass": {"label": Label("POSITIVE")},
    "numpy scalars": {"score": np.float32(0.5), "count": np.int64(3)},
    "numpy array": {"embeddings": np.arange(4, dtype=np.float32)},
    "set": {"tags": {"a"}},
    "bytes": {"raw": b"\x00\xff"},
    "deep": json.loads("[" * 40 + "1" + "]" * 40),
    "deep with nan": [[[[[[[[float("nan")]]]]]]]],
    "lone surrogate": {"text": "\ud800"},
}


@pytest.mark.parametrize("value", EDGE_CASES.values(), ids=EDGE_CASES.keys())
def test_json_encoding_matches_the_full_path(value, json_writer):
    assert outcome(encoders._encode_json, value) == outcome(full_path_bytes, value)


def test_nan_still_becomes_null_through_the_fast_path(json_writer):
    assert encoders.encode({"scores": [1.0, float("nan")]}, "application/json") == b'{"scores":[1.0,null]}'


def test_a_value_json_cannot_hold_still_names_its_type():
    with pytest.raises(ModelError, match=r"builtins\.object"):
        encoders.encode({"x": [object()]}, "application/json")


def test_the_plain_check_accepts_task_outputs_and_refuses_what_json_would_write_differently():
    assert encoders._is_plain({"embeddings": [[0.5] * 8, [0.25] * 8]})
    assert encoders._is_plain([{"label": "a", "score": 1.0, "start": 0, "end": None}])
    assert not encoders._is_plain({True: 1})
    assert not encoders._is_plain({"label": Label("a")})
    assert not encoders._is_plain([np.float64(1.0)])
    assert not encoders._is_plain(json.loads("[" * 40 + "]" * 40))


def test_the_plain_check_takes_only_arrays_orjson_writes_as_their_lists():
    states = np.linspace(-1, 1, 12).reshape(3, 4)
    assert encoders._is_plain([states]) and encoders._is_plain({"x": [states, 1, "a"]})
    assert not encoders._is_plain([states.astype(np.float32)])  # orjson: float32's shortest text
    assert not encoders._is_plain([states.T])  # not C-contiguous
    assert not encoders._is_plain([states.astype(">f8")])  # not native byte order
    assert not encoders._is_plain([states.astype(np.int64)])
    assert not encoders._is_plain([np.array([{"a": 1}], dtype=object)])


SPECIAL_FLOATS = [0.0, -0.0, math.nan, math.inf, -math.inf, 5e-324, 1.7976931348623157e308, 1e-7, 1e16, 0.1]
ARRAY_ENCODINGS = ("application/json", "application/jsonlines", "application/x-npy", "text/csv")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats() | st.sampled_from(SPECIAL_FLOATS), min_size=4, max_size=60),
    st.integers(1, 4),
    st.sampled_from(["[array]", "[[array]]", "object"]),
)
def test_float64_arrays_encode_to_the_bytes_of_their_lists(numbers, rows, wrapping):
    """As token_states.py answers: a text's token states (tokens × hidden, at least one token)
    in a list, and a list of those for a request of several texts."""
    columns = len(numbers) // rows
    array = np.array(numbers[: rows * columns], dtype=np.float64).reshape(rows, columns)

    def wrap(value):
        return {"[array]": [value], "[[array]]": [[value]], "object": {"x": value}}[wrapping]

    for writer in ("orjson", "json"):
        with pytest.MonkeyPatch.context() as patch:
            if writer == "json":
                patch.setattr(encoders, "orjson", None)
            for accept in ARRAY_ENCODINGS:
                assert outcome_bytes(accept, wrap(array)) == outcome_bytes(accept, wrap(array.tolist())), (
                    writer,
                    accept,
                )


def outcome_bytes(accept, prediction):
    try:
        return encoders.encode(prediction, accept)
    except Exception as error:  # the comparison is the point (its message names the type it got)
        return type(error)


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from([Colour.RED, Label("label"), np.float32(0.25), np.int64(7)])
)
KEYS = st.text(max_size=4) | st.integers(-3, 3) | st.booleans() | st.none() | st.floats(-2, 2)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        SCALARS,
        lambda children: (
            st.lists(children, max_size=5)
            | st.tuples(children, children)
            | st.dictionaries(KEYS, children, max_size=4)
        ),
        max_leaves=30,
    )
)
def test_json_encoding_matches_the_full_path_for_any_nesting(value):
    assert outcome(encoders._encode_json, value) == outcome(full_path_bytes, value)


# ---------------------------------------------------------------- media types, parsed once per header


def test_a_parsed_media_type_is_shared_and_read_only():
    first = media_types.parse_media_type("application/json; charset=UTF-8")
    assert media_types.parse_media_type("application/json; charset=UTF-8") is first
    assert first == media_types.MediaType("application/json", {"charset": "UTF-8"})
    with pytest.raises(TypeError):
        first.params["charset"] = "latin-1"  # type: ignore[index]


def test_a_bad_media_type_is_refused_every_time():
    for _ in range(2):
        with pytest.raises(UnsupportedMediaTypeError, match="type/subtype"):
            media_types.parse_media_type("json")


def test_negotiation_is_remembered_per_header_and_offer():
    assert (
        media_types.negotiate("application/jsonlines", media_types.RECORD_ENCODERS) == "application/jsonlines"
    )
    assert media_types.negotiate("application/jsonlines") == "application/jsonlines"
    assert media_types.negotiate("text/csv, application/json;q=0.5") == "text/csv"
    assert (
        media_types.negotiate("text/csv, application/json;q=0.5", media_types.RECORD_ENCODERS)
        == "application/json"
    )
    for _ in range(2):
        with pytest.raises(NotAcceptableError, match="text/html"):
            media_types.negotiate("text/html")


# ---------------------------------------------------------------- request bodies, joined once


def read_body(chunks: list[bytes], max_payload_mb: int = 1) -> bytes:
    settings = load_settings({"SAGEMAKER_MAX_PAYLOAD_IN_MB": str(max_payload_mb)})
    front = Front(settings, SimpleNamespace(metrics=Metrics()))  # the pool is not used to read a body
    messages = [{"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks]
    messages[-1]["more_body"] = False

    async def receive():
        return messages.pop(0)

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)
    return asyncio.run(front._read_body(request))


def test_a_body_in_pieces_arrives_whole_as_bytes():
    body = read_body([b'{"inputs": ', b'"in three ', b'pieces"}'])
    assert body == b'{"inputs": "in three pieces"}'
    assert type(body) is bytes


def test_a_body_in_one_piece_is_not_copied():
    chunk = b'{"inputs": "one piece"}'
    assert read_body([chunk]) is chunk


def test_a_body_over_the_limit_is_refused_while_reading():
    with pytest.raises(PayloadTooLargeError, match="more than 1048577 bytes"):
        read_body([b"x" * 1024 * 1024, b"y"])
