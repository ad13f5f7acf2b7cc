"""Predictors: predict() options, serializers, async predictions, deleting what was deployed."""

from __future__ import annotations

from sdk import (
    AsyncInferenceConfig,
    ByteIterator,
    BytesDeserializer,
    CSVSerializer,
    DataSerializer,
    HuggingFaceModel,
    HuggingFacePredictor,
    IdentitySerializer,
    JSONSerializer,
    NumpySerializer,
    Predictor,
    StringDeserializer,
    WaiterConfig,
)

from tests.parity.scenario import BUCKET, HUB, ROLE, VERSIONS, Case, scenario

ENDPOINT = "my-endpoint"


@scenario
def predict_json_by_endpoint_name(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint(ENDPOINT)
    predictor = HuggingFacePredictor(ENDPOINT)
    case.result("predict", predictor.predict({"inputs": "I love it", "parameters": {"top_k": 2}}))
    case.result("content_type", predictor.content_type)
    case.result("accept", predictor.accept)


@scenario
def predict_with_every_option(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint(ENDPOINT)
    predictor = HuggingFacePredictor(ENDPOINT)
    answer = predictor.predict(
        {"inputs": "I love it"},
        initial_args={"Accept": "application/json", "CustomAttributes": "from-initial-args"},
        target_variant="AllTraffic",
        inference_id="request-1",
        custom_attributes="trace=1",
    )
    case.result("predict", answer)


@scenario
def predict_stream_each_parts_bytes(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint(ENDPOINT)
    predictor = HuggingFacePredictor(ENDPOINT)
    parts = predictor.predict_stream({"inputs": "Once upon a time"}, iterator=ByteIterator)
    case.result("parts", list(parts))


@scenario
def predict_stream_with_stream_in_the_body(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint(ENDPOINT)
    predictor = HuggingFacePredictor(ENDPOINT)
    data = {"inputs": "Once upon a time", "parameters": {"max_new_tokens": 2}, "stream": True}
    case.result("parts", list(predictor.predict_stream(data, iterator=ByteIterator)))


@scenario
def predict_csv_serializer(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint(ENDPOINT)
    predictor = HuggingFacePredictor(ENDPOINT, serializer=CSVSerializer())
    case.result("predict", predictor.predict([[1, 2, 3], [4, 5, 6]]))


@scenario
def predict_bytes_identity_serializer(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint(ENDPOINT)
    case.aws.sagemaker.invoke_body = b"\x89PNG raw answer"
    predictor = HuggingFacePredictor(
        ENDPOINT, serializer=IdentitySerializer("image/png"), deserializer=BytesDeserializer()
    )
    case.result("predict", predictor.predict(b"\x89PNG fake image"))


@scenario
def predict_numpy_serializer_string_deserializer(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint(ENDPOINT)
    case.aws.sagemaker.invoke_body = b"plain text answer"
    predictor = HuggingFacePredictor(
        ENDPOINT, serializer=NumpySerializer(), deserializer=StringDeserializer()
    )
    case.result("predict", predictor.predict([[1.5, 2.5], [3.5, 4.5]]))


@scenario
def predict_json_serializer_explicit(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint(ENDPOINT)
    predictor = HuggingFacePredictor(ENDPOINT, serializer=JSONSerializer())
    case.result("predict", predictor.predict({"inputs": ["a", "b"]}))


@scenario
def predict_data_serializer_audio_file(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint(ENDPOINT)
    audio = case.work / "sample.flac"
    audio.write_bytes(b"fLaC fake audio")
    predictor = HuggingFacePredictor(ENDPOINT, serializer=DataSerializer(content_type="audio/x-audio"))
    case.result("predict", predictor.predict(str(audio)))


@scenario
def predict_generic_predictor(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint(ENDPOINT)
    predictor = Predictor(ENDPOINT, serializer=JSONSerializer(), deserializer=StringDeserializer())
    case.result("predict", predictor.predict({"inputs": "hello"}))


@scenario
def predict_missing_endpoint(case: Case) -> None:
    predictor = HuggingFacePredictor("no-such-endpoint")
    predictor.predict({"inputs": "hello"})


@scenario
def delete_endpoint_and_model(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    predictor = huggingface_model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
    predictor.delete_model()
    predictor.delete_endpoint()


@scenario
def delete_endpoint_keep_config(case: Case) -> None:
    case.aws.sagemaker.seed_endpoint(ENDPOINT)
    predictor = HuggingFacePredictor(ENDPOINT)
    predictor.delete_endpoint(delete_endpoint_config=False)


@scenario
def async_predict_and_get_result(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    config = AsyncInferenceConfig(output_path=f"s3://{BUCKET}/async/out")
    predictor = huggingface_model.deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge", async_inference_config=config
    )
    response = predictor.predict_async({"inputs": "I love it"}, inference_id="request-1")
    case.result("output_path", response.output_path)
    case.result("result", response.get_result(WaiterConfig(max_attempts=5, delay=1)))


@scenario
def async_predict_with_input_path(case: Case) -> None:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    config = AsyncInferenceConfig(output_path=f"s3://{BUCKET}/async/out")
    predictor = huggingface_model.deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge", async_inference_config=config
    )
    case.aws.put_object(f"s3://{BUCKET}/async/in/request.json", b'{"inputs": "hi"}')
    result = predictor.predict(input_path=f"s3://{BUCKET}/async/in/request.json")
    case.result("result", result)


def async_endpoint(case: Case) -> object:
    huggingface_model = HuggingFaceModel(env=HUB, role=ROLE, **VERSIONS)
    config = AsyncInferenceConfig(
        output_path=f"s3://{BUCKET}/async/out", failure_path=f"s3://{BUCKET}/async/failed"
    )
    return huggingface_model.deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge", async_inference_config=config
    )


@scenario
def async_result_is_a_failure(case: Case) -> None:
    case.aws.sagemaker.async_outcome = "error"
    predictor = async_endpoint(case)
    response = predictor.predict_async({"inputs": "I love it"})
    response.get_result(WaiterConfig(max_attempts=5, delay=1))


@scenario
def async_result_never_comes(case: Case) -> None:
    case.aws.sagemaker.async_outcome = "pending"
    predictor = async_endpoint(case)
    response = predictor.predict_async({"inputs": "I love it"})
    response.get_result(WaiterConfig(max_attempts=5, delay=1))
