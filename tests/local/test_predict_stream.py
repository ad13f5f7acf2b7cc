"""predict_stream in local mode: a tiny GPT-2 deployed with instance_type="local" streams
its tokens through LocalRuntimeClient.invoke_endpoint_with_response_stream."""

from __future__ import annotations

import contextlib

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.hosting.response_stream import EventIterator
from tests.fixtures.local_mode import LOCAL_VERSIONS
from tests.local.conftest import error_code

pytestmark = pytest.mark.slow

PARAMETERS = {"max_new_tokens": 10, "do_sample": False}


@pytest.fixture(scope="module")
def predictor(local_home, tiny_models):
    model = HuggingFaceModel(model_data=str(tiny_models["text-generation"]), **LOCAL_VERSIONS)
    predictor = model.deploy(initial_instance_count=1, instance_type="local")
    try:
        yield predictor
    finally:
        with contextlib.suppress(ClientError):
            predictor.delete_endpoint()


def test_predict_stream_yields_the_generated_tokens(predictor):
    tokens = list(predictor.predict_stream({"inputs": "Once upon a time", "parameters": PARAMETERS}))
    assert len(tokens) == 10 and all(isinstance(token, str) and token for token in tokens)
    whole = predictor.predict({"inputs": "Once upon a time", "parameters": PARAMETERS})
    assert "Once upon a time" + "".join(tokens) == whole[0]["generated_text"]


def test_the_raw_response_has_boto3_shape(predictor):
    client = predictor.sagemaker_session.sagemaker_runtime_client
    response = client.invoke_endpoint_with_response_stream(
        EndpointName=predictor.endpoint_name,
        Body=b'{"inputs": "Hi", "parameters": {"max_new_tokens": 3, "do_sample": false}, "stream": true}',
        ContentType="application/json",
    )
    assert response["ContentType"].startswith("text/event-stream")
    assert response["InvokedProductionVariant"] == "AllTraffic"
    parts = [event["PayloadPart"]["Bytes"] for event in response["Body"]]
    assert parts and all(isinstance(part, bytes) for part in parts)
    events = list(EventIterator({"PayloadPart": {"Bytes": part}} for part in parts))
    assert [event["index"] for event in events] == [1, 2, 3, 4]
    assert events[-1]["generated_text"].startswith("Hi")


def test_a_refused_stream_is_a_model_error_before_any_token(predictor):
    with pytest.raises(ClientError) as caught:
        predictor.predict_stream({"inputs": "Hi", "parameters": {"num_beams": 2, "do_sample": False}})
    assert error_code(caught.value) == "ModelError"
    assert caught.value.response["OriginalStatusCode"] == 400
    assert "num_beams" in caught.value.response["OriginalMessage"]
