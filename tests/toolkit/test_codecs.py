"""The default decode and encode steps (no server)."""

from __future__ import annotations

import base64
import datetime
import io
import json
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from sagemaker_hf.toolkit import codecs, encoders
from sagemaker_hf.toolkit.errors import (
    BadInputError,
    ModelError,
    NotAcceptableError,
    UnsupportedMediaTypeError,
)

# ---------------------------------------------------------------- JSON and text


@pytest.mark.parametrize(
    "content_type",
    [None, "application/json", "application/json; charset=utf-8", "APPLICATION/JSON; Charset=UTF-8"],
)
def test_json_decodes_with_or_without_charset(content_type):
    assert codecs.decode(b'{"inputs": "hi"}', content_type) == {"inputs": "hi"}


def test_json_honours_a_non_utf8_charset():
    body = '{"inputs": "café"}'.encode("latin-1")
    assert codecs.decode(body, "application/json; charset=ISO-8859-1") == {"inputs": "café"}


def test_json_accepts_a_utf8_byte_order_mark():
    assert codecs.decode(b'\xef\xbb\xbf{"inputs": 1}', "application/json") == {"inputs": 1}


def test_bad_utf8_is_400_with_the_position():
    with pytest.raises(BadInputError, match=r"not valid utf-8: byte 0xff at position 12"):
        codecs.decode(b'{"inputs": "\xff"}', "application/json")


def test_unknown_charset_is_415():
    with pytest.raises(UnsupportedMediaTypeError, match="charset 'klingon'"):
        codecs.decode(b"{}", "application/json; charset=klingon")


@pytest.mark.parametrize("charset", ["rot13", "zlib", "base64", "hex", "uu", "bz2", "undefined", "punycode"])
@pytest.mark.parametrize("content_type", ["application/json", "application/jsonlines", "text/csv"])
def test_a_charset_that_is_not_a_text_encoding_is_415_not_a_crash(content_type, charset):
    # Before: codecs.lookup found these, bytes.decode raised LookupError (or UnicodeError), a 500.
    with pytest.raises(UnsupportedMediaTypeError, match=f"charset '{charset}'"):
        codecs.decode(b'{"inputs": "x"}', f"{content_type}; charset={charset}")


def test_a_body_a_whole_body_codec_refuses_is_400():
    with pytest.raises(BadInputError, match="not valid utf-16"):
        codecs.decode(b'{"inputs": "x"}', "application/json; charset=utf-16")  # an odd number of bytes
    assert codecs.decode('{"inputs": "x"}'.encode("utf-16"), "application/json; charset=utf-16") == {
        "inputs": "x"
    }


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/json"),
        (b"{oops", "application/json"),
        (b"[" * 5000 + b"]" * 5000, "application/json"),
        (b"1" * 5000, "application/json"),
        (b'{"a": 1}\n{oops', "application/jsonlines"),
        (b"", "application/jsonlines"),
    ],
)
def test_unreadable_json_is_a_json_decode_error_and_a_400(body, content_type):
    with pytest.raises(json.JSONDecodeError) as caught:
        codecs.decode(body, content_type)
    assert isinstance(caught.value, BadInputError)
    assert (caught.value.status, caught.value.type) == (400, "BadInputError")


def test_bad_json_is_400_with_line_and_column():
    with pytest.raises(BadInputError, match=r"not valid JSON: .* at line 2 column 12"):
        codecs.decode(b'{\n "inputs": }', "application/json")


def test_empty_body_is_400_with_an_example():
    with pytest.raises(BadInputError, match="body is empty"):
        codecs.decode(b"  \n", "application/json")


def test_several_json_documents_one_per_line_are_records():
    # What batch transform's MultiRecord sends with content_type application/json.
    decoded = codecs.decode(b'{"inputs": "a"}\n{"inputs": "b"}\n', "application/json")
    assert isinstance(decoded, codecs.MultiRecord)
    assert decoded == [{"inputs": "a"}, {"inputs": "b"}]


def test_two_documents_on_one_line_are_still_bad_json():
    with pytest.raises(BadInputError, match="Extra data"):
        codecs.decode(b'{"a": 1} {"b": 2}', "application/json")


# ---------------------------------------------------------------- JSON Lines


@pytest.mark.parametrize("content_type", ["application/jsonlines", "application/x-jsonlines"])
def test_json_lines_decode_one_record_per_line_skipping_blank_lines(content_type):
    body = b'{"inputs": "a"}\n\n{"inputs": "b"}\r\n"c"\n'
    decoded = codecs.decode(body, content_type)
    assert isinstance(decoded, codecs.MultiRecord)
    assert decoded == [{"inputs": "a"}, {"inputs": "b"}, "c"]


def test_json_lines_error_names_the_line():
    with pytest.raises(BadInputError, match="line 3 of the JSON Lines body"):
        codecs.decode(b'{"inputs": 1}\n\n{"inputs": \n', "application/jsonlines")


