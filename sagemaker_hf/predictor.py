"""Predictors: call a deployed endpoint, in real time or asynchronously through S3.

They use only boto3's method names and shapes on ``session.sagemaker_runtime_client``
and ``session.sagemaker_client``, so the same code serves AWS and local mode.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from sagemaker_hf import storage
from sagemaker_hf.errors import (
    AsyncInferenceModelError,
    ConfigurationError,
    PollingTimeoutError,
    UnexpectedClientError,
    WaitTimeoutError,
)
from sagemaker_hf.names import timestamp
from sagemaker_hf.response_stream import TokenIterator
from sagemaker_hf.serializers import BaseDeserializer, BaseSerializer, JSONDeserializer, JSONSerializer
from sagemaker_hf.waiting import SYSTEM_CLOCK, Backoff, Clock, Probe, poll

EVENT_STREAM = "text/event-stream"


class HuggingFacePredictor:
    """Real-time inference against a SageMaker endpoint (JSON in, JSON out by default)."""

    def __init__(
        self,
        endpoint_name: str,
        sagemaker_session: Any = None,
        serializer: BaseSerializer | None = None,
        deserializer: BaseDeserializer | None = None,
    ) -> None:
        from sagemaker_hf.session import Session

        self.endpoint_name = endpoint_name
        self.sagemaker_session = sagemaker_session or Session()
        self.serializer = serializer or JSONSerializer()
        self.deserializer = deserializer or JSONDeserializer()
        self._model_names: list[str] | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint_name={self.endpoint_name!r})"

    @property
    def content_type(self) -> str:
        return self.serializer.CONTENT_TYPE

    @property
    def accept(self) -> tuple[str, ...]:
        return self.deserializer.ACCEPT

    def _request(
        self,
        initial_args: dict[str, Any] | None,
        target_model: str | None,
        target_variant: str | None,
        inference_id: str | None,
        custom_attributes: str | None,
    ) -> dict[str, Any]:
        """InvokeEndpoint arguments; ``initial_args`` wins over the defaults it repeats."""
        optional = {
            "TargetModel": target_model,
            "TargetVariant": target_variant,
            "InferenceId": inference_id,
            "CustomAttributes": custom_attributes,
        }
        request = {
            "EndpointName": self.endpoint_name,
            "ContentType": self.content_type,
            "Accept": ", ".join(self.accept),
            **{key: value for key, value in optional.items() if value is not None},
        }
        request.update(initial_args or {})
        return request

    def predict(
        self,
        data: Any,
        initial_args: dict[str, Any] | None = None,
        target_model: str | None = None,
        target_variant: str | None = None,
        inference_id: str | None = None,
        custom_attributes: str | None = None,
    ) -> Any:
        """Serialize ``data``, invoke the endpoint, and deserialize the response."""
        request = self._request(initial_args, target_model, target_variant, inference_id, custom_attributes)
        request["Body"] = self.serializer.serialize(data)
        response = self.sagemaker_session.sagemaker_runtime_client.invoke_endpoint(**request)
        return self.deserializer.deserialize(response["Body"], response.get("ContentType"))

    def predict_stream(
        self,
        data: Any,
        initial_args: dict[str, Any] | None = None,
        target_variant: str | None = None,
        inference_id: str | None = None,
        custom_attributes: str | None = None,
        iterator: Callable[[Any], Any] = TokenIterator,
    ) -> Any:
        """Serialize ``data``, invoke the endpoint with a streamed response
        (``InvokeEndpointWithResponseStream``), and return ``iterator(response["Body"])``.

        By default it yields the text of each generated token as it arrives, for a
        text-generation model (server-sent events, as the sagemaker-hf toolkit and TGI send
        them; the request asks with ``Accept: text/event-stream``, and TGI containers also
        need ``"stream": True`` in ``data``)::

            for text in predictor.predict_stream({"inputs": "Once upon a time"}):
                print(text, end="", flush=True)

        Other iterators in :mod:`sagemaker_hf.response_stream`: ``EventIterator`` (each
        event's data), ``LineIterator``, ``ByteIterator`` (each part's bytes, as SDK v2).
        """
        request = self._request(initial_args, None, target_variant, inference_id, custom_attributes)
        if "Accept" not in (initial_args or {}):
            request["Accept"] = EVENT_STREAM
        request["Body"] = self.serializer.serialize(data)
        client = self.sagemaker_session.sagemaker_runtime_client
        response = client.invoke_endpoint_with_response_stream(**request)
        return iterator(response["Body"])

    def _endpoint_config_name(self) -> str:
        client = self.sagemaker_session.sagemaker_client
        return client.describe_endpoint(EndpointName=self.endpoint_name)["EndpointConfigName"]

    def _remember_model_names(self, endpoint_config_name: str) -> list[str]:
        client = self.sagemaker_session.sagemaker_client
        config = client.describe_endpoint_config(EndpointConfigName=endpoint_config_name)
        self._model_names = [variant["ModelName"] for variant in config["ProductionVariants"]]
        return self._model_names

    def delete_endpoint(self, delete_endpoint_config: bool = True) -> None:
        """Delete the endpoint and (by default) its endpoint config."""
        client = self.sagemaker_session.sagemaker_client
        config_name = self._endpoint_config_name() if delete_endpoint_config else None
        if config_name is not None:
            # Kept so delete_model() still works once the config is gone.
            self._remember_model_names(config_name)
        client.delete_endpoint(EndpointName=self.endpoint_name)
        if config_name is not None:
            client.delete_endpoint_config(EndpointConfigName=config_name)

    def delete_model(self) -> None:
        """Delete the model(s) behind the endpoint (before or after ``delete_endpoint()``)."""
        names = self._model_names or self._remember_model_names(self._endpoint_config_name())
        for name in names:
            self.sagemaker_session.sagemaker_client.delete_model(ModelName=name)

    def enable_autoscaling(
        self,
        max_capacity: int,
        target_invocations_per_instance: float,
        min_capacity: int = 1,
        scale_in_cooldown: int = 300,
        scale_out_cooldown: int = 60,
        variant_name: str = "AllTraffic",
    ) -> str:
        """Target-tracking autoscaling on invocations per instance; returns the policy ARN."""
        from sagemaker_hf.autoscaling import enable_autoscaling

        return enable_autoscaling(
            self,
            max_capacity=max_capacity,
            target_invocations_per_instance=target_invocations_per_instance,
            min_capacity=min_capacity,
            scale_in_cooldown=scale_in_cooldown,
            scale_out_cooldown=scale_out_cooldown,
            variant_name=variant_name,
        )


@dataclass(frozen=True)
class WaiterConfig:
    """SDK v2's async waiter settings: ``max_attempts`` checks, ``delay`` seconds apart."""

    max_attempts: int = 60
    delay: float = 15

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.delay < 0:
            raise ConfigurationError(
                f"WaiterConfig(max_attempts={self.max_attempts}, delay={self.delay}): max_attempts must be "
                "at least 1 and delay at least 0."
            )


