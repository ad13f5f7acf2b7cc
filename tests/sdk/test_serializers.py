"""Serializers and deserializers: every class against SDK v2's on the same inputs.

The cases are in ``serializer_cases.py``; v2's results are recorded in
``sdk_v2_serializer_results.json`` (``sagemaker==2.257.7``) and re-checked against a live
SDK v2 when its venv is there. Ours must give v2's result, or raise an error that v2's
``except`` clause catches, except for the differences listed below (docs/migration.md).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from sagemaker_hf import deserializers, serializers  # deserializers: v2's name, an attribute
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.hosting.predictor import HuggingFacePredictor
from tests.sdk import serializer_cases
from tests.sdk.sdk_v2_oracle import run_with_sdk_v2

HERE = Path(__file__).parent
RECORDED = json.loads((HERE / "sdk_v2_serializer_results.json").read_text())

# case -> (our result, why it differs from v2's)
DELIBERATE = {
    "csv-tuple-of-rows": ("1,2\n3,4", "v2 wrote each row's repr as one quoted field"),
    "csv-bytes": ({"bytes": "ab"}, "a bytes body is sent as it is; v2 wrote its byte values (97,98)"),
}


@pytest.fixture(scope="module")
def data_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("data") / "sample.flac"
    path.write_bytes(b"fLaC-bytes")
    return str(path)


@pytest.fixture(scope="module")
def ours(data_file) -> dict:
    return serializer_cases.results("sagemaker_hf", data_file)


def _catches(v2_result, our_result) -> bool:
    """Our error is caught by every builtin ``except`` that caught v2's."""
    return isinstance(our_result, dict) and set(v2_result["error"]) <= set(our_result.get("error", ()))


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_same_result_as_sdk_v2(ours, case):
    expected = RECORDED[case]
    if case in DELIBERATE:
        assert ours[case] == DELIBERATE[case][0]
        assert ours[case] != expected
    elif isinstance(expected, dict) and "error" in expected:
        assert _catches(expected, ours[case]), ours[case]
    else:
        assert ours[case] == expected


def test_every_case_is_recorded():
    assert set(RECORDED) == set(serializer_cases.SERIALIZE) | set(serializer_cases.DESERIALIZE)


def test_recorded_results_are_what_sdk_v2_does(data_file):
    live = json.loads(run_with_sdk_v2(str(HERE / "serializer_cases.py"), "sagemaker", data_file))
    assert live == RECORDED


def test_data_serializer_reads_audio_and_images(tmp_path):
    image = tmp_path / "cat.png"
    image.write_bytes(b"\x89PNG\r\n")
    serializer = serializers.DataSerializer(content_type="image/x-image")
    assert serializer.CONTENT_TYPE == "image/x-image"
    assert serializer.serialize(str(image)) == b"\x89PNG\r\n"
    assert serializer.serialize(image) == b"\x89PNG\r\n"  # a Path too
    assert serializer.serialize(bytearray(b"RIFF")) == b"RIFF"
    with pytest.raises(ConfigurationError, match="could not read the file") as raised:
        serializer.serialize(str(tmp_path / "missing.wav"))
    assert isinstance(raised.value, ValueError)


def test_data_serializer_sends_the_file_to_the_endpoint(requests_log, moto_session, moto_results, tmp_path):
    audio = tmp_path / "sample1.flac"
    audio.write_bytes(b"fLaC\x00\x01")
    moto_results.queue({"Body": '{"text": "hello"}', "ContentType": "application/json"})
    predictor = HuggingFacePredictor(
        "whisper", sagemaker_session=moto_session, serializer=serializers.DataSerializer("audio/x-audio")
    )
    assert predictor.predict(str(audio)) == {"text": "hello"}
    sent = requests_log.one("InvokeEndpoint")
    assert sent["Body"] == b"fLaC\x00\x01"
    assert sent["ContentType"] == "audio/x-audio"


def test_content_type_and_accept_follow_their_attributes():
    serializer = serializers.JSONSerializer()
    serializer.content_type = "application/x-json"  # v2 users set the attribute
    assert serializer.CONTENT_TYPE == "application/x-json"
    deserializer = serializers.JSONDeserializer()
    deserializer.accept = ("application/json", "text/json")
    assert deserializer.ACCEPT == ("application/json", "text/json")


def test_wrong_argument_types_are_named():
    with pytest.raises(ConfigurationError, match=r"CSVSerializer\(content_type=...\): got int 3") as raised:
        serializers.CSVSerializer(content_type=3)
    assert isinstance(raised.value, (ValueError, TypeError))  # v2 raised ValueError


def test_npy_requests_never_hold_pickles():
    body = serializers.NumpySerializer().serialize(np.arange(6, dtype=np.int64).reshape(2, 3))
    np.testing.assert_array_equal(np.load(io.BytesIO(body), allow_pickle=False), [[0, 1, 2], [3, 4, 5]])
    with pytest.raises(ConfigurationError, match="ragged"):
        serializers.NumpySerializer().serialize(np.array([[1], [1, 2]], dtype=object))


def test_deserializers_close_the_stream_and_read_content_type_parameters():
    stream = io.BytesIO("héllo".encode())
    assert serializers.StringDeserializer().deserialize(stream) == "héllo"
    assert stream.closed
    array = serializers.NumpyDeserializer().deserialize(
        io.BytesIO(b"[[1, 2]]"), "application/json; charset=utf-8"
    )
    np.testing.assert_array_equal(array, [[1, 2]])


V2_DESERIALIZERS = (
    "BaseDeserializer",
    "BytesDeserializer",
    "CSVDeserializer",
    "JSONDeserializer",
    "JSONLinesDeserializer",
    "NumpyDeserializer",
    "SimpleBaseDeserializer",
    "StreamDeserializer",
    "StringDeserializer",
)


def test_v2s_deserializers_module_name_reaches_them_all():
    # sagemaker.deserializers.X keeps working after `import sagemaker_hf as sagemaker`
    assert deserializers is serializers
    assert [name for name in V2_DESERIALIZERS if not hasattr(serializers, name)] == []
