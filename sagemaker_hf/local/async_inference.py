"""The background worker behind local ``invoke_endpoint_async``.

Like SageMaker's async queue: the request is accepted at once; a worker then reads the
input (``s3://`` through the session's S3 client, ``file://`` or a path from disk),
invokes the endpoint, and writes the response to the output location, or what went
wrong to the failure location, as ``AsyncInferenceConfig`` says.

The queue is a thread pool inside the Python process that called
``invoke_endpoint_async``: queued requests still run when that process exits normally
(the interpreter waits for them), but they are lost if it is killed.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sagemaker_hf import storage

logger = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True)
class AsyncRequest:
    """One accepted asynchronous request and where its outcome goes."""

    endpoint_name: str
    inference_id: str
    input_location: str | None
    body: bytes | None  # given inline instead of input_location
    content_type: str | None
    accept: str | None
    custom_attributes: str | None
    output_location: str
    failure_location: str | None
    timeout_seconds: float


def output_location(root: str, extension: str, file_name: str) -> str:
    """``root``/``extension``/``file_name``, refused (``ValueError``) unless it stays below ``root``.

    The API's patterns already keep ``/`` and ``..`` out of ``Filename``, but not ``..`` out of
    ``S3OutputPathExtension``. On disk the path is resolved (``..`` and symlinks followed);
    an S3 key has no ``..``, but a tool that syncs the bucket to disk would follow it.
    """
    location = storage.join_uri(root, extension, file_name)
    if storage.is_s3(root):
        base = posixpath.normpath("/" + root[len("s3://") :].rstrip("/"))
        target = posixpath.normpath("/" + location[len("s3://") :])
        inside = target.startswith(base + "/")
    else:
        base_path = storage.local_path(root).resolve()
        inside = base_path in storage.local_path(location).resolve().parents
    if not inside:
        raise ValueError(
            f"The output location {location} leaves the output path {root}: "
            "S3OutputPathExtension and Filename must name a place below it (no '..')."
        )
    return location


# Invokes the endpoint with the request's body; returns InvokeEndpoint's response.
Invoke = Callable[[AsyncRequest, bytes], dict[str, Any]]


class AsyncInvocations:
    def __init__(self, invoke: Invoke, storage_session: Any, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self.invoke = invoke
        self.storage_session = storage_session
        self._executor = ThreadPoolExecutor(
            max_workers=concurrency, thread_name_prefix="local-async-inference"
        )

    def submit(self, request: AsyncRequest) -> None:
        self._executor.submit(self._run, request)

    def _run(self, request: AsyncRequest) -> None:
        from botocore.exceptions import ClientError

        try:
            body = request.body
            if body is None:
                assert request.input_location is not None
                body = storage.read_bytes(self.storage_session, request.input_location)
        except Exception as error:
            self._fail(
                request, f"Could not read the input {request.input_location}: {type(error).__name__}: {error}"
            )
            return
        try:
            response = self.invoke(request, body)
        except ClientError as error:
            self._fail(request, error.response["Error"]["Message"])
            return
        except Exception as error:
            logger.exception("async inference %s failed", request.inference_id)
            self._fail(request, f"{type(error).__name__}: {error}")
            return
        try:
            storage.upload_bytes(
                self.storage_session,
                response["Body"].read(),
                request.output_location,
                content_type=response.get("ContentType"),
            )
        except Exception as error:
            self._fail(request, f"Could not write the output to {request.output_location}: {error}")

    def _fail(self, request: AsyncRequest, message: str) -> None:
        if request.failure_location is None:
            logger.error(
                "async inference %s on endpoint %s failed (no S3FailurePath to write it to): %s",
                request.inference_id,
                request.endpoint_name,
                message,
            )
            return
        try:
            storage.upload_bytes(
                self.storage_session,
                message.encode("utf-8"),
                request.failure_location,
                content_type="text/plain",
            )
        except Exception:
            logger.exception(
                "could not write the failure of async inference %s to %s: %s",
                request.inference_id,
                request.failure_location,
                message,
            )
