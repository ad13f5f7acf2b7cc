"""Toolkit exceptions, and the one table that maps them to HTTP status codes.

Every error a request can meet is one of these. The server turns them into the body
``{"code": N, "type": "...", "message": "..."}`` (the shape MMS clients parse), so a
message must tell the caller what was wrong and what to send instead.
"""

from __future__ import annotations

import json


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


class InvalidJSONError(BadInputError, json.JSONDecodeError):
    """A JSON body that cannot be parsed (400), also a :class:`json.JSONDecodeError`.

    Scripts written for the AWS toolkit catch ``json.JSONDecodeError`` (or ``ValueError``)
    around ``decoder_encoder.decode``, which raised it there. On the wire it is a
    ``BadInputError``, as before.
    """

    def __init__(self, message: str, document: str = "", position: int = 0) -> None:
        json.JSONDecodeError.__init__(self, message, document, position)
        self.message = message

    def __str__(self) -> str:
        return self.message

    @property
    def type(self) -> str:
        return BadInputError.__name__


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


class ClientTimeoutError(ToolkitError):
    """The client stopped sending its request's head or body (SAGEMAKER_HF_HEADER_TIMEOUT,
    SAGEMAKER_HF_BODY_TIMEOUT); the connection is closed."""

    status = 408


class HeadersTooLargeError(ToolkitError):
    """The request's head is over SAGEMAKER_HF_MAX_HEADER_BYTES or SAGEMAKER_HF_MAX_HEADER_COUNT."""

    status = 431


class RequestTimeoutError(ToolkitError):
    """The request ran past SAGEMAKER_MODEL_SERVER_TIMEOUT; the worker keeps running."""

    status = 504


class WorkerDiedError(ToolkitError):
    """The worker process holding the request died; it is being restarted."""

    status = 500


class SettingsError(ValueError):
    """A setting (environment variable or command-line flag) has a value the toolkit cannot use.

    Raised before the server starts, so it is not an HTTP error.
    """


# An error body names the problem and the fix; a library's message can quote a whole request
# value (transformers prints the parameter it refuses), so the body keeps only its beginning.
MAX_MESSAGE_CHARS = 2000


def error_body(error: ToolkitError) -> dict[str, object]:
    message = error.message
    if len(message) > MAX_MESSAGE_CHARS:
        message = f"{message[:MAX_MESSAGE_CHARS]}… ({len(message) - MAX_MESSAGE_CHARS:,} more characters cut)"
    return {"code": error.status, "type": error.type, "message": message}


def _all_error_classes() -> dict[str, type[ToolkitError]]:
    found: dict[str, type[ToolkitError]] = {}
    pending: list[type[ToolkitError]] = [ToolkitError]
    while pending:
        cls = pending.pop()
        found[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    return found


def rebuild_error(type_name: str, message: str) -> ToolkitError:
    """The error a worker reported by class name, as an instance of that class.

    Worker processes send ``(type name, message)`` over their pipe; an unknown name
    (which would be a bug) becomes a :class:`ModelError` so the client still gets a 500
    with the message.
    """
    cls = _all_error_classes().get(type_name, ModelError)
    if cls is OverloadedError:
        return OverloadedError(message)
    return cls(message)
