"""The server over real HTTP, as a child process, with user-code models (no transformers import).

Two servers for the whole module: one whose inference.py has only a model_fn (so the
default decode/encode steps and the front's 406/415 checks run), and one with the
AWS-style script from the documented usage.
"""

from __future__ import annotations

import json
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.fixtures.toolkit_server import running_server

SECRET = "hf_secret_http_test_5f2a9c"

ECHO_MODEL = """
import os

def model_fn(model_dir):
    def model(inputs, **parameters):
        action = parameters.get("action")
        if action == "fail":
            raise ValueError("the model failed on purpose")
        if action == "leak":
            raise RuntimeError("the token is " + os.environ["HF_TOKEN"])
        if action == "nan":
            return {"score": float("nan")}
        return {"inputs": inputs, "parameters": parameters}
    return model
"""

AWS_STYLE = """
from sagemaker_huggingface_inference_toolkit import decoder_encoder

def model_fn(model_dir, context):
    gpu_id = context.system_properties.get("gpu_id")
    return lambda text: [{"label": "POSITIVE", "text": text, "gpu_id": gpu_id}]

def input_fn(input_data, content_type):
    data = decoder_encoder.decode(input_data, content_type)
    return data

def predict_fn(data, model):
    outputs = model(data["inputs"])
    return outputs

def output_fn(prediction, accept):
    response = decoder_encoder.encode(prediction, accept)
    return response
"""


