"""Which API each image family's container serves (image_uris/_serving_apis.json), by image URI."""

from __future__ import annotations

import pytest

from sagemaker_hf import image_uris
from sagemaker_hf.errors import UnsupportedValueError
from sagemaker_hf.image_uris.serving_apis import (
    NotServedLocallyError,
    apis_by_repository,
    serving_api,
    serving_apis,
)

# The repositories of the images, as ECR names them, and the API their container serves.
EXPECTED = {
    "huggingface-pytorch-inference": "toolkit",
    "huggingface-tensorflow-inference": "toolkit",
    "huggingface-pytorch-inference-neuron": "toolkit",
    "huggingface-pytorch-inference-neuronx": "toolkit",
    "huggingface-pytorch-tgi-inference": "tgi",  # TGI on GPU and on Inferentia 2
    "tei": "tei",
    "tei-cpu": "tei",
    "huggingface-vllm": "vllm",
    "huggingface-vllm-inference-neuronx": "vllm",
    "huggingface-vllm-omni": "vllm",
    "huggingface-sglang": "sglang",
}


def test_every_family_has_an_api_and_the_repositories_theirs():
    assert set(serving_apis().apis) == set(image_uris.list_frameworks())
    found = {repository: api for repository, (_, api) in apis_by_repository().items()}
    assert {repository: found[repository] for repository in EXPECTED} == EXPECTED


@pytest.mark.parametrize(
    ("backend", "api"),
    [
        ("huggingface", "tgi"),
        ("huggingface-neuronx", "tgi"),
        ("huggingface-tei", "tei"),
        ("huggingface-tei-cpu", "tei"),
        ("huggingface-vllm", "vllm"),
        ("huggingface-vllm-neuronx", "vllm"),
        ("huggingface-sglang", "sglang"),
    ],
)
def test_each_llm_image_serves_its_api(backend, api):
    uri = image_uris.get_huggingface_llm_image_uri(backend, region="eu-west-1")
    assert serving_api(uri) == api
    digest = uri.rsplit(":", 1)[0] + "@sha256:" + "0" * 64  # pinned by digest
    assert serving_api(digest) == api


def test_the_base_image_serves_the_toolkit_and_a_custom_image_nothing():
    base = image_uris.huggingface_image_uri(
        "us-east-1", "4.49", pytorch_version="2.6", py_version="py312", instance_type="ml.m5.xlarge"
    )
    assert serving_api(base) == "toolkit"
    assert serving_api("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-own-server:latest") is None
    assert serving_api(None) is None


@pytest.mark.parametrize("backend", ["huggingface-llamacpp", "lmi"])
def test_an_image_local_mode_cannot_stand_in_for_says_so(backend):
    uri = image_uris.get_huggingface_llm_image_uri(backend, region="us-east-1", instance_type="ml.m5.xlarge")
    with pytest.raises(NotServedLocallyError) as caught:
        serving_api(uri)
    assert isinstance(caught.value, UnsupportedValueError) and isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert uri in message and "Deploy this image on SageMaker" in message
    assert "get_huggingface_llm_image_uri('huggingface')" in message
