"""``LocalRuntimeClient``: boto3's ``sagemaker-runtime`` client, sending to local endpoint processes.

``invoke_endpoint`` posts the body to the endpoint's ``/invocations`` over loopback HTTP
and answers with boto3's shape (``Body`` is a botocore ``StreamingBody``). A status
other than 2xx from the model is the runtime's ``ModelError``, worded as on AWS
("Received client error (400) from primary with message ...") with
``OriginalStatusCode`` and ``OriginalMessage``; the log pointer is the server's log file.
``invoke_endpoint_async`` queues the request (see :mod:`~sagemaker_hf.local.async_inference`).
``invoke_endpoint_with_response_stream`` hands the answer over as it arrives, as boto3's
``{"PayloadPart": {"Bytes": ...}}`` events.
"""

from __future__ import annotations

import http.client
import io
import uuid
from typing import Any

from sagemaker_hf.local import botocore_model, lifecycle, processes
from sagemaker_hf.local.async_inference import AsyncInvocations, AsyncRequest, output_location
from sagemaker_hf.local.botocore_model import RUNTIME
from sagemaker_hf.local.registry import ChildProcess, EndpointRecord, Registry, UnreadableRecordError
from sagemaker_hf.local.settings import LocalModeSettings

# A little over the server's own limit (SAGEMAKER_MODEL_SERVER_TIMEOUT, 60 s like AWS),
# so the server's 504 arrives first.
REALTIME_TIMEOUT_SECONDS = 70.0
ASYNC_DEFAULT_TIMEOUT_SECONDS = 900.0  # InvocationTimeoutSeconds' default on AWS
_CUSTOM_ATTRIBUTES_HEADER = "X-Amzn-SageMaker-Custom-Attributes"


