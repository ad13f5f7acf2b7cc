"""Predictors: call a deployed endpoint, in real time or asynchronously through S3.

They use only boto3's method names and shapes on ``session.sagemaker_runtime_client``
and ``session.sagemaker_client``, so the same code serves AWS and local mode. The
generic :class:`Predictor` lives in :mod:`sagemaker_hf.hosting.base_predictor` (as in SDK v2) and
is importable from here, so ``sagemaker.predictor.Predictor`` keeps working after
``import sagemaker_hf as sagemaker``.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any, TextIO

from sagemaker_hf import storage
from sagemaker_hf._validation import check_argument, checked_arguments
from sagemaker_hf.errors import (
    AsyncInferenceModelError,
    ConfigurationError,
    PollingTimeoutError,
    UnexpectedClientError,
    WaitTimeoutError,
)
from sagemaker_hf.hosting.base_predictor import DeserializerLike, Predictor, SerializerLike
from sagemaker_hf.names import timestamp
from sagemaker_hf.progress import SYSTEM_CLOCK, Clock
from sagemaker_hf.serializers import JSONDeserializer, JSONSerializer
from sagemaker_hf.waiting import Backoff, Probe, poll

__all__ = [
    "AsyncInferenceResponse",
    "AsyncPredictor",
    "DeserializerLike",
    "HuggingFacePredictor",
    "Predictor",
    "SerializerLike",
    "WaiterConfig",
    "deployed_predictor",
]


class HuggingFacePredictor(Predictor):
    """A :class:`Predictor` that sends and reads JSON by default (SDK v2's ``HuggingFacePredictor``)."""

    @checked_arguments("HuggingFacePredictor")
    def __init__(
        self,
        endpoint_name: str,
        sagemaker_session: Any = None,
        serializer: SerializerLike | None = None,
        deserializer: DeserializerLike | None = None,
        component_name: str | None = None,
    ) -> None:
        super().__init__(endpoint_name, sagemaker_session, serializer, deserializer, component_name)

    @staticmethod
    def default_serializer() -> SerializerLike:
        return JSONSerializer()

    @staticmethod
    def default_deserializer() -> DeserializerLike:
        return JSONDeserializer()


@dataclass(frozen=True)
class WaiterConfig:
    """SDK v2's async waiter settings: ``max_attempts`` checks, ``delay`` seconds apart."""

    max_attempts: int = 60
    delay: float = 15

    def __post_init__(self) -> None:
        check_argument("WaiterConfig", "max_attempts", self.max_attempts, int)
        check_argument("WaiterConfig", "delay", self.delay, float)
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
            raise ConfigurationError("waiter_config must be a sagemaker_hf.WaiterConfig.")
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

    @checked_arguments("AsyncPredictor")
    def __init__(self, predictor: Predictor, name: str | None = None) -> None:
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

    @checked_arguments("AsyncPredictor.predict_async")
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
        if "ContentType" not in (initial_args or {}):
            # As SDK v2: the input object is stored with its content type, and a request without
            # one (an input_path the serializer did not write) must not claim the serializer's.
            del request["ContentType"]
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


def deployed_predictor(
    predictor_cls: Any,
    endpoint_name: str,
    session: Any,
    serializer: SerializerLike | None,
    deserializer: DeserializerLike | None,
    is_async: bool,
) -> Any:
    """What deploy() returns, as SDK v2: ``predictor_cls(endpoint_name, session)`` with the
    given (de)serializer, wrapped in an :class:`AsyncPredictor` for async endpoints; None
    without a ``predictor_cls``."""
    if predictor_cls is None:
        return None
    predictor = predictor_cls(endpoint_name, session)
    if serializer is not None:
        predictor.serializer = serializer
    if deserializer is not None:
        predictor.deserializer = deserializer
    return AsyncPredictor(predictor, name=endpoint_name) if is_async else predictor