def test_records_answer_one_line_per_record_in_order():
    body = encoders.encode_records([{"label": "A"}, [1, 2], "x"], "application/jsonlines")
    assert body.split(b"\n") == [b'{"label":"A"}', b"[1,2]", b'"x"']


def test_records_refuse_csv():
    with pytest.raises(NotAcceptableError, match="one JSON document per line"):
        encoders.encode_records([{"a": 1}], "text/csv")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=8))
def test_json_lines_round_trip_keeps_count_and_order(records):
    body = encoders.encode_records(records, "application/jsonlines")
    assert codecs.decode(body, "application/jsonlines") == records


# ---------------------------------------------------------------- CSV


def test_csv_inputs_column_becomes_a_list_of_inputs():
    body = b'inputs\nI love it\n"Hello, world"\n'
    assert codecs.decode(body, "text/csv") == {"inputs": ["I love it", "Hello, world"]}


def test_csv_question_and_context_become_row_objects():
    body = b"Question,Context\nWho?,Ann is here\n"
    assert codecs.decode(body, "text/csv; charset=utf-8") == {
        "inputs": [{"question": "Who?", "context": "Ann is here"}]
    }


def test_csv_without_a_usable_header_is_400_naming_the_header():
    with pytest.raises(BadInputError, match=r"header \(text, label\) must name an 'inputs' column"):
        codecs.decode(b"text,label\nhi,1\n", "text/csv")


def test_csv_ragged_row_is_400_naming_the_row():
    with pytest.raises(BadInputError, match="CSV row 3 has 2 fields but the header has 1"):
        codecs.decode(b"inputs\nok\nnot,ok\n", "text/csv")


def test_csv_is_refused_for_tasks_that_need_nested_inputs():
    with pytest.raises(UnsupportedMediaTypeError, match="zero-shot-classification"):
        codecs.decode(b"inputs\nhi\n", "text/csv", accepts_csv=False, task="zero-shot-classification")


# ---------------------------------------------------------------- NumPy


def test_npy_decodes_numeric_arrays():
    buffer = io.BytesIO()
    np.save(buffer, np.arange(6, dtype=np.float32).reshape(2, 3))
    decoded = codecs.decode(buffer.getvalue(), "application/x-npy")
    assert decoded.shape == (2, 3)
    assert decoded.dtype == np.float32


_TRIPPED: list[str] = []


def _trip(marker: str) -> None:
    _TRIPPED.append(marker)


class _Tripwire:
    """Unpickling this calls _trip: the test proves it never happens."""

    def __reduce__(self):
        return (_trip, ("unpickled",))


def test_npy_object_array_is_refused_without_unpickling():
    buffer = io.BytesIO()
    np.save(buffer, np.array([_Tripwire()], dtype=object), allow_pickle=True)
    with pytest.raises(BadInputError, match="never unpickles"):
        codecs.decode(buffer.getvalue(), "application/x-npy")
    assert _TRIPPED == []
    pickle.loads(pickle.dumps(_Tripwire()))  # the tripwire itself works
    assert _TRIPPED == ["unpickled"]


def test_npy_garbage_is_400():
    with pytest.raises(BadInputError, match=r"not a valid \.npy"):
        codecs.decode(b"not numpy at all", "application/x-npy")
    with pytest.raises(BadInputError, match=r"not a valid \.npy"):
        codecs.decode(b"\x93NUMPY\x01\x00truncated", "application/x-npy")


# ---------------------------------------------------------------- images and audio


def _image_bytes(mode: str, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (4, 3), color=128 if mode == "L" else (10, 20, 30, 255)[: len(mode)]).save(
        buffer, format=fmt
    )
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content_type", "mode", "fmt"),
    [("image/png", "RGBA", "PNG"), ("image/jpeg", "L", "JPEG"), ("image/x-image", "RGB", "BMP")],
)
def test_images_decode_to_rgb(content_type, mode, fmt):
    decoded = codecs.decode(_image_bytes(mode, fmt), content_type)
    image = decoded["inputs"]
    assert image.mode == "RGB"
    assert image.size == (4, 3)


def test_unreadable_image_is_400():
    with pytest.raises(BadInputError, match="not a readable image/png image"):
        codecs.decode(b"\x89PNG but not really", "image/png")


@pytest.mark.parametrize("content_type", ["audio/x-flac", "audio/wav", "audio/mpeg", "audio/ogg"])
def test_audio_passes_raw_bytes(content_type):
    assert codecs.decode(b"RIFF....WAVE", content_type) == {"inputs": b"RIFF....WAVE"}


def test_unknown_content_type_is_415():
    with pytest.raises(UnsupportedMediaTypeError, match="application/xml"):
        codecs.decode(b"<a/>", "application/xml")


# ---------------------------------------------------------------- encoding


