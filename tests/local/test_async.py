"""Asynchronous inference locally: predict_async().get_result() unchanged, results in a local directory."""

from __future__ import annotations

import contextlib
import json

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import AsyncInferenceConfig, AsyncPredictor, HuggingFaceModel
from sagemaker_hf.errors import AsyncInferenceModelError
from tests.fixtures.local_mode import LOCAL_VERSIONS


@pytest.fixture(scope="module")
def async_predictor(local_home, tiny_models, tmp_path_factory):
    results = tmp_path_factory.mktemp("async-results")
    model = HuggingFaceModel(model_data=str(tiny_models["text-classification"]), **LOCAL_VERSIONS)
    predictor = model.deploy(
        initial_instance_count=1,
        instance_type="local",
        async_inference_config=AsyncInferenceConfig(
            output_path=str(results / "out"), failure_path=str(results / "failed")
        ),
    )
    try:
        yield predictor
    finally:
        with contextlib.suppress(ClientError):
            predictor.delete_endpoint()


def test_predict_async_get_result(async_predictor, local_home):
    assert isinstance(async_predictor, AsyncPredictor)
    response = async_predictor.predict_async({"inputs": "I love this movie!"})
    assert response.output_path.endswith(".out")
    # The input went to the local artifacts, as it would go to the default bucket.
    uploaded = list((local_home / "artifacts" / "async-endpoint-inputs").rglob("*"))
    assert any(
        json.loads(path.read_text()) == {"inputs": "I love this movie!"}
        for path in uploaded
        if path.is_file()
    )
    result = response.get_result(timeout=60)
    assert result[0]["label"] in {"NEGATIVE", "POSITIVE"}


def test_a_bad_input_writes_the_failure_object(async_predictor):
    response = async_predictor.predict_async({"wrong": "shape", "parameters": "not an object"})
    with pytest.raises(AsyncInferenceModelError) as raised:
        response.get_result(timeout=60)
    assert response.failure_path is not None and response.failure_path.endswith("-error.out")
    assert "Received client error (400)" in raised.value.failure_content
    assert "BadInputError" in raised.value.failure_content


def test_an_existing_input_location_and_inline_checks(async_predictor, tmp_path):
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"inputs": "fine"}))
    result = async_predictor.predict(input_path=str(request))
    assert result[0]["label"] in {"NEGATIVE", "POSITIVE"}
    runtime = async_predictor.sagemaker_session.sagemaker_runtime_client
    with pytest.raises(runtime.exceptions.ValidationError, match="exactly one of InputLocation or Body"):
        runtime.invoke_endpoint_async(EndpointName=async_predictor.endpoint_name)


def test_a_missing_input_is_a_failure_not_a_crash(async_predictor, tmp_path):
    runtime = async_predictor.sagemaker_session.sagemaker_runtime_client
    response = runtime.invoke_endpoint_async(
        EndpointName=async_predictor.endpoint_name, InputLocation=str(tmp_path / "missing.json")
    )
    assert set(response) >= {"InferenceId", "OutputLocation", "FailureLocation"}
    from sagemaker_hf.hosting.predictor import AsyncInferenceResponse

    pending = AsyncInferenceResponse(async_predictor, response["OutputLocation"], response["FailureLocation"])
    with pytest.raises(AsyncInferenceModelError, match="Could not read the input"):
        pending.get_result(timeout=60)
