"""Local mode serves the API of the image it stands in for: the toolkit process is started with
SAGEMAKER_HF_SERVING_API from the image URI's repository (TGI, TEI, vLLM, SGLang, the base
toolkit), the model's own value wins, a custom image gets the default, and an image local
mode cannot play (llama.cpp) fails the endpoint with a reason that says so."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import HuggingFaceModel, get_huggingface_llm_image_uri
from sagemaker_hf.errors import ResourceFailedError
from sagemaker_hf.local import processes
from tests.local.conftest import endpoint_record

pytestmark = pytest.mark.slow

VARIABLE = "SAGEMAKER_HF_SERVING_API"
CUSTOM_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-own-server:1.0"


def started_environment(session: Any, endpoint_name: str) -> dict[str, str]:
    """The environment the endpoint's server process was started with (Linux: /proc). Until the
    child has exec'd, /proc shows its parent's environment: wait for local mode's marker."""
    process = endpoint_record(session, endpoint_name).current.process
    found: dict[str, str] = {}

    def child_environment_visible() -> bool:
        raw = Path(f"/proc/{process.pid}/environ").read_bytes()
        found.clear()
        found.update(item.decode().partition("=")[::2] for item in raw.split(b"\0") if item)
        return processes.MARKER_VARIABLE in found

    assert processes.wait_until(child_environment_visible, timeout=10), "the server process never started"
    return found


@contextlib.contextmanager
def started(session: Any, model_dir: Path, image_uri: str, env: dict[str, str] | None = None):
    """A local endpoint of ``image_uri`` (not waited for: only its process matters); deleted after."""
    model = HuggingFaceModel(
        model_data=str(model_dir), image_uri=image_uri, env=env, sagemaker_session=session
    )
    predictor = model.deploy(initial_instance_count=1, instance_type="local", wait=False)
    try:
        yield predictor
    finally:
        with contextlib.suppress(ClientError):
            predictor.delete_endpoint()


@pytest.mark.parametrize(
    ("backend", "api"),
    [
        ("huggingface", "tgi"),
        ("huggingface-tei-cpu", "tei"),
        ("huggingface-vllm", "vllm"),
        ("huggingface-sglang", "sglang"),
    ],
)
def test_the_process_serves_the_api_of_the_image(local_session, tiny_models, backend, api):
    image = get_huggingface_llm_image_uri(backend, region="us-east-1")
    with started(local_session, tiny_models["text-generation"], image) as predictor:
        assert started_environment(local_session, predictor.endpoint_name)[VARIABLE] == api


def test_the_base_image_serves_the_toolkit_api(local_session, tiny_models, local_versions):
    model = HuggingFaceModel(model_data=str(tiny_models["text-generation"]), **local_versions)
    predictor = model.deploy(initial_instance_count=1, instance_type="local", wait=False)
    try:
        assert started_environment(local_session, predictor.endpoint_name)[VARIABLE] == "toolkit"
    finally:
        predictor.delete_endpoint()


def test_the_models_own_value_wins(local_session, tiny_models):
    image = get_huggingface_llm_image_uri("huggingface", region="us-east-1")
    with started(local_session, tiny_models["text-generation"], image, env={VARIABLE: "vllm"}) as predictor:
        assert started_environment(local_session, predictor.endpoint_name)[VARIABLE] == "vllm"


def test_a_custom_image_gets_the_toolkits_default(local_session, tiny_models, monkeypatch):
    monkeypatch.setenv(VARIABLE, "tgi")  # the host's value does not leak into the "container"
    with started(local_session, tiny_models["text-generation"], CUSTOM_IMAGE) as predictor:
        assert VARIABLE not in started_environment(local_session, predictor.endpoint_name)


def test_a_llamacpp_image_fails_the_endpoint_with_the_reason(local_session, tiny_models):
    image = get_huggingface_llm_image_uri(
        "huggingface-llamacpp", region="us-east-1", instance_type="ml.c7i.xlarge"
    )
    model = HuggingFaceModel(model_data=str(tiny_models["text-generation"]), image_uri=image)
    with pytest.raises(ResourceFailedError) as caught:
        model.deploy(initial_instance_count=1, instance_type="local", endpoint_name="llamacpp-here")
    try:
        assert "llama.cpp's own server" in str(caught.value) and image in str(caught.value)
        described = local_session.sagemaker_client.describe_endpoint(EndpointName="llamacpp-here")
        assert described["EndpointStatus"] == "Failed"
        assert "Deploy this image on SageMaker" in described["FailureReason"]
    finally:
        local_session.sagemaker_client.delete_endpoint(EndpointName="llamacpp-here")
