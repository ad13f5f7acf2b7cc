"""Hostile ``charset`` parameters over HTTP (issue 16, items 12 and 13).

A charset that is not a linear-time text encoding is a 415 naming it, never a 500; a
full-size punycode body (whose decoding is quadratic: hours for 6 MB) is refused before
any decoding, and the worker is free for the next request. Both paths are attacked: the
default decode step (refused by the front, before the body is read) and an input_fn (the
worker refuses before decoding the text it would hand to the hook).
"""

from __future__ import annotations

import pytest

from tests.fixtures.toolkit_server import running_server
from tests.toolkit.test_server_http import model_dir_with

DEFAULT_DECODE = """
def model_fn(model_dir):
    return lambda inputs, **parameters: {"echo": inputs}
"""

INPUT_FN = """
def model_fn(model_dir):
    return None

def input_fn(input_data, content_type):
    return {"text": input_data}

def predict_fn(data, model):
    return {"length": len(data["text"])}
"""

# One worker, so that a request holding it would starve the next; a request timeout the
# attack request's own deadline (below) is shorter than, so that a 504 cannot pass for an answer.
ENV = {"SAGEMAKER_MODEL_SERVER_WORKERS": "1", "SAGEMAKER_MODEL_SERVER_TIMEOUT": "30"}
ATTACK_DEADLINE_SECONDS = 20
NOT_TEXT = ["rot13", "zlib", "base64", "hex", "uu", "bz2", "undefined", "punycode", "idna", "klingon"]


@pytest.fixture(scope="module", params=["default decode", "input_fn"])
def server(request, tmp_path_factory):
    source = DEFAULT_DECODE if request.param == "default decode" else INPUT_FN
    with running_server(model_dir_with(tmp_path_factory.mktemp("charset"), source), env=ENV) as running:
        yield running


def punycode_attack(size: int) -> bytes:
    """A valid punycode body: decoding it costs time that grows with the square of its size."""
    half = (size - 1) // 3
    return b"x" * half + b"-" + b"ba" * half


@pytest.mark.parametrize("charset", NOT_TEXT)
def test_a_charset_that_is_not_a_text_encoding_is_415_naming_it(server, charset):
    response = server.client.post(
        "/invocations",
        content='{"inputs": "hello"}'.encode("ascii"),
        headers={"Content-Type": f"application/json; charset={charset}"},
    )
    assert response.status_code == 415, response.text
    body = response.json()
    assert body["type"] == "UnsupportedMediaTypeError"
    assert f"charset '{charset}'" in body["message"]


def test_a_full_size_punycode_body_is_refused_and_the_worker_stays_free(server):
    body = punycode_attack(6 * 1024 * 1024 - 4096)  # just under the default 6 MB limit
    response = server.client.post(
        "/invocations",
        content=body,
        headers={"Content-Type": "application/json; charset=punycode"},
        timeout=ATTACK_DEADLINE_SECONDS,
    )
    assert response.status_code == 415, response.text
    assert "charset 'punycode'" in response.json()["message"]
    assert server.client.get("/ping", timeout=ATTACK_DEADLINE_SECONDS).status_code == 200
    normal = server.client.post(
        "/invocations",
        content='{"inputs": "caf\u00e9"}'.encode("latin-1"),
        headers={"Content-Type": "application/json; charset=latin-1"},
        timeout=ATTACK_DEADLINE_SECONDS,
    )
    assert normal.status_code == 200, normal.text
    assert normal.json() in ({"echo": "caf\u00e9"}, {"length": len('{"inputs": "caf\u00e9"}')})