class AsyncInferenceResponse:
    """A pending asynchronous inference; ``get_result()`` waits for its output in S3."""

    def __init__(
        self,
        predictor_async: AsyncPredictor,
        output_path: str,
        failure_path: str | None,
        inference_id: str | None = None,
    ) -> None:
        self.predictor_async = predictor_async
        self.output_path = output_path
        self.failure_path = failure_path
        self.inference_id = inference_id
        self._result: Any = None
        self._has_result = False

    def _look(self, elapsed: float) -> Probe[Any]:
        from botocore.exceptions import ClientError

        try:
            return self._look_once()
        except ClientError as error:  # SDK v2 wrapped S3's other refusals (AccessDenied, ...) so
            raise UnexpectedClientError(str(error)) from error

    def _look_once(self) -> Probe[Any]:
        session = self.predictor_async.sagemaker_session
        if storage.exists(session, self.output_path):
            body = storage.read_bytes(session, self.output_path)
            return Probe(
                "done", done=True, value=self.predictor_async.deserializer.deserialize(io.BytesIO(body))
            )
        if self.failure_path and storage.exists(session, self.failure_path):
            content = storage.read_bytes(session, self.failure_path).decode("utf-8", errors="replace")
            raise AsyncInferenceModelError(self.failure_path, content)
        return Probe("running")

    def get_result(
        self,
        waiter_config: WaiterConfig | None = None,
        timeout: float | None = None,
        clock: Clock = SYSTEM_CLOCK,
        stream: TextIO | None = None,
    ) -> Any:
        """Wait for the result and return it deserialized.

        Waits up to ``waiter_config`` (checks ``delay`` seconds apart) or ``timeout``
        seconds; by default as long as SDK v2 (60 × 15 s), checking after 0.5 s and
        backing off to every 15 s; raises :class:`AsyncInferenceModelError` with the failure
        object's content if the request failed, :class:`PollingTimeoutError` (a
        ``WaitTimeoutError``, and SDK v2's class) if neither object appears in time.
        """
        if waiter_config is not None and not isinstance(waiter_config, WaiterConfig):
            raise ConfigurationError("waiter_config must be a sagemaker_hf.predictor.WaiterConfig.")
        if not self._has_result:
            config = waiter_config or WaiterConfig()
            backoff = Backoff(initial=config.delay, factor=1.0, maximum=config.delay)
            if waiter_config is None:
                # The same total wait as v2, but small requests finish in about a second:
                # look early, then back off to v2's delay.
                backoff = Backoff(initial=min(0.5, config.delay), factor=1.5, maximum=config.delay)
                timeout = config.max_attempts * config.delay if timeout is None else timeout
            started = clock.monotonic()
            try:
                self._result = poll(
                    self._look,
                    f"Async inference {self.output_path}",
                    timeout=timeout,
                    max_attempts=None if timeout is not None else config.max_attempts,
                    backoff=backoff,
                    clock=clock,
                    stream=stream,
                )
            except WaitTimeoutError as error:  # SDK v2's class, so v2's except clauses catch it
                raise PollingTimeoutError(str(error), self.output_path, clock.monotonic() - started) from None
            self._has_result = True
        return self._result


