"""The toolkit's side of batch transform, over HTTP: /execution-parameters and multi-record bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagemaker_hf.local.batch.objects import InputObject, read_records
from sagemaker_hf.toolkit import codecs
from tests.fixtures.toolkit_server import ServerProcess, running_server

TEXTS = ["this movie is terrible", "this movie is amazing", "SageMaker is pretty cool"]


@pytest.fixture(scope="module")
def classifier_server(tiny_models: Any) -> Iterator[ServerProcess]:
    env = {"HF_TASK": "text-classification", "SAGEMAKER_MAX_PAYLOAD_IN_MB": "7"}
    with running_server(tiny_models["text-classification"], env=env) as server:
        yield server


def _predictions(response: Any) -> list[Any]:
    assert response.status_code == 200, response.text
    lines = response.text.split("\n")
    return [json.loads(line) for line in lines]


def test_execution_parameters_answer_as_sagemaker_expects(classifier_server):
    response = classifier_server.client.get("/execution-parameters")
    assert response.status_code == 200
    assert response.json() == {
        "MaxConcurrentTransforms": 1,
        "BatchStrategy": "MULTI_RECORD",
        "MaxPayloadInMB": 7,
    }


def test_a_json_lines_body_gets_one_line_per_record_in_order(classifier_server):
    single = [classifier_server.client.post("/invocations", json={"inputs": text}).json() for text in TEXTS]
    body = "\n".join(json.dumps({"inputs": text}) for text in [*TEXTS, *reversed(TEXTS)]) + "\n\n"
    response = classifier_server.client.post(
        "/invocations", content=body, headers={"Content-Type": "application/jsonlines"}
    )
    predictions = _predictions(response)
    assert len(predictions) == 6  # a blank trailing line is not a record
    for got, expected in zip(predictions, [*single, *reversed(single)], strict=True):
        assert got[0]["label"] == expected[0]["label"]
        assert got[0]["score"] == pytest.approx(expected[0]["score"], abs=1e-5)


def test_several_json_documents_under_application_json_are_records(classifier_server):
    # What SageMaker sends for content_type='application/json', split_type='Line', MultiRecord.
    body = "\n".join(json.dumps({"inputs": text}) for text in TEXTS)
    response = classifier_server.client.post(
        "/invocations", content=body, headers={"Content-Type": "application/json"}
    )
    assert len(_predictions(response)) == 3


def test_a_bad_record_in_a_multi_record_body_is_a_400_naming_it(classifier_server):
    body = '{"inputs": "fine"}\n{"inputs": "oops", "parameters": 3}\n'
    response = classifier_server.client.post(
        "/invocations", content=body, headers={"Content-Type": "application/jsonlines"}
    )
    assert response.status_code == 400
    assert '"parameters" must be an object' in response.json()["message"]


# Every character Python calls whitespace (but the line end itself), and the byte-order mark.
SPACES = [char for char in map(chr, range(0x3001)) if char.isspace() and char != "\n"] + ["\ufeff"]
record_line = st.integers(0, 999).map(lambda number: json.dumps({"id": number}))
space_line = st.text(alphabet=st.sampled_from(SPACES), max_size=4)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.one_of(record_line, space_line), min_size=1, max_size=12))
def test_a_job_and_the_server_count_the_same_records(tmp_path_factory, lines):
    # What a MultiRecord job sends is answered line for line only if both sides skip the same lines.
    path = tmp_path_factory.mktemp("lines") / "in.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8"))
    sent = [record.data for record in read_records(None, InputObject(str(path), "in.jsonl"), "Line", None)]
    assert [json.loads(data) for data in sent] == [json.loads(line) for line in lines if line.startswith("{")]
    if sent:
        records = [json.loads(data) for data in sent]
        assert codecs.decode(b"\n".join(sent), "application/jsonlines") == records
        assert codecs.decode(path.read_bytes(), "application/jsonlines") == records


def test_csv_rows_that_only_look_blank_are_not_inputs():
    body = "inputs\nhello\n\u00a0\n\u3000\t\nworld\n".encode()
    assert codecs.decode(body, "text/csv") == {"inputs": ["hello", "world"]}
