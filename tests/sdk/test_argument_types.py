"""Every public argument of the hosting side is type checked (issue 16.19).

A wrong type is a ConfigurationError (a ValueError) naming the argument, the type given and
the type expected, raised before any request: never a TypeError, AttributeError or
"unhashable type" from deep inside.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sagemaker_hf import (
    AsyncInferenceConfig,
    DataCaptureConfig,
    HuggingFaceModel,
    HuggingFacePredictor,
    ServerlessInferenceConfig,
    TrainingCompilerConfig,
    Transformer,
    WaiterConfig,
)
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.hosting.autoscaling import enable_autoscaling
from sagemaker_hf.hosting.predictor import AsyncPredictor, Predictor
from tests.sdk.conftest import HUB_ENV, VERSIONS


def _model(session: Any) -> HuggingFaceModel:
    return HuggingFaceModel(
        role="arn:aws:iam::123456789012:role/r", env=HUB_ENV, sagemaker_session=session, **VERSIONS
    )


def _deploy(**arguments: Any) -> Callable[[Any], Any]:
    base = {"initial_instance_count": 1, "instance_type": "ml.m5.xlarge", "wait": False}
    return lambda session: _model(session).deploy(**{**base, **arguments})


def _transformer(**arguments: Any) -> Callable[[Any], Any]:
    return lambda session: Transformer(
        **{
            "model_name": "m",
            "instance_count": 1,
            "instance_type": "ml.m5.xlarge",
            "sagemaker_session": session,
        }
        | arguments
    )


def _transform(**arguments: Any) -> Callable[[Any], Any]:
    def call(session: Any) -> Any:
        transformer = Transformer("m", 1, "ml.m5.xlarge", sagemaker_session=session)
        return transformer.transform(**{"data": "s3://bucket/in", "wait": False} | arguments)

    return call


CASES = [
    # (call, argument, type given, type expected)
    (lambda s: HuggingFaceModel(role=123), "HuggingFaceModel(role=", "int 123", "str or None"),
    (lambda s: HuggingFaceModel(role="r", env=["A=1"], **VERSIONS), "env=", "list", "a dict or None"),
    (lambda s: HuggingFaceModel(role="r", model_data=5, **VERSIONS), "model_data=", "int 5", "str or"),
    (
        lambda s: HuggingFaceModel(role="r", dependencies="lib", **VERSIONS),
        "dependencies=",
        "str 'lib'",
        "a list",
    ),
    (lambda s: HuggingFaceModel(container_log_level="20", **VERSIONS), "container_log_level=", "str", "int"),
    (lambda s: HuggingFaceModel(name=["n"], **VERSIONS), "name=", "list", "str or None"),
    (
        lambda s: HuggingFaceModel(transformers_version=4.26, py_version="py39"),
        "transformers_version=",
        "float",
        "str",
    ),
    (_deploy(instance_type=["ml.m5.xlarge"]), "deploy(instance_type=", "list", "str or None"),
    (_deploy(initial_instance_count="1"), "deploy(initial_instance_count=", "str '1'", "int or None"),
    (_deploy(tags="team"), "deploy(tags=", "str 'team'", "a dict or a list of a dict or None"),
    (_deploy(serializer="json"), "deploy(serializer=", "str 'json'", "SerializerLike or None"),
    (_deploy(deserializer=dict), "deploy(deserializer=", "type", "DeserializerLike or None"),
    (_deploy(wait="yes"), "deploy(wait=", "str 'yes'", "bool"),
    (_deploy(volume_size=1.5), "deploy(volume_size=", "float 1.5", "int or None"),
    (_deploy(kms_key=1), "deploy(kms_key=", "int 1", "str or None"),
    (_deploy(endpoint_name=5), "deploy(endpoint_name=", "int 5", "str or None"),
    (_deploy(update_endpoint="no"), "deploy(update_endpoint=", "str 'no'", "bool or None"),
    (_deploy(inference_ami_version=2), "deploy(inference_ami_version=", "int 2", "str or None"),
    (_deploy(routing_config="RANDOM"), "deploy(routing_config=", "str", "a dict or None"),
    (
        _deploy(async_inference_config={"output_path": "s3://x"}),
        "async_inference_config=",
        "dict",
        "AsyncInferenceConfig",
    ),
    (lambda s: _model(s).transformer("1", "ml.m5.xlarge"), "transformer(instance_count=", "str '1'", "int"),
    (
        lambda s: _model(s).transformer(1, "ml.m5.xlarge", max_payload="6"),
        "max_payload=",
        "str '6'",
        "int or None",
    ),
    (
        lambda s: _model(s).register("application/json"),
        "register(content_types=",
        "str",
        "a list of str or None",
    ),
    (
        lambda s: _model(s).register(["a"], ["b"], "ml.m5.xlarge"),
        "register(inference_instances=",
        "str",
        "a list",
    ),
    (_transformer(instance_count="2"), "Transformer(instance_count=", "str '2'", "int"),
    (_transformer(env=["A=1"]), "Transformer(env=", "list", "a dict or None"),
    (_transformer(max_concurrent_transforms=1.0), "max_concurrent_transforms=", "float", "int or None"),
    (_transform(data=123), "transform(data=", "int 123", "str or"),
    (_transform(wait="no"), "transform(wait=", "str 'no'", "bool"),
    (_transform(content_type=["application/json"]), "transform(content_type=", "list", "str or None"),
    (_transform(model_client_config=["300"]), "transform(model_client_config=", "list", "a dict or None"),
    (lambda s: Transformer.attach(123, s), "attach(transform_job_name=", "int 123", "str"),
    (lambda s: HuggingFacePredictor(123, s), "HuggingFacePredictor(endpoint_name=", "int 123", "str"),
    (
        lambda s: HuggingFacePredictor("ep", s, serializer="json"),
        "serializer=",
        "str 'json'",
        "SerializerLike",
    ),
    (lambda s: Predictor("ep", s, component_name=5), "Predictor(component_name=", "int 5", "str or None"),
    (
        lambda s: Predictor("ep", s).predict(b"x", initial_args="x"),
        "predict(initial_args=",
        "str 'x'",
        "a dict",
    ),
    (lambda s: Predictor("ep", s).predict(b"x", target_variant=1), "predict(target_variant=", "int 1", "str"),
    (
        lambda s: Predictor("ep", s).delete_endpoint("yes"),
        "delete_endpoint(delete_endpoint_config=",
        "str",
        "bool",
    ),
    (
        lambda s: Predictor("ep", s).update_endpoint(initial_instance_count="2"),
        "initial_instance_count=",
        "str",
        "int",
    ),
    (lambda s: AsyncPredictor("ep"), "AsyncPredictor(predictor=", "str 'ep'", "Predictor"),
    (
        lambda s: enable_autoscaling("ep", max_capacity="3", target_invocations_per_instance=5, session=s),
        "max_capacity=",
        "str '3'",
        "int",
    ),
    (
        lambda s: ServerlessInferenceConfig(memory_size_in_mb="2048"),
        "ServerlessInferenceConfig(memory_size_in_mb=",
        "str '2048'",
        "int",
    ),
    (lambda s: ServerlessInferenceConfig(max_concurrency=5.0), "max_concurrency=", "float 5.0", "int"),
    (
        lambda s: AsyncInferenceConfig(output_path=5),
        "AsyncInferenceConfig(output_path=",
        "int 5",
        "str or None",
    ),
    (
        lambda s: AsyncInferenceConfig(notification_config="arn"),
        "notification_config=",
        "str 'arn'",
        "a dict or None",
    ),
    (
        lambda s: DataCaptureConfig(enable_capture="yes"),
        "DataCaptureConfig(enable_capture=",
        "str 'yes'",
        "bool",
    ),
    (
        lambda s: DataCaptureConfig(True, capture_options="REQUEST"),
        "capture_options=",
        "str 'REQUEST'",
        "a list of str",
    ),
    (lambda s: DataCaptureConfig(True, sampling_percentage="20"), "sampling_percentage=", "str '20'", "int"),
    (lambda s: TrainingCompilerConfig(enabled="no"), "TrainingCompilerConfig(enabled=", "str 'no'", "bool"),
    (lambda s: WaiterConfig(max_attempts="3"), "WaiterConfig(max_attempts=", "str '3'", "int"),
]


@pytest.mark.parametrize(("call", "named", "given", "expected"), CASES)
def test_a_wrong_type_is_named_before_any_request(requests_log, moto_session, call, named, given, expected):
    requests_log.sent.clear()
    with pytest.raises(ConfigurationError) as raised:
        call(moto_session)
    message = str(raised.value)
    assert named in message and f"got {given}" in message and f"expected {expected}" in message, message
    assert isinstance(raised.value, ValueError)
    assert requests_log.sent == []