def model_dir_with(root: Path, source: str) -> Path:
    code = root / "code"
    code.mkdir(parents=True)
    (code / "inference.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    model_dir = model_dir_with(tmp_path_factory.mktemp("echo-model"), ECHO_MODEL)
    env = {"HF_TOKEN": SECRET, "SAGEMAKER_MAX_PAYLOAD_IN_MB": "1"}
    with running_server(model_dir, env=env) as running:
        yield running


@pytest.fixture(scope="module")
def aws_server(tmp_path_factory):
    model_dir = model_dir_with(tmp_path_factory.mktemp("aws-style-model"), AWS_STYLE)
    with running_server(model_dir) as running:
        yield running


def test_ping_is_ready_and_info_describes_the_worker(server):
    ping = server.client.get("/ping")
    assert (ping.status_code, ping.json()) == (200, {"status": "Healthy"})
    info = server.client.get("/info").json()
    assert info["state"] == "ready"
    assert info["hooks"] == ["model_fn"]
    assert [worker["state"] for worker in info["workers"]] == ["ready"]


def test_execution_parameters_for_batch_transform(server):
    response = server.client.get("/execution-parameters")
    assert response.json() == {
        "MaxConcurrentTransforms": 1,
        "BatchStrategy": "MULTI_RECORD",
        "MaxPayloadInMB": 1,
    }


def test_json_with_a_charset_round_trips(server):
    response = server.client.post(
        "/invocations",
        content=json.dumps({"inputs": "héllo", "parameters": {"top_k": 2}}).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"inputs": "héllo", "parameters": {"top_k": 2}}


def test_csv_in_and_out(server):
    response = server.client.post(
        "/invocations",
        content=b"inputs\nfirst\nsecond\n",
        headers={"Content-Type": "text/csv", "Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv"
    assert response.text == 'inputs,parameters\r\n"[""first"",""second""]",{}\r\n'


def test_nan_becomes_null(server):
    response = server.client.post("/invocations", json={"inputs": "x", "parameters": {"action": "nan"}})
    assert response.json() == {"score": None}


@pytest.mark.parametrize(
    ("content_type", "accept"),
    [
        ("application/jsonlines", None),
        ("application/x-jsonlines", "application/jsonlines"),
        ("application/json", None),
    ],
)
def test_multi_record_bodies_answer_one_line_per_line_in_order(server, content_type, accept):
    lines = [json.dumps({"inputs": f"record {n}"}) for n in range(6)]
    headers = {"Content-Type": content_type} | ({"Accept": accept} if accept else {})
    response = server.client.post("/invocations", content="\n".join(lines).encode(), headers=headers)
    assert response.status_code == 200, response.text
    answers = [json.loads(line) for line in response.text.split("\n")]
    assert [answer["inputs"] for answer in answers] == [f"record {n}" for n in range(6)]
    expected_type = "application/json" if content_type == "application/json" else (accept or content_type)
    assert response.headers["content-type"] == expected_type


ERROR_CASES = [
    # (id, body, headers, status, type, message fragment)
    (
        "bad json",
        b'{"inputs": ',
        {"Content-Type": "application/json"},
        400,
        "BadInputError",
        "line 1 column 12",
    ),
    (
        "parameters not an object",
        b'{"inputs": "x", "parameters": [1]}',
        {},
        400,
        "BadInputError",
        '"parameters" must be an object',
    ),
    (
        "csv header",
        b"text\nhi\n",
        {"Content-Type": "text/csv"},
        400,
        "BadInputError",
        "must name an 'inputs' column",
    ),
    ("bad q", b"{}", {"Accept": "application/json;q=x"}, 400, "BadInputError", "quality value 'x'"),
    ("accept", b"{}", {"Accept": "text/html"}, 406, "NotAcceptableError", "accept one of: application/json"),
    ("image accept", b"{}", {"Accept": "image/png"}, 406, "NotAcceptableError", "not an image, so image/png"),
    (
        "records as csv",
        b"{}\n{}",
        {"Content-Type": "application/jsonlines", "Accept": "text/csv"},
        406,
        "NotAcceptableError",
        "application/jsonlines",
    ),
    (
        "content type",
        b"<a/>",
        {"Content-Type": "application/xml"},
        415,
        "UnsupportedMediaTypeError",
        "send one of: application/json",
    ),
    (
        "malformed content type",
        b"{}",
        {"Content-Type": "json"},
        415,
        "UnsupportedMediaTypeError",
        "type/subtype",
    ),
    (
        "model raises",
        b'{"inputs": "x", "parameters": {"action": "fail"}}',
        {},
        500,
        "ModelError",
        "the model returned by model_fn raised ValueError: the model failed on purpose",
    ),
]


@pytest.mark.parametrize(
    ("body", "headers", "status", "kind", "fragment"),
    [c[1:] for c in ERROR_CASES],
    ids=[c[0] for c in ERROR_CASES],
)
def test_errors_have_the_right_status_and_an_actionable_body(server, body, headers, status, kind, fragment):
    headers = {"Content-Type": "application/json"} | headers
    response = server.client.post("/invocations", content=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()
    assert set(error) == {"code", "type", "message"}
    assert (error["code"], error["type"]) == (status, kind)
    assert fragment in error["message"]
    assert "Traceback" not in error["message"]


def test_a_model_failure_logs_the_traceback(server):
    server.client.post("/invocations", json={"inputs": "x", "parameters": {"action": "fail"}})
    log = server.wait_for_log("ValueError: the model failed on purpose")
    assert "Traceback (most recent call last)" in log


def test_a_body_over_the_limit_is_413_by_content_length(server):
    response = server.client.post(
        "/invocations", content=b"x" * (1024 * 1024 + 1), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["type"] == "PayloadTooLargeError"
    assert "SAGEMAKER_MAX_PAYLOAD_IN_MB=1" in response.json()["message"]


def test_a_chunked_body_over_the_limit_is_413_while_reading(server):
    def chunks():
        yield b"x" * (600 * 1024)
        yield b"x" * (600 * 1024)

    with httpx.Client(base_url=server.url, timeout=30) as client:
        response = client.post("/invocations", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "over the limit of 1048576 bytes" in response.json()["message"]


def test_large_refused_bodies_still_get_their_error_response(server):
    # The server answers before reading the body; it must still read it, or the client
    # would see a connection reset instead of the 415.
    body = b"<x/>" * (200 * 1024)
    for _ in range(5):
        response = server.client.post(
            "/invocations", content=body, headers={"Content-Type": "application/xml"}
        )
        assert response.status_code == 415


def test_concurrent_requests_each_get_their_own_answer(server):
    def call(n: int) -> object:
        return server.client.post("/invocations", json={"inputs": n}).json()["inputs"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(call, range(24))) == list(range(24))


def test_one_log_line_per_request_with_phases(server):
    body = b'{"inputs": "logged"}'
    response = server.client.post(
        "/invocations",
        content=body,
        headers={"Accept": "application/json;q=0.9", "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    line = server.wait_until(
        lambda: next(
            (ln for ln in server.log_text().splitlines() if "accept=application/json;q=0.9" in ln), None
        ),
        what="the request's log line",
    )
    for part in (
        " 200 ",
        "content_type=application/json",
        f"bytes={len(body)}",
        "queue=",
        "decode=",
        "predict=",
        "encode=",
    ):
        assert part in line
    assert "logged" not in line  # bodies are never logged


def test_the_token_never_reaches_responses_or_logs(server):
    leak = server.client.post("/invocations", json={"inputs": "x", "parameters": {"action": "leak"}})
    assert leak.status_code == 500
    assert "the token is ***" in leak.json()["message"]
    for response in (leak, server.client.get("/info"), server.client.get("/ping")):
        assert SECRET not in response.text
    log = server.wait_for_log("the token is ***")
    assert SECRET not in log


# ---------------------------------------------------------------- the AWS-style script


def test_aws_style_script_runs_unchanged(aws_server):
    response = aws_server.client.post("/invocations", json={"inputs": "I love it"})
    assert response.status_code == 200, response.text
    assert response.json() == [{"label": "POSITIVE", "text": "I love it", "gpu_id": None}]
    as_csv = aws_server.client.post("/invocations", json={"inputs": "ok"}, headers={"Accept": "text/csv"})
    assert (as_csv.headers["content-type"], as_csv.text) == (
        "text/csv",
        "label,text,gpu_id\r\nPOSITIVE,ok,\r\n",
    )


def test_aws_style_script_errors_keep_their_status(aws_server):
    unreadable = aws_server.client.post(
        "/invocations", content=b"<a/>", headers={"Content-Type": "application/xml"}
    )
    assert (unreadable.status_code, unreadable.json()["type"]) == (415, "UnsupportedMediaTypeError")
    unwritable = aws_server.client.post("/invocations", json={"inputs": "x"}, headers={"Accept": "image/png"})
    assert (unwritable.status_code, unwritable.json()["type"]) == (406, "NotAcceptableError")