class LocalRuntimeClient:
    """A boto3 ``sagemaker-runtime`` client for endpoints made by ``LocalSageMakerClient``."""

    def __init__(self, settings: LocalModeSettings, storage_session: Any) -> None:
        """``storage_session`` reads and writes ``s3://`` async locations (anything with an ``s3_client``)."""
        self.settings = settings
        self.storage_session = storage_session
        self.registry = Registry(settings.registry_dir)
        self.exceptions = botocore_model.exceptions(RUNTIME)
        self._async: AsyncInvocations | None = None

    def __repr__(self) -> str:
        return f"LocalRuntimeClient(home={str(self.settings.home)!r})"

    def _record(self, operation: str, name: str) -> EndpointRecord:
        try:
            record = self.registry.load(EndpointRecord, name)
        except UnreadableRecordError as error:
            message = f"{error}. `sagemaker-hf local rm {name}` removes it and stops its processes."
            raise botocore_model.client_error(RUNTIME, operation, "InternalFailure", message) from None
        if record is None:
            raise botocore_model.client_error(
                RUNTIME,
                operation,
                "ValidationError",
                f"Endpoint {name} of account {self.settings.account_id} not found.",
            )
        return record

    # ---- real time -------------------------------------------------------------------

    def invoke_endpoint(self, **request: Any) -> dict[str, Any]:
        botocore_model.validate(RUNTIME, "InvokeEndpoint", request)
        return self._invoke(
            "InvokeEndpoint",
            request["EndpointName"],
            _bytes(request["Body"]),
            request.get("ContentType"),
            request.get("Accept"),
            request.get("CustomAttributes"),
            REALTIME_TIMEOUT_SECONDS,
        )

    def _invoke(
        self,
        operation: str,
        endpoint_name: str,
        body: bytes,
        content_type: str | None,
        accept: str | None,
        custom_attributes: str | None,
        timeout: float,
    ) -> dict[str, Any]:
        record, process = self._serving(operation, endpoint_name)
        headers = {
            "Content-Type": content_type,
            "Accept": accept,
            _CUSTOM_ATTRIBUTES_HEADER: custom_attributes,
        }
        connection = http.client.HTTPConnection("127.0.0.1", process.port, timeout=timeout)
        try:
            connection.request(
                "POST", "/invocations", body=body, headers={k: v for k, v in headers.items() if v is not None}
            )
            reply = connection.getresponse()
            data = reply.read()
        except OSError as error:
            raise self._not_in_service(operation, record, error) from None
        finally:
            connection.close()
        if not 200 <= reply.status < 300:
            raise _model_error(operation, reply.status, data, str(process.log_path))
        return _invoke_response(record, reply, _streaming_body(data))

    def invoke_endpoint_with_response_stream(self, **request: Any) -> dict[str, Any]:
        operation = "InvokeEndpointWithResponseStream"
        botocore_model.validate(RUNTIME, operation, request)
        record, process = self._serving(operation, request["EndpointName"])
        headers = {
            "Content-Type": request.get("ContentType"),
            "Accept": request.get("Accept"),
            _CUSTOM_ATTRIBUTES_HEADER: request.get("CustomAttributes"),
        }
        connection = http.client.HTTPConnection("127.0.0.1", process.port, timeout=REALTIME_TIMEOUT_SECONDS)
        try:
            connection.request(
                "POST",
                "/invocations",
                body=_bytes(request["Body"]),
                headers={k: v for k, v in headers.items() if v is not None},
            )
            reply = connection.getresponse()
        except OSError as error:
            connection.close()
            raise self._not_in_service(operation, record, error) from None
        if not 200 <= reply.status < 300:
            data = reply.read()
            connection.close()
            raise _model_error(operation, reply.status, data, str(process.log_path))
        return _invoke_response(record, reply, _PayloadParts(reply, connection))

    def _serving(self, operation: str, name: str) -> tuple[EndpointRecord, ChildProcess]:
        """The endpoint and its server process, checked to be the very process the record names
        before anything is sent: once it died, whatever listens on its old port now is another
        program. (On Linux the check reads /proc/<pid>/stat: a few microseconds per call.)"""
        record = self._record(operation, name)
        process = record.current.process
        if (
            record.failure is not None
            or process is None
            or not processes.is_running(process.pid, process.identity)
        ):
            raise self._not_in_service(operation, record)
        return record, process

    def _not_in_service(
        self, operation: str, record: EndpointRecord, error: OSError | None = None
    ) -> Exception:
        observation = lifecycle.observe(self.registry, self.settings, record)
        if observation.status != "InService" or error is None:
            reason = f": {observation.failure_reason}" if observation.failure_reason else ""
            return botocore_model.client_error(
                RUNTIME,
                operation,
                "ValidationError",
                f"Endpoint {record.name} is not in service (status {observation.status}){reason}",
            )
        return botocore_model.client_error(
            RUNTIME,
            operation,
            "ServiceUnavailable",
            f"The local server of endpoint {record.name} did not answer ({type(error).__name__}: {error}). "
            "See `sagemaker-hf local ls`.",
        )

    # ---- asynchronous ----------------------------------------------------------------

    def invoke_endpoint_async(self, **request: Any) -> dict[str, Any]:
        operation = "InvokeEndpointAsync"
        botocore_model.validate(RUNTIME, operation, request)
        name = request["EndpointName"]
        record = self._record(operation, name)
        async_config = record.current.config.get("AsyncInferenceConfig")
        if async_config is None:
            raise botocore_model.client_error(
                RUNTIME,
                operation,
                "ValidationError",
                f"Endpoint {name} is not an asynchronous endpoint; deploy it with "
                "async_inference_config=AsyncInferenceConfig(...), or call invoke_endpoint.",
            )
        if ("InputLocation" in request) == ("Body" in request):
            raise botocore_model.client_error(
                RUNTIME, operation, "ValidationError", "Pass exactly one of InputLocation or Body."
            )
        output = async_config["OutputConfig"]
        inference_id = request.get("InferenceId") or str(uuid.uuid4())
        file_name = request.get("Filename") or f"{uuid.uuid4()}.out"
        extension = request.get("S3OutputPathExtension", "")
        try:
            success_location = output_location(output["S3OutputPath"], extension, file_name)
            failure_location = None
            if "S3FailurePath" in output:
                stem = file_name.removesuffix(".out")
                failure_location = output_location(output["S3FailurePath"], extension, f"{stem}-error.out")
        except ValueError as error:
            raise botocore_model.client_error(RUNTIME, operation, "ValidationError", str(error)) from None
        self._worker().submit(
            AsyncRequest(
                endpoint_name=name,
                inference_id=inference_id,
                input_location=request.get("InputLocation"),
                body=_bytes(request["Body"]) if "Body" in request else None,
                content_type=request.get("ContentType"),
                accept=request.get("Accept"),
                custom_attributes=request.get("CustomAttributes"),
                output_location=success_location,
                failure_location=failure_location,
                timeout_seconds=float(request.get("InvocationTimeoutSeconds", ASYNC_DEFAULT_TIMEOUT_SECONDS)),
            )
        )
        response = {"InferenceId": inference_id, "OutputLocation": success_location}
        if failure_location is not None:
            response["FailureLocation"] = failure_location
        return {**response, "ResponseMetadata": botocore_model.response_metadata(202)}

    def _worker(self) -> AsyncInvocations:
        if self._async is None:
            self._async = AsyncInvocations(self._invoke_queued, self.storage_session)
        return self._async

    def _invoke_queued(self, request: AsyncRequest, body: bytes) -> dict[str, Any]:
        return self._invoke(
            "InvokeEndpointAsync",
            request.endpoint_name,
            body,
            request.content_type,
            request.accept,
            request.custom_attributes,
            request.timeout_seconds,
        )


