"""SDK v2's generic ``Predictor``: call a deployed endpoint by name, with any (de)serializer.

It uses only boto3's method names and shapes on ``session.sagemaker_runtime_client`` and
``session.sagemaker_client``, so the same code serves AWS and local mode. As in v2, it
is also importable as ``sagemaker_hf.Predictor`` and from ``sagemaker_hf.hosting.predictor``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from sagemaker_hf._validation import checked_arguments
from sagemaker_hf.hosting.response_stream import TokenIterator
from sagemaker_hf.serializers import BytesDeserializer, IdentitySerializer

EVENT_STREAM = "text/event-stream"


@runtime_checkable
class SerializerLike(Protocol):
    """A request serializer, as SDK v2 used one: ``CONTENT_TYPE`` and ``serialize(data)``."""

    CONTENT_TYPE: Any

    def serialize(self, data: Any) -> Any: ...


@runtime_checkable
class DeserializerLike(Protocol):
    """A response deserializer, as SDK v2 used one: ``ACCEPT`` and ``deserialize(stream, content_type)``."""

    ACCEPT: Any

    def deserialize(self, stream: Any, content_type: Any) -> Any: ...


def _header(value: str | tuple[str, ...] | list[str]) -> str:
    return value if isinstance(value, str) else ", ".join(value)


def _asking_for_a_stream(data: Any, content_type: str) -> Any:
    """``data`` with ``"stream": true`` when it is a JSON object that does not say: the OpenAI
    servers (vLLM, SGLang, TGI's Messages API) and TGI's generate stream only when asked in
    the body, and ignore ``Accept``."""
    if isinstance(data, dict) and "stream" not in data and "json" in content_type.lower():
        return {**data, "stream": True}
    return data


class Predictor:
    """Real-time inference against a SageMaker endpoint (SDK v2's ``sagemaker.predictor.Predictor``).

    Bytes in, bytes out by default (``IdentitySerializer``, ``BytesDeserializer``), as v2;
    :class:`HuggingFacePredictor` is the JSON-default specialisation. ``component_name``
    names an inference component of the endpoint (sent as ``InferenceComponentName``).
    """

    @checked_arguments("Predictor")
    def __init__(
        self,
        endpoint_name: str,
        sagemaker_session: Any = None,
        serializer: SerializerLike | None = None,
        deserializer: DeserializerLike | None = None,
        component_name: str | None = None,
    ) -> None:
        from sagemaker_hf.session import Session

        self.endpoint_name = endpoint_name
        self.sagemaker_session = sagemaker_session or Session()
        self.serializer = serializer or self.default_serializer()
        self.deserializer = deserializer or self.default_deserializer()
        self.component_name = component_name
        self._content_type: str | None = None
        self._accept: str | tuple[str, ...] | None = None
        self._model_names: list[str] | None = None

    @staticmethod
    def default_serializer() -> SerializerLike:
        return IdentitySerializer()

    @staticmethod
    def default_deserializer() -> DeserializerLike:
        return BytesDeserializer()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint_name={self.endpoint_name!r})"

    @property
    def content_type(self) -> str:
        """The request's ContentType: set here, else the serializer's ``CONTENT_TYPE``."""
        return self._content_type or self.serializer.CONTENT_TYPE

    @content_type.setter
    def content_type(self, value: str) -> None:
        self._content_type = value

    @property
    def accept(self) -> str | tuple[str, ...]:
        """The request's Accept: set here, else the deserializer's ``ACCEPT``."""
        return self._accept or self.deserializer.ACCEPT

    @accept.setter
    def accept(self, value: str | tuple[str, ...]) -> None:
        self._accept = value

    def _request(
        self,
        initial_args: dict[str, Any] | None,
        target_model: str | None,
        target_variant: str | None,
        inference_id: str | None,
        custom_attributes: str | None,
        component_name: str | None = None,
    ) -> dict[str, Any]:
        """InvokeEndpoint arguments, as SDK v2 builds them: ``initial_args`` wins over the default
        content types, and an explicit argument (``custom_attributes=``...) wins over both."""
        optional = {
            "TargetModel": target_model,
            "TargetVariant": target_variant,
            "InferenceId": inference_id,
            "CustomAttributes": custom_attributes,
            "InferenceComponentName": component_name or self.component_name,
        }
        request = {
            "EndpointName": self.endpoint_name,
            "ContentType": _header(self.content_type),
            "Accept": _header(self.accept),
            **(initial_args or {}),
        }
        request.update({key: value for key, value in optional.items() if value is not None})
        return request

    @checked_arguments("Predictor.predict")
    def predict(
        self,
        data: Any,
        initial_args: dict[str, Any] | None = None,
        target_model: str | None = None,
        target_variant: str | None = None,
        inference_id: str | None = None,
        custom_attributes: str | None = None,
        component_name: str | None = None,
    ) -> Any:
        """Serialize ``data``, invoke the endpoint, and deserialize the response."""
        request = self._request(
            initial_args, target_model, target_variant, inference_id, custom_attributes, component_name
        )
        request["Body"] = self.serializer.serialize(data)
        response = self.sagemaker_session.sagemaker_runtime_client.invoke_endpoint(**request)
        content_type = response.get("ContentType", "application/octet-stream")
        return self.deserializer.deserialize(response["Body"], content_type)

    @checked_arguments("Predictor.predict_stream")
    def predict_stream(
        self,
        data: Any,
        initial_args: dict[str, Any] | None = None,
        target_variant: str | None = None,
        inference_id: str | None = None,
        custom_attributes: str | None = None,
        iterator: Callable[[Any], Any] = TokenIterator,
        component_name: str | None = None,
    ) -> Any:
        """Serialize ``data``, invoke the endpoint with a streamed response
        (``InvokeEndpointWithResponseStream``), and return ``iterator(response["Body"])``.

        By default it yields the text of each generated token as it arrives, for a
        text-generation model: TGI's token events (the sagemaker-hf toolkit, TGI's generate)
        and OpenAI chat completion chunks (TGI's Messages API, vLLM, SGLang) alike::

            for text in predictor.predict_stream({"inputs": "Once upon a time"}):
                print(text, end="", flush=True)
            for text in predictor.predict_stream({"messages": [{"role": "user", "content": "Hi"}]}):
                print(text, end="", flush=True)

        How it asks for a stream: ``Accept: text/event-stream`` (unless ``initial_args`` names
        an Accept), and, when ``data`` is a dict sent as JSON without a ``"stream"`` key,
        ``"stream": true`` at the top level of the body. Every LLM image reads that field
        (TGI's generate and Messages API, vLLM, SGLang, the toolkit); nothing is added
        inside ``parameters``, where TGI's generate would refuse it. A ``"stream"`` the caller
        set is sent as it is.

        Other iterators in :mod:`sagemaker_hf.hosting.response_stream`: ``EventIterator`` (each
        event's data), ``LineIterator``, ``ByteIterator`` (each part's bytes, as SDK v2).
        """
        request = self._request(
            initial_args, None, target_variant, inference_id, custom_attributes, component_name
        )
        if "Accept" not in (initial_args or {}):
            request["Accept"] = EVENT_STREAM
        request["Body"] = self.serializer.serialize(_asking_for_a_stream(data, request["ContentType"]))
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

    @checked_arguments("Predictor.delete_endpoint")
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

    @checked_arguments("Predictor.update_endpoint")
    def update_endpoint(
        self,
        initial_instance_count: int | None = None,
        instance_type: str | None = None,
        accelerator_type: str | None = None,
        model_name: str | None = None,
        tags: dict[str, str] | list[dict[str, str]] | None = None,
        kms_key: str | None = None,
        data_capture_config_dict: dict[str, Any] | None = None,
        max_instance_count: int | None = None,
        min_instance_count: int | None = None,
        wait: bool = True,
    ) -> None:
        """Move the endpoint to a new endpoint config: the current one with the changes given.

        As SDK v2: ``instance_type`` with ``initial_instance_count`` (and optionally another
        ``model_name``) replace the production variant; ``tags``, ``kms_key`` and
        ``data_capture_config_dict`` replace the config's; the rest is copied.
        """
        from sagemaker_hf.hosting.endpoint_update import VariantChange, update_endpoint

        change = VariantChange(
            initial_instance_count,
            instance_type,
            accelerator_type,
            model_name,
            max_instance_count,
            min_instance_count,
        )
        new_models = update_endpoint(
            self.sagemaker_session, self.endpoint_name, change, tags, kms_key, data_capture_config_dict, wait
        )
        if new_models is not None:
            self._model_names = new_models

    @checked_arguments("Predictor.enable_autoscaling")
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
        from sagemaker_hf.hosting.autoscaling import enable_autoscaling

        return enable_autoscaling(
            self,
            max_capacity=max_capacity,
            target_invocations_per_instance=target_invocations_per_instance,
            min_capacity=min_capacity,
            scale_in_cooldown=scale_in_cooldown,
            scale_out_cooldown=scale_out_cooldown,
            variant_name=variant_name,
        )
