"""Local transform jobs through HuggingFaceModel.transformer(instance_type="local"), end to end.

Each job starts its own model server, as on SageMaker; the echo model (user code, no
transformers) keeps most of them quick and makes alignment exact: every output line
holds the record it answers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import Transformer, storage
from sagemaker_hf.errors import ConfigurationError, ResourceFailedError
from tests.batch.conftest import output_lines, sentence, write_csv, write_jsonl

DOCUMENTED_INPUT = """\
{"inputs":"this movie is terrible"}
{"inputs":"this movie is amazing"}
{"inputs":"SageMaker is pretty cool"}
{"inputs":"SageMaker is pretty cool"}
{"inputs":"this movie is terrible"}
{"inputs":"this movie is amazing"}
"""
LABELS = {"NEGATIVE", "POSITIVE"}


def _labels(line: str) -> list[dict[str, Any]]:
    prediction = json.loads(line)
    assert isinstance(prediction, list) and prediction[0]["label"] in LABELS, line
    return prediction


def _documents(text: str) -> list[str]:
    decoder, position, documents = json.JSONDecoder(), 0, []
    while position < len(text):
        _, end = decoder.raw_decode(text, position)
        documents.append(text[position:end])
        position = end
    return documents


def test_documented_input_gives_six_outputs(classifier, tmp_path):
    data = tmp_path / "input.jsonl"
    data.write_text(DOCUMENTED_INPUT)
    batch_job = classifier.transformer(instance_count=1, instance_type="local", strategy="SingleRecord")
    batch_job.transform(data=str(data), content_type="application/json", split_type="Line")

    job = batch_job.describe()
    assert job["TransformJobStatus"] == "Completed"
    assert (job["BatchStrategy"], job["MaxConcurrentTransforms"], job["MaxPayloadInMB"]) == (
        "SingleRecord",
        1,
        6,
    )
    assert job["Progress"] == {**job["Progress"], "RecordsDone": 6, "ObjectsDone": 1, "ObjectsTotal": 1}
    output_dir = job["TransformOutput"]["S3OutputPath"]
    assert output_dir.startswith("file://") and output_dir.endswith(batch_job.latest_transform_job)
    # Without assemble_with, SageMaker writes the answers back to back: six JSON documents.
    written = storage.local_path(f"{output_dir}/input.jsonl.out").read_text()
    predictions = [_labels(document) for document in _documents(written)]
    assert len(predictions) == 6
    assert predictions[0] == predictions[4] and predictions[2] == predictions[3]  # same input, same answer


def test_multi_record_over_a_folder_keeps_order_and_one_line_per_record(echo_model, tmp_path):
    data = tmp_path / "data"
    write_jsonl(data / "a.jsonl", 3000)
    second = write_jsonl(data / "nested" / "b.jsonl", 400, first=5000)
    # CRLF line ends, a blank line in the middle and no newline at the end: still one output per record.
    lines = second.read_text().splitlines()
    second.write_text("\r\n".join([*lines[:200], "", *lines[200:]]))
    out = tmp_path / "out"
    transformer = echo_model.transformer(
        1, "local", strategy="MultiRecord", assemble_with="Line", output_path=str(out), max_payload=1
    )
    transformer.transform(str(data), content_type="application/jsonlines", split_type="Line")

    for name, first, count in (("a.jsonl", 0, 3000), ("nested/b.jsonl", 5000, 400)):
        echoed = [json.loads(line)["echo"] for line in output_lines(out / f"{name}.out")]
        assert echoed == [{"id": n, "inputs": sentence(n)} for n in range(first, first + count)]
    job = transformer.describe()
    assert job["BatchStrategy"] == "MultiRecord" and job["MaxPayloadInMB"] == 1
    assert (job["Progress"]["RecordsDone"], job["Progress"]["ObjectsDone"]) == (3400, 2)


def test_csv_records_single_record_with_join_and_filters(echo_model, tmp_path):
    data = write_csv(tmp_path / "rows.csv", 2000)
    transformer = echo_model.transformer(
        1,
        "local",
        strategy="SingleRecord",
        assemble_with="Line",
        output_path=str(tmp_path / "out"),
        max_concurrent_transforms=3,
    )
    transformer.transform(
        str(data), content_type="text/csv", split_type="Line", input_filter="$[1:]", join_source="Input"
    )
    rows = output_lines(tmp_path / "out" / "rows.csv.out")
    assert len(rows) == 2000
    for number in (0, 1, 999, 1999):
        # the input row, then the prediction's cells: the echoed {"inputs": <the filtered field>}
        expected_echo = json.dumps({"inputs": f"{sentence(number)}, really"}, separators=(",", ":"))
        assert (
            rows[number]
            == f'{number},"{sentence(number)}, really","{expected_echo.replace(chr(34), chr(34) * 2)}"'
        )
    assert transformer.describe()["MaxConcurrentTransforms"] == 3


def test_classifier_multi_record_jsonl_with_filters(classifier, tmp_path):
    data = write_jsonl(tmp_path / "reviews.jsonl", 2000)
    transformer = classifier.transformer(
        1, "local", strategy="MultiRecord", assemble_with="Line", output_path=str(tmp_path / "out")
    )
    transformer.transform(
        str(data),
        content_type="application/jsonlines",
        split_type="Line",
        input_filter="$.inputs",
        join_source="Input",
        output_filter="$['id','SageMakerOutput']",
    )
    outputs = [json.loads(line) for line in output_lines(tmp_path / "out" / "reviews.jsonl.out")]
    assert [output["id"] for output in outputs] == list(range(2000))
    assert all(set(output) == {"id", "SageMakerOutput"} for output in outputs)
    assert {output["SageMakerOutput"][0]["label"] for output in outputs} <= LABELS


def test_classifier_multi_record_csv_written_as_csv(classifier, tmp_path):
    data = write_csv(tmp_path / "rows.csv", 2000)
    transformer = classifier.transformer(
        1,
        "local",
        strategy="MultiRecord",
        assemble_with="Line",
        output_path=str(tmp_path / "out"),
        accept="text/csv",
    )
    transformer.transform(str(data), content_type="text/csv", split_type="Line", input_filter="$[1]")
    rows = [line.split(",") for line in output_lines(tmp_path / "out" / "rows.csv.out")]
    assert len(rows) == 2000
    assert all(len(row) == 2 and row[0] in LABELS and 0.0 <= float(row[1]) <= 1.0 for row in rows)


def test_a_bad_line_fails_the_job_with_its_file_and_line(classifier, tmp_path):
    data = write_jsonl(tmp_path / "reviews.jsonl", 1500)
    lines = data.read_text().splitlines()
    lines[1233] = '{"inputs": "fine", "parameters": 3}'  # line 1234
    data.write_text("\n".join(lines) + "\n")
    transformer = classifier.transformer(
        1, "local", strategy="MultiRecord", assemble_with="Line", output_path=str(tmp_path / "out")
    )
    with pytest.raises(ResourceFailedError) as raised:
        transformer.transform(str(data), content_type="application/jsonlines", split_type="Line")

    reason = raised.value.failure_reason
    assert reason.startswith("ClientError: reviews.jsonl line 1234: ")
    assert '"parameters" must be an object' in reason
    assert "The 1233 records before it were transformed" in reason
    partial = tmp_path / "out" / "reviews.jsonl.out.partial"
    assert str(partial) in reason
    assert len(output_lines(partial)) == 1233
    assert not (tmp_path / "out" / "reviews.jsonl.out").exists()
    job = transformer.describe()
    assert job["TransformJobStatus"] == "Failed" and job["FailureReason"] == reason
    assert "TransformEndTime" in job


def test_s3_prefix_in_s3_outputs_out(echo_model, batch_session, moto_endpoint, tmp_path):
    s3 = batch_session.s3_client
    s3.create_bucket(Bucket="batch-data")
    for key, first in (("in/part-1.jsonl", 0), ("in/sub/part-2.jsonl", 100)):
        s3.put_object(
            Bucket="batch-data", Key=key, Body=write_jsonl(tmp_path / "x.jsonl", 50, first).read_bytes()
        )
    transformer = echo_model.transformer(
        1, "local", strategy="MultiRecord", assemble_with="Line", output_path="s3://batch-data/out"
    )
    transformer.transform("s3://batch-data/in/", content_type="application/jsonlines", split_type="Line")

    listed = s3.list_objects_v2(Bucket="batch-data", Prefix="out/")["Contents"]
    assert sorted(item["Key"] for item in listed) == ["out/part-1.jsonl.out", "out/sub/part-2.jsonl.out"]
    body = s3.get_object(Bucket="batch-data", Key="out/sub/part-2.jsonl.out")["Body"].read().decode()
    assert [json.loads(line)["echo"]["id"] for line in body.splitlines()] == list(range(100, 150))


def test_no_input_or_nothing_to_read_fails_clearly(echo_model, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    transformer = echo_model.transformer(1, "local", output_path=str(tmp_path / "out"))
    with pytest.raises(ResourceFailedError, match="no input objects found under file://"):
        transformer.transform(str(empty), content_type="application/jsonlines", split_type="Line")
    with pytest.raises(ConfigurationError, match="no such file or folder"):
        transformer.transform(str(tmp_path / "missing.jsonl"))


def test_requests_local_mode_cannot_run_are_refused(echo_model, batch_session, tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", 3)
    transformer = echo_model.transformer(1, "local", output_path=str(tmp_path / "out"))
    client = batch_session.sagemaker_client
    request = transformer.transform_job_request("refused", f"file://{data}", split_type="RecordIO")
    with pytest.raises(ClientError, match="SplitType 'RecordIO' is not supported locally"):
        client.create_transform_job(**request)
    request = transformer.transform_job_request(
        "refused", f"file://{data}", content_type="image/png", input_filter="$.inputs"
    )
    with pytest.raises(ClientError, match="reads JSON or CSV records"):
        client.create_transform_job(**request)
    request = transformer.transform_job_request("refused", "https://example.com/in.jsonl")
    with pytest.raises(ClientError, match="local mode reads and writes s3://, file:// or local paths"):
        client.create_transform_job(**request)
    with pytest.raises(ClientError, match="Could not find requested job"):
        client.describe_transform_job(TransformJobName="refused")


def test_stop_keeps_finished_objects_and_attach_reads_the_job(echo_model, batch_session, tmp_path):
    data = tmp_path / "data"
    for index in range(3):
        write_jsonl(data / f"part-{index}.jsonl", 300)
    transformer = echo_model.transformer(
        1, "local", strategy="SingleRecord", output_path=str(tmp_path / "out")
    )
    transformer.transform(str(data), content_type="application/json", split_type="Line", wait=False)
    client = batch_session.sagemaker_client
    name = transformer.latest_transform_job

    attached = Transformer.attach(name, sagemaker_session=batch_session)
    assert (attached.model_name, attached.strategy) == (transformer.model_name, "SingleRecord")
    transformer.stop_transform_job(wait=True)

    job = client.describe_transform_job(TransformJobName=name)
    assert job["TransformJobStatus"] == "Stopped" and "FailureReason" not in job
    out = tmp_path / "out"
    finished = sorted(path.name for path in out.glob("*.out")) if out.exists() else []
    assert (
        len(finished) == job.get("Progress", {}).get("ObjectsDone", 0) < 3
    )  # stopped early: some are missing
    summaries = client.list_transform_jobs(NameContains=name)["TransformJobSummaries"]
    assert [(item["TransformJobName"], item["TransformJobStatus"]) for item in summaries] == [
        (name, "Stopped")
    ]
