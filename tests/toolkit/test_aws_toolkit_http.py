"""Over HTTP, what the AWS toolkit's own tests and users rely on: image answers from a
predict_fn that returns a PIL image, CSV answers with ``\\r\\n`` line ends, and scripts that
call ``decoder_encoder`` in their output_fn."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from tests.fixtures.toolkit_server import running_server
from tests.toolkit.test_server_http import model_dir_with

IMAGE_MODEL = """
from PIL import Image

def model_fn(model_dir):
    return None

def predict_fn(data, model):
    if data["inputs"] == "image":
        return Image.new("RGB", (4, 3), (255, 0, 0))
    if data["inputs"] == "transparent image":
        return Image.new("RGBA", (4, 3), (0, 0, 255, 128))
    return [{"label": "POSITIVE", "score": 0.5}, {"label": "NEGATIVE", "score": 0.25}]
"""

AWS_OUTPUT_FN = """
from PIL import Image
from sagemaker_huggingface_inference_toolkit import decoder_encoder

def model_fn(model_dir):
    return None

def predict_fn(data, model):
    return Image.new("L", (2, 2), 200)

def output_fn(prediction, accept):
    return decoder_encoder.encode(prediction, accept)
"""


@pytest.fixture(scope="module")
def image_server(tmp_path_factory):
    with running_server(model_dir_with(tmp_path_factory.mktemp("image-model"), IMAGE_MODEL)) as running:
        yield running


@pytest.fixture(scope="module")
def aws_output_server(tmp_path_factory):
    with running_server(model_dir_with(tmp_path_factory.mktemp("aws-output"), AWS_OUTPUT_FN)) as running:
        yield running


def post(server, inputs, accept):
    return server.client.post("/invocations", json={"inputs": inputs}, headers={"Accept": accept})


@pytest.mark.parametrize(
    ("accept", "content_type", "image_format"),
    [
        ("image/png", "image/png", "PNG"),
        ("image/jpeg", "image/jpeg", "JPEG"),
        ("image/webp", "image/webp", "WEBP"),
        ("image/tiff", "image/tiff", "TIFF"),
        ("image/x-image", "image/x-image", "PNG"),
        ("image/*", "image/png", "PNG"),
        ("image/png, application/json;q=0.5", "image/png", "PNG"),
    ],
)
def test_a_predict_fn_image_is_answered_in_the_accepted_format(
    image_server, accept, content_type, image_format
):
    response = post(image_server, "image", accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == content_type
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == (image_format, (4, 3))
    if image_format == "PNG":
        assert image.convert("RGB").getpixel((0, 0)) == (255, 0, 0)


def test_the_same_image_as_json_is_base64_png(image_server):
    response = post(image_server, "image", "application/json")
    assert response.status_code == 200
    image = Image.open(io.BytesIO(base64.b64decode(response.json())))
    assert (image.format, image.size) == ("PNG", (4, 3))


def test_a_prediction_that_is_not_an_image_is_406_after_the_model_ran(image_server):
    response = post(image_server, "labels", "image/png")
    assert response.status_code == 406
    body = response.json()
    assert body["type"] == "NotAcceptableError"
    # Said by the encoder, about the prediction: the model ran.
    assert "the prediction is a list, not an image, so image/png cannot hold it" in body["message"]
    assert post(image_server, "labels", "application/json").status_code == 200


def test_an_image_the_format_cannot_hold_is_406_naming_its_mode(image_server):
    response = post(image_server, "transparent image", "image/jpeg")
    assert (response.status_code, response.json()["type"]) == (406, "NotAcceptableError")
    assert "RGBA image cannot be written as image/jpeg" in response.json()["message"]
    assert post(image_server, "transparent image", "image/png").status_code == 200


def test_csv_answers_end_lines_with_crlf(image_server):
    response = post(image_server, "labels", "text/csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv"
    assert response.content == b"label,score\r\nPOSITIVE,0.5\r\nNEGATIVE,0.25\r\n"


def test_a_text_accept_the_server_cannot_write_is_still_refused_before_the_model(image_server):
    response = post(image_server, "image", "text/html")
    assert response.status_code == 406
    assert "accept one of: application/json" in response.json()["message"]


def test_an_aws_style_output_fn_answers_image_bytes(aws_output_server):
    response = post(aws_output_server, "anything", "image/png")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.mode, image.getpixel((1, 1))) == ("PNG", "L", 200)