class AsyncPredictor:
    """Asynchronous inference: inputs go to S3, results come back through S3."""

    def __init__(self, predictor: HuggingFacePredictor, name: str | None = None) -> None:
        self.predictor = predictor
        self.endpoint_name = predictor.endpoint_name
        self.sagemaker_session = predictor.sagemaker_session
        self.serializer = predictor.serializer
        self.deserializer = predictor.deserializer
        self.name = name or predictor.endpoint_name

    def __repr__(self) -> str:
        return f"AsyncPredictor(endpoint_name={self.endpoint_name!r})"

    def _upload_input(self, data: Any) -> str:
        body = self.serializer.serialize(data)
        uri = self.sagemaker_session.artifact_uri(
            "async-endpoint-inputs", self.name, f"{timestamp()}-{uuid.uuid4()}"
        )
        payload = body.encode("utf-8") if isinstance(body, str) else body
        return storage.upload_bytes(
            self.sagemaker_session, payload, uri, content_type=self.serializer.CONTENT_TYPE
        )

    def predict_async(
        self,
        data: Any = None,
        input_path: str | None = None,
        initial_args: dict[str, Any] | None = None,
        inference_id: str | None = None,
    ) -> AsyncInferenceResponse:
        """Send a request (``data``, uploaded for you, or an existing ``input_path``) and return at once."""
        if (data is None) == (input_path is None):
            raise ConfigurationError("Pass exactly one of data= (uploaded for you) or input_path='s3://...'.")
        request = self.predictor._request(initial_args, None, None, inference_id, None)
        request["InputLocation"] = input_path or self._upload_input(data)
        response = self.sagemaker_session.sagemaker_runtime_client.invoke_endpoint_async(**request)
        return AsyncInferenceResponse(
            self, response["OutputLocation"], response.get("FailureLocation"), response.get("InferenceId")
        )

    def predict(
        self,
        data: Any = None,
        input_path: str | None = None,
        initial_args: dict[str, Any] | None = None,
        inference_id: str | None = None,
        waiter_config: WaiterConfig | None = None,
    ) -> Any:
        """``predict_async`` and wait for the result."""
        response = self.predict_async(data, input_path, initial_args, inference_id)
        return response.get_result(waiter_config)

    def delete_endpoint(self, delete_endpoint_config: bool = True) -> None:
        self.predictor.delete_endpoint(delete_endpoint_config)

    def delete_model(self) -> None:
        self.predictor.delete_model()
