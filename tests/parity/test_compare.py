"""The parity suite's own rules: normalisation, what counts as a difference, the allow-list."""

from __future__ import annotations

import io
import tarfile

from tests.parity.compare import Allowed, Difference, compare, side_by_side, significant
from tests.parity.normalise import Normaliser


def record(calls=(), exception=None, results=None):
    return {"calls": list(calls), "exception": exception, "results": results or {}}


def call(operation, **params):
    return {"service": "sagemaker", "operation": operation, "params": params}


def raised(type_name, *catches, code=None):
    described = {"type": type_name, "catches": sorted(catches), "message": "m"}
    if code:
        described["code"] = code
    return described


def test_generated_names_of_both_sdks_normalise_alike():
    normalise = Normaliser("/work/case", "/tmp/parity")
    v2_unique = (
        "s3://b/async-endpoint-outputs/huggingface-pytorch-inference-2026-12-06-16-53--1796575985-3a71"
    )
    ours = "s3://b/async-endpoint-outputs/huggingface-pytorch-inference-2026-12-06-16-53-05-123"
    assert (
        normalise(v2_unique)
        == normalise(ours)
        == "s3://b/async-endpoint-outputs/huggingface-pytorch-inference-<ts>"
    )
    assert normalise("model-261206-1657/x") == "model-<ts>/x"
    assert normalise("/tmp/parity/tmpab12cd/code/inference.py") == "<tmp>/code/inference.py"
    assert normalise("/work/case/scripts") == "<work>/scripts"
    assert normalise("s3://bucket/") == normalise("s3://bucket") == "s3://bucket"
    assert normalise("s3://bucket/prefix/") == "s3://bucket/prefix/"  # a prefix's slash matters


def test_bodies_become_readable():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("./code/inference.py")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"abc"))
    normalise = Normaliser("/w", "/t")
    assert list(normalise(buffer.getvalue())["tar.gz"]) == ["code/inference.py"]
    assert normalise(b'{"inputs": "x"}') == '{"inputs": "x"}'
    assert normalise(b"\xff\xfe")["bytes"] == 2


def test_request_fields_differ_by_path():
    v2 = record([call("CreateModel", PrimaryContainer={"Environment": {"A": "1"}}, Tags=[])])
    hf = record([call("CreateModel", PrimaryContainer={"Environment": {"A": "2", "B": "3"}})])
    found = {d.aspect: (d.v2, d.hf) for d in compare("s", v2, hf)}
    assert found == {
        "request:CreateModel.PrimaryContainer.Environment.A": ("1", "2"),
        "request:CreateModel.PrimaryContainer.Environment.B": ("<absent>", "3"),
    }  # Tags=[] is the same request as no Tags


def test_requests_sent_by_one_side_only_and_reads_ignored():
    v2 = record([call("DescribeEndpoint", EndpointName="e"), call("CreateModelPackageGroup", Name="g")])
    hf = record([call("UpdateEndpoint", EndpointName="e")])
    assert [d.aspect for d in compare("s", v2, hf)] == [
        "request:-CreateModelPackageGroup",
        "request:+UpdateEndpoint",
    ]


def test_clean_up_order_does_not_matter_but_creation_order_does():
    deletes = [call("DeleteEndpoint", EndpointName="e"), call("DeleteEndpointConfig", EndpointConfigName="e")]
    assert significant(deletes) == significant(deletes[::-1])
    creates = [call("CreateModel", ModelName="m"), call("CreateEndpoint", EndpointName="e")]
    assert compare("s", record(creates), record(creates[::-1]))


def test_a_folders_uploads_compare_in_any_order_but_not_across_other_requests():
    puts = [call("PutObject", Bucket="b", Key="d/a.json"), call("PutObject", Bucket="b", Key="d/b.json")]
    assert significant(puts) == significant(puts[::-1])
    create = call("CreateModel", ModelName="m")
    assert compare("s", record([puts[0], create, puts[1]]), record([puts[1], create, puts[0]]))


def test_exceptions_compare_by_what_a_v2_except_clause_catches():
    v2 = record(exception=raised("sagemaker.exceptions.UnexpectedStatusException", "ValueError"))
    wider = record(exception=raised("ours.Error", "ValueError", "RuntimeError"))
    narrower = record(exception=raised("ours.Error"))
    assert compare("s", v2, wider) == []
    assert [d.aspect for d in compare("s", v2, narrower)] == ["exception"]
    assert [d.aspect for d in compare("s", v2, record())] == ["exception"]
    client = "botocore.exceptions.ClientError"
    same_class_other_code = compare(
        "s",
        record(exception=raised(client, client, code="A")),
        record(exception=raised(client, client, code="B")),
    )
    assert [d.aspect for d in same_class_other_code] == ["exception"]


def test_results_compared_only_when_both_sides_got_there():
    v2 = record(results={"output_path": "s3://b/x", "later": 1})
    hf = record(exception=raised("E", "ValueError"), results={"output_path": None})
    aspects = [d.aspect for d in compare("s", v2, hf)]
    assert aspects == ["exception", "result:output_path"]


def test_allow_list_patterns():
    entry = Allowed("deploy_*", ("exception", "request:-*"), "reason", "docs/migration.md#x")
    assert entry.matches(Difference("deploy_a", "request:-CreateModel", 1, 2))
    assert entry.matches(Difference("deploy_a", "exception", 1, 2))
    assert not entry.matches(Difference("deploy_a", "request:+CreateModel", 1, 2))
    assert not entry.matches(Difference("fit_a", "exception", 1, 2))


def test_a_failure_shows_both_requests_as_a_diff():
    v2 = record([call("CreateEndpointConfig", EndpointConfigName="e", KmsKeyId="v2-key")])
    hf = record([call("CreateEndpointConfig", EndpointConfigName="e", KmsKeyId="our-key")])
    lines = side_by_side(v2, hf).splitlines()
    assert lines[:2] == ["--- SDK v2", "+++ sagemaker-hf"]
    changed = [line[0] + line[1:].strip() for line in lines[3:] if line.startswith(("-", "+"))]
    assert changed == ['-"KmsKeyId": "v2-key"', '+"KmsKeyId": "our-key"']
    assert any('"EndpointConfigName": "e"' in line for line in lines)  # the whole request, for context