class _FakeTensor:
    """Quacks like a torch tensor on a GPU: only detach().cpu().tolist() gives the values."""

    def __init__(self, values):
        self.values = values

    def detach(self):
        return self

    def cpu(self):
        return _CpuValues(self.values)

    def tolist(self):
        raise AssertionError("a GPU tensor must be moved to the CPU first")


class _CpuValues:
    def __init__(self, values):
        self.values = values

    def tolist(self):
        return self.values


def test_json_encodes_numpy_tensors_datetimes_and_bytes():
    prediction = {
        "score": np.float32(0.5),
        "count": np.int64(3),
        "flag": np.bool_(True),
        "vector": np.array([[1, 2], [3, 4]], dtype=np.int16),
        "tensor": _FakeTensor([0.25, 0.75]),
        "when": datetime.datetime(2024, 5, 1, 12, 30),
        "day": datetime.date(2024, 5, 1),
        "raw": b"\x00\x01",
        7: "int key",
    }
    assert json.loads(encoders.encode(prediction, "application/json")) == {
        "score": 0.5,
        "count": 3,
        "flag": True,
        "vector": [[1, 2], [3, 4]],
        "tensor": [0.25, 0.75],
        "when": "2024-05-01 12:30:00",  # str(datetime), as the AWS toolkit writes it
        "day": "2024-05-01",
        "raw": base64.b64encode(b"\x00\x01").decode(),
        "7": "int key",
    }


def test_json_maps_nan_and_infinity_to_null():
    encoded = encoders.encode([math.nan, math.inf, -math.inf, np.float64("nan"), 1.5], "application/json")
    assert encoded == b"[null,null,null,null,1.5]"


def test_json_encodes_pil_images_as_base64_png():
    encoded = json.loads(encoders.encode({"mask": Image.new("L", (2, 2), 255)}, "application/json"))
    decoded = Image.open(io.BytesIO(base64.b64decode(encoded["mask"])))
    assert decoded.format == "PNG"
    assert decoded.size == (2, 2)


def test_json_keeps_non_ascii_text():
    assert encoders.encode({"t": "naïve 東京"}, "application/json") == '{"t":"naïve 東京"}'.encode()


def test_json_refuses_unknown_objects_with_a_500_naming_the_type():
    with pytest.raises(ModelError, match=r"type builtins\.object"):
        encoders.encode({"x": object()}, "application/json")


def test_csv_encodes_a_list_of_objects_with_a_header_from_the_keys():
    prediction = [{"label": "POS", "score": 0.9}, {"label": "NEG", "score": 0.1, "extra": [1, 2]}]
    assert encoders.encode(prediction, "text/csv").decode() == (
        'label,score,extra\r\nPOS,0.9,\r\nNEG,0.1,"[1,2]"\r\n'
    )


def test_csv_flattens_one_level_of_lists_of_objects():
    prediction = [[{"label": "A"}], [{"label": "B"}]]
    assert encoders.encode(prediction, "text/csv") == b"label\r\nA\r\nB\r\n"


def test_csv_lines_end_with_crlf_as_the_aws_toolkit_writes_them():
    encoded = encoders.encode([{"text": "two\nlines", "n": 1}], "text/csv")
    assert encoded == b'text,n\r\n"two\nlines",1\r\n'
    assert encoders.encode([], "text/csv") == b""


@pytest.mark.parametrize(
    ("accept", "image_format"), [("image/png", "PNG"), ("image/jpeg", "JPEG"), ("image/bmp", "BMP")]
)
def test_images_are_written_in_the_accepted_format(accept, image_format):
    written = Image.open(io.BytesIO(encoders.encode(Image.new("RGB", (3, 2), "blue"), accept)))
    assert (written.format, written.size) == (image_format, (3, 2))


def test_an_image_accept_refuses_what_is_not_an_image_or_cannot_be_written():
    with pytest.raises(NotAcceptableError, match="the prediction is a dict, not an image"):
        encoders.encode({"label": "cat"}, "image/png")
    with pytest.raises(NotAcceptableError, match="RGBA image cannot be written as image/jpeg"):
        encoders.encode(Image.new("RGBA", (2, 2)), "image/jpeg")


def test_csv_refuses_predictions_that_are_not_objects():
    with pytest.raises(NotAcceptableError, match="accept application/json"):
        encoders.encode([0.1, 0.2], "text/csv")


def test_json_lines_encode_one_prediction_on_one_line_even_a_list():
    # One request is one record: its answer is one line (a batch job writes one line per record).
    assert encoders.encode([{"a": 1}, {"a": 2}], "application/jsonlines") == b'[{"a":1},{"a":2}]'


def test_npy_round_trips_and_refuses_objects():
    encoded = encoders.encode([[1.0, 2.0]], "application/x-npy")
    assert np.load(io.BytesIO(encoded), allow_pickle=False).tolist() == [[1.0, 2.0]]
    with pytest.raises(NotAcceptableError, match="without pickle"):
        encoders.encode([{"label": "A"}], "application/x-npy")