def _bytes(body: Any) -> bytes:
    """A request body as boto3 takes it (bytes, bytearray, str or a file-like object)."""
    if hasattr(body, "read"):
        body = body.read()
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


class _PayloadParts:
    """boto3's ``EventStream`` of a streamed answer: ``{"PayloadPart": {"Bytes": ...}}`` per
    piece as the server sends it; ``close()`` ends it early."""

    def __init__(self, reply: http.client.HTTPResponse, connection: http.client.HTTPConnection) -> None:
        self._reply = reply
        self._connection = connection

    def __iter__(self):
        try:
            while data := self._reply.read1(65536):
                yield {"PayloadPart": {"Bytes": data}}
        finally:
            self.close()

    def close(self) -> None:
        self._connection.close()


def _streaming_body(data: bytes) -> Any:
    from botocore.response import StreamingBody

    return StreamingBody(io.BytesIO(data), len(data))


def _invoke_response(record: EndpointRecord, reply: http.client.HTTPResponse, body: Any) -> dict[str, Any]:
    """InvokeEndpoint's (or the stream's) response around ``body``, from the server's reply."""
    response: dict[str, Any] = {
        "Body": body,
        "ContentType": reply.getheader("Content-Type", ""),
        "InvokedProductionVariant": record.current.variant["VariantName"],
        "ResponseMetadata": botocore_model.response_metadata(reply.status),
    }
    if reply.getheader(_CUSTOM_ATTRIBUTES_HEADER):
        response["CustomAttributes"] = reply.getheader(_CUSTOM_ATTRIBUTES_HEADER)
    return response


def _model_error(operation: str, status: int, data: bytes, log_path: str) -> Exception:
    text = data.decode("utf-8", errors="replace")
    side = "client" if status < 500 else "server"
    return botocore_model.client_error(
        RUNTIME,
        operation,
        "ModelError",
        f'Received {side} error ({status}) from primary with message "{text}". '
        f"See the server log {log_path} for more information.",
        extra={"OriginalStatusCode": status, "OriginalMessage": text, "LogStreamArn": log_path},
    )
