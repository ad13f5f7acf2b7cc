"""Record streaming, output naming and the per-record request/answer rules, without a server."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from typing import Any

import pytest

from sagemaker_hf.dataprocessing import DataProcessingError
from sagemaker_hf.local.batch import objects
from sagemaker_hf.local.batch.objects import InputObject, list_inputs, output_uri, read_records
from sagemaker_hf.local.batch.records import RecordCodec


def _request(content_type: str, accept: str | None = None, **processing: str) -> dict[str, Any]:
    return {
        "TransformInput": {"ContentType": content_type},
        "TransformOutput": {**({"Accept": accept} if accept else {})},
        **({"DataProcessing": processing} if processing else {}),
    }


def test_lines_are_records_with_their_line_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(objects, "CHUNK_BYTES", 7)  # records cross chunk borders
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"a": 1}\r\n\n   \n{"a": "two\\nlines"}\n{"a": 3}')
    records = list(read_records(None, InputObject(str(path), "in.jsonl"), "Line", None))
    assert [(record.line, record.data) for record in records] == [
        (1, b'{"a": 1}'),
        (4, b'{"a": "two\\nlines"}'),
        (5, b'{"a": 3}'),
    ]


def test_gzip_inputs_and_whole_object_records(tmp_path):
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(b"one\ntwo\n"))
    item = InputObject(str(path), "in.jsonl.gz")
    assert [r.data for r in read_records(None, item, "Line", "Gzip")] == [b"one", b"two"]
    assert [r.data for r in read_records(None, item, "None", "Gzip")] == [b"one\ntwo\n"]
    (tmp_path / "plain").write_bytes(b"not gzip\n")
    with pytest.raises(objects.InputReadError, match="plain could not be read: Not a gzipped file"):
        list(read_records(None, InputObject(str(tmp_path / "plain"), "plain"), "Line", "Gzip"))


def test_inputs_of_a_folder_keep_their_relative_names(tmp_path):
    (tmp_path / "data" / "sub").mkdir(parents=True)
    for name in ("b.jsonl", "a.jsonl", "sub/c.jsonl", ".DS_Store"):
        (tmp_path / "data" / name).write_text("{}\n")
    found = list_inputs(None, f"file://{tmp_path / 'data'}")
    assert [item.name for item in found] == ["a.jsonl", "b.jsonl", "sub/c.jsonl"]
    assert output_uri("s3://bucket/out/", found[2]) == "s3://bucket/out/sub/c.jsonl.out"
    single = list_inputs(None, str(tmp_path / "data" / "b.jsonl"))
    assert [item.name for item in single] == ["b.jsonl"]
    assert list_inputs(None, str(tmp_path / "missing")) == []


def test_json_records_go_as_they_are_unless_filtered():
    plain = RecordCodec.for_job(_request("application/json"), frozenset())
    assert plain.request_body(b'{"inputs": "x"}') == b'{"inputs": "x"}'
    assert plain.output(b"{}", b'[{"label": "A"}]') == b'[{"label": "A"}]'
    filtered = RecordCodec.for_job(_request("application/json", InputFilter="$.inputs"), frozenset())
    assert filtered.request_body(b'{"id": 1, "inputs": "caf\xc3\xa9"}') == '"café"'.encode()
    with pytest.raises(DataProcessingError, match="not valid JSON"):
        filtered.request_body(b"{oops")


def test_json_join_and_output_filter():
    codec = RecordCodec.for_job(
        _request("application/jsonlines", JoinSource="Input", OutputFilter="$['id','SageMakerOutput']"),
        frozenset(),
    )
    written = codec.output(b'{"id": 1, "inputs": "x"}', b'[{"label":"A","score":0.5}]')
    assert json.loads(written) == {"id": 1, "SageMakerOutput": [{"label": "A", "score": 0.5}]}


def test_csv_records_reach_the_default_handler_as_json():
    codec = RecordCodec.for_job(_request("text/csv", InputFilter="$[1:]"), frozenset())
    assert codec.request_content_type == "application/jsonlines"
    assert json.loads(codec.request_body(b'7,"great, film"')) == {"inputs": "great, film"}
    assert json.loads(codec.request_body(b"7,a,b")) == {"inputs": ["a", "b"]}


def test_csv_records_reach_an_input_fn_as_csv():
    codec = RecordCodec.for_job(_request("text/csv", InputFilter="$[1:]"), frozenset({"input_fn"}))
    assert codec.request_content_type == "text/csv"
    assert codec.request_body(b'7,"great, film",en') == b'"great, film",en'


def test_csv_join_and_csv_answers():
    joined = RecordCodec.for_job(
        _request("text/csv", JoinSource="Input", OutputFilter="$[0,-2,-1]"), frozenset()
    )
    assert joined.output(b"7,great film", b'[{"label":"POS","score":0.9}]') == b"7,POS,0.9"
    as_csv = RecordCodec.for_job(_request("application/json", accept="text/csv"), frozenset())
    assert as_csv.request_accept == "application/json"  # asked as JSON, written as one CSV row
    assert as_csv.output(b"{}", b'[{"label":"POS","score":0.9}]') == b"POS,0.9"
    own_output = RecordCodec.for_job(
        _request("application/json", accept="text/csv"), frozenset({"output_fn"})
    )
    assert own_output.request_accept == "text/csv" and not own_output.rewrites_answers


def _peak_traced_bytes(call: Any) -> tuple[int, Any]:
    """The peak of Python allocations while ``call()`` runs, and what it returned or raised."""
    tracemalloc.start()
    try:
        try:
            outcome = call()
        except Exception as error:
            outcome = error
        return tracemalloc.get_traced_memory()[1], outcome
    finally:
        tracemalloc.stop()


def test_a_line_over_the_limit_stops_reading_with_flat_memory(tmp_path):
    limit = 1024 * 1024
    path = tmp_path / "in.jsonl"
    with open(path, "wb") as handle:
        handle.write(b'{"a": 1}\n{"a": 2}\n')
        for _ in range(24):  # one 24 MB line, 24 times the limit
            handle.write(b"x" * limit)
        handle.write(b"\n{}\n")
    item = InputObject(str(path), "in.jsonl")
    records: list[bytes] = []

    def read() -> None:
        records.extend(
            record.data for record in read_records(None, item, "Line", None, max_record_bytes=limit)
        )

    peak, outcome = _peak_traced_bytes(read)
    assert records == [b'{"a": 1}', b'{"a": 2}']
    assert isinstance(outcome, objects.RecordTooLarge) and outcome.line == 3
    assert limit < outcome.size <= limit + objects.CHUNK_BYTES + 1
    assert peak < 4 * limit  # the limit, a chunk and one join; the whole line would be 24 times it


def test_a_whole_object_record_over_the_limit_stops_reading(tmp_path):
    path = tmp_path / "image.bin"
    path.write_bytes(b"\0" * (5 * 1024 * 1024))
    reading = read_records(
        None, InputObject(str(path), "image.bin"), "None", None, max_record_bytes=1024 * 1024
    )
    with pytest.raises(objects.RecordTooLarge) as raised:
        list(reading)
    assert raised.value.line == 1 and raised.value.size <= 2 * 1024 * 1024


def test_unlimited_long_lines_cost_their_length_not_its_square(tmp_path):
    path = tmp_path / "in.jsonl"
    line = b"y" * (16 * objects.CHUNK_BYTES)
    path.write_bytes(line + b"\n")
    item = InputObject(str(path), "in.jsonl")
    peak, records = _peak_traced_bytes(lambda: list(read_records(None, item, "Line", None)))
    assert [record.data for record in records] == [line]
    # The chunks of the line and the line joined once (concatenating chunk by chunk held ~3 copies).
    assert peak < 2.2 * len(line)
