"""Toolkit exceptions, and the one table that maps them to HTTP status codes.

Every error a request can meet is one of these. The server turns them into the body
``{"code": N, "type": "...", "message": "..."}`` (the shape MMS clients parse), so a
message must tell the caller what was wrong and what to send instead.
"""

from __future__ import annotations


class ToolkitError(Exception):
    """Base class; ``status`` is the HTTP status code the server answers with."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def type(self) -> str:
        return type(self).__name__


class BadInputError(ToolkitError):
    """Malformed or unusable input: bad JSON, a missing field, wrong types for the task."""

    status = 400


class NotAcceptableError(ToolkitError):
    """The Accept header names no type the server can produce."""

    status = 406


class PayloadTooLargeError(ToolkitError):
    """The body is over SAGEMAKER_MAX_PAYLOAD_IN_MB."""

    status = 413


class UnsupportedMediaTypeError(ToolkitError):
    """The Content-Type is not one the server (or the task) can decode."""

    status = 415


class ModelError(ToolkitError):
    """The model or a user hook failed while handling a valid request."""

    status = 500


class ModelLoadError(ToolkitError):
    """The model could not be loaded; the server stays up and reports it on /ping."""

    status = 503


class NotReadyError(ToolkitError):
    """The model is still loading."""

    status = 503


class OverloadedError(ToolkitError):
    """The request queue is full; the client should retry after ``retry_after`` seconds."""

    status = 503

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RequestTimeoutError(ToolkitError):
    """The request ran past SAGEMAKER_MODEL_SERVER_TIMEOUT; the worker keeps running."""

    status = 504


class WorkerDiedError(ToolkitError):
    """The worker process holding the request died; it is being restarted."""

    status = 500


def error_body(error: ToolkitError) -> dict[str, object]:
    return {"code": error.status, "type": error.type, "message": error.message}
