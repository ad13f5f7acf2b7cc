"""Predictors against moto's sagemaker-runtime: serializer round trips, deletes, async results."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pytest

from sagemaker_hf import AsyncInferenceConfig, HuggingFaceModel, HuggingFacePredictor
from sagemaker_hf.errors import AsyncInferenceModelError, WaitTimeoutError
from sagemaker_hf.hosting.predictor import AsyncInferenceResponse, WaiterConfig
from sagemaker_hf.serializers import (
    BytesDeserializer,
    CSVSerializer,
    IdentitySerializer,
    JSONDeserializer,
    JSONSerializer,
    NumpyDeserializer,
    StringDeserializer,
)
from tests.sdk.conftest import HUB_ENV, VERSIONS, FakeClock

BUCKET = "sagemaker-us-east-1-123456789012"


def _deploy(session: Any, role: str, **arguments: Any) -> Any:
    model = HuggingFaceModel(role=role, env=HUB_ENV, sagemaker_session=session, **VERSIONS)
    return model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge", **arguments)


def _invoke_params(requests_log: Any) -> dict[str, Any]:
    return requests_log.one("InvokeEndpoint")


def test_json_round_trip(requests_log, moto_session, moto_role_arn, moto_results):
    predictor = _deploy(moto_session, moto_role_arn)
    answer_body = [{"label": "POSITIVE", "score": 0.99}]
    moto_results.queue({"Body": json.dumps(answer_body), "ContentType": "application/json"})

    result = predictor.predict({"inputs": "I love this", "vector": np.arange(3)})

    assert result == answer_body
    sent = _invoke_params(requests_log)
    assert sent["EndpointName"] == predictor.endpoint_name
    assert sent["ContentType"] == "application/json"
    assert sent["Accept"] == "application/json"
    assert json.loads(sent["Body"]) == {"inputs": "I love this", "vector": [0, 1, 2]}
    assert predictor.content_type == "application/json"
    assert predictor.accept == ("application/json",)


def test_messages_return_the_chat_completion_dict(requests_log, moto_session, moto_results):
    # TGI's Messages API (and vLLM, SGLang) answer a chat.completion: JSON, so the default
    # deserializer hands back the dict as the container sent it, usage and all.
    completion = {
        "object": "chat.completion",
        "id": "",
        "created": 1765000000,
        "model": "HuggingFaceTB/SmolLM2-135M-Instruct",
        "system_fingerprint": "3.3.6-sha-0000000",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Paris.", "tool_calls": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 16, "completion_tokens": 3, "total_tokens": 19},
    }
    moto_results.queue({"Body": json.dumps(completion), "ContentType": "application/json"})
    request = {"messages": [{"role": "user", "content": "Capital of France?"}], "max_tokens": 8}

    assert HuggingFacePredictor("tgi-endpoint", moto_session).predict(request) == completion
    sent = _invoke_params(requests_log)
    assert json.loads(sent["Body"]) == request  # sent as given: no "stream" outside predict_stream
    assert sent["ContentType"] == "application/json" and sent["Accept"] == "application/json"


def test_optional_invoke_fields(requests_log, moto_session, moto_role_arn, moto_results):
    predictor = HuggingFacePredictor("some-endpoint", moto_session)
    moto_results.queue({"Body": "{}", "ContentType": "application/json"})
    predictor.predict(
        {"inputs": "x"},
        initial_args={"Accept": "application/jsonlines"},
        target_variant="blue",
        inference_id="id-1",
        custom_attributes="trace=1",
    )
    sent = _invoke_params(requests_log)
    assert sent["Accept"] == "application/jsonlines"
    assert sent["TargetVariant"] == "blue"
    assert sent["InferenceId"] == "id-1"
    assert sent["CustomAttributes"] == "trace=1"
    assert "TargetModel" not in sent


def test_csv_round_trip(requests_log, moto_session, moto_results):
    predictor = HuggingFacePredictor(
        "csv-endpoint",
        moto_session,
        serializer=CSVSerializer(),
        deserializer=StringDeserializer(accept="text/csv"),
    )
    moto_results.queue({"Body": "0.1,0.9\n0.8,0.2", "ContentType": "text/csv"})
    assert predictor.predict([[1, 2], [3, 4]]) == "0.1,0.9\n0.8,0.2"
    sent = _invoke_params(requests_log)
    assert sent["Body"] == "1,2\n3,4"
    assert sent["ContentType"] == "text/csv"
    assert sent["Accept"] == "text/csv"


def test_numpy_round_trip(requests_log, moto_session, moto_results):
    # moto's server decodes every request body as UTF-8, so binary .npy bodies cannot
    # reach it; arrays travel as JSON here (the .npy pair is checked in test_serializers).
    predictor = HuggingFacePredictor(
        "npy-endpoint", moto_session, serializer=JSONSerializer(), deserializer=NumpyDeserializer()
    )
    moto_results.queue({"Body": json.dumps([[0.5, 1.5]]), "ContentType": "application/json"})
    array = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)

    result = predictor.predict(array)

    np.testing.assert_array_equal(result, np.array([[0.5, 1.5]]))
    sent = _invoke_params(requests_log)
    assert sent["Accept"] == "application/x-npy"
    assert json.loads(sent["Body"]) == [[1.0, 2.0], [3.0, 4.0]]


def test_bytes_round_trip(requests_log, moto_session, moto_results):
    predictor = HuggingFacePredictor(
        "bytes-endpoint",
        moto_session,
        serializer=IdentitySerializer("image/png"),
        deserializer=BytesDeserializer(),
    )
    moto_results.queue({"Body": "raw answer", "ContentType": "application/octet-stream"})
    assert predictor.predict(b"PNG-bytes") == b"raw answer"
    sent = _invoke_params(requests_log)
    assert sent["Body"] == b"PNG-bytes"
    assert sent["ContentType"] == "image/png"
    assert sent["Accept"] == "*/*"


def test_delete_endpoint_then_model(moto_session, moto_role_arn):
    predictor = _deploy(moto_session, moto_role_arn)
    client = moto_session.sagemaker_client
    predictor.delete_endpoint()
    assert client.list_endpoints()["Endpoints"] == []
    assert client.list_endpoint_configs()["EndpointConfigs"] == []
    assert len(client.list_models()["Models"]) == 1
    predictor.delete_model()  # still knows its model after the config is gone
    assert client.list_models()["Models"] == []


def test_delete_endpoint_keeping_config(moto_session, moto_role_arn):
    predictor = _deploy(moto_session, moto_role_arn)
    predictor.delete_model()
    predictor.delete_endpoint(delete_endpoint_config=False)
    client = moto_session.sagemaker_client
    assert client.list_endpoints()["Endpoints"] == []
    assert len(client.list_endpoint_configs()["EndpointConfigs"]) == 1
    assert client.list_models()["Models"] == []


def test_async_predict_uploads_input_and_returns_result(
    requests_log, moto_session, moto_role_arn, moto_results
):
    predictor = _deploy(moto_session, moto_role_arn, async_inference_config=AsyncInferenceConfig())
    moto_results.queue_async({"data": json.dumps({"embedding": [0.1, 0.2]})})

    response = predictor.predict_async({"inputs": "hello"}, inference_id="inf-1")

    assert isinstance(response, AsyncInferenceResponse)
    sent = requests_log.one("InvokeEndpointAsync")
    prefix = f"s3://{BUCKET}/async-endpoint-inputs/{predictor.endpoint_name}/"
    assert sent["InputLocation"].startswith(prefix)
    assert sent["InferenceId"] == "inf-1"
    assert "ContentType" not in sent  # as SDK v2: the stored input object carries its type
    assert sent["Accept"] == "application/json"
    key = sent["InputLocation"][len(f"s3://{BUCKET}/") :]
    stored = moto_session.s3_client.get_object(Bucket=BUCKET, Key=key)
    assert json.loads(stored["Body"].read()) == {"inputs": "hello"}
    assert stored["ContentType"] == "application/json"
    assert response.get_result(WaiterConfig(max_attempts=2, delay=1)) == {"embedding": [0.1, 0.2]}


def test_async_predict_with_existing_input_path(requests_log, moto_session, moto_results):
    from sagemaker_hf.hosting.predictor import AsyncPredictor

    moto_results.queue_async({"data": json.dumps([1, 2, 3])})
    predictor = AsyncPredictor(HuggingFacePredictor("async-ep", moto_session))
    assert predictor.predict(input_path="s3://inputs/request.json") == [1, 2, 3]
    sent = requests_log.one("InvokeEndpointAsync")
    assert sent["InputLocation"] == "s3://inputs/request.json"
    assert "ContentType" not in sent  # the serializer did not write that object: claim no type


def test_async_failure_raises_with_failure_content(moto_session, moto_results):
    from sagemaker_hf.hosting.predictor import AsyncPredictor

    moto_results.queue_async({"is_failure": True, "data": "CUDA out of memory"})
    response = AsyncPredictor(HuggingFacePredictor("async-ep", moto_session)).predict_async(
        input_path="s3://inputs/big.json"
    )
    with pytest.raises(AsyncInferenceModelError, match="CUDA out of memory") as raised:
        response.get_result()
    assert raised.value.failure_content == "CUDA out of memory"


def test_async_result_that_never_comes_times_out_without_sleeping(moto_session):
    from sagemaker_hf.hosting.predictor import AsyncPredictor

    moto_session.s3_client.create_bucket(Bucket="out")
    async_predictor = AsyncPredictor(HuggingFacePredictor("async-ep", moto_session))
    response = AsyncInferenceResponse(async_predictor, "s3://out/never.out", "s3://out/never.failure")
    clock, stream = FakeClock(), io.StringIO()
    with pytest.raises(WaitTimeoutError, match="3 checks"):
        response.get_result(WaiterConfig(max_attempts=3, delay=15), clock=clock, stream=stream)
    assert clock.sleeps == [15, 15]
    assert "s3://out/never.out: running" in stream.getvalue()


def test_async_predict_needs_exactly_one_input(moto_session):
    from sagemaker_hf.errors import ConfigurationError
    from sagemaker_hf.hosting.predictor import AsyncPredictor

    predictor = AsyncPredictor(HuggingFacePredictor("async-ep", moto_session))
    with pytest.raises(ConfigurationError, match="exactly one of data"):
        predictor.predict_async()
    with pytest.raises(ConfigurationError, match="exactly one of data"):
        predictor.predict_async({"inputs": "x"}, input_path="s3://a/b")


def test_default_serializers_are_json(moto_session):
    predictor = HuggingFacePredictor("ep", moto_session)
    assert isinstance(predictor.serializer, JSONSerializer)
    assert isinstance(predictor.deserializer, JSONDeserializer)
