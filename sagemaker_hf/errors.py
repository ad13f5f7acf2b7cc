"""The SDK's own exceptions.

Each one carries what a user needs to act: the offending value, what is supported
instead, and the fix. They subclass the built-in type a caller would naturally catch
(``ValueError`` for bad arguments, ``TimeoutError`` for waits), so code written for
SDK v2 that catches those keeps working.

This module is a leaf: it imports nothing of ours (only the standard library), so the toolkit
may use it too.
"""

from __future__ import annotations

import subprocess


class SageMakerHFError(Exception):
    """Base class of every error raised by sagemaker-hf."""


class SageMakerHFWarning(UserWarning):
    """An argument that SDK v2 accepted is accepted here but has no effect; the text says why."""


class UnsupportedValueError(SageMakerHFError, ValueError):
    """An argument names something the version matrix (or an API) does not support."""


class ConfigurationError(SageMakerHFError, ValueError):
    """Arguments that cannot work together, rejected before any API call is made."""


class RoleNotFoundError(SageMakerHFError):
    """No IAM execution role could be found or resolved."""


class ResourceFailedError(SageMakerHFError):
    """A SageMaker resource (endpoint, job) ended in a failed state."""

    def __init__(self, kind: str, name: str, status: str, failure_reason: str | None) -> None:
        self.kind = kind
        self.name = name
        self.status = status
        self.failure_reason = failure_reason
        reason = failure_reason or "SageMaker gave no FailureReason"
        super().__init__(f"{kind} {name!r} ended with status {status}: {reason}")


class WaitTimeoutError(SageMakerHFError, TimeoutError):
    """A wait ran past its deadline before the resource settled."""


class UnsafeArchiveError(SageMakerHFError, ValueError):
    """A tar archive holds a member that would escape the extraction directory."""


class AsyncInferenceModelError(SageMakerHFError):
    """An asynchronous inference request failed; carries the failure object's content."""

    def __init__(self, failure_location: str, failure_content: str) -> None:
        self.failure_location = failure_location
        self.failure_content = failure_content
        super().__init__(f"Asynchronous inference failed ({failure_location}): {failure_content}")


class ModelStreamError(SageMakerHFError):
    """A streamed answer (``predict_stream``) ended with an error after it had started."""

    def __init__(self, message: str, error_code: str) -> None:
        self.error_code = error_code
        super().__init__(f"The model's stream failed ({error_code}): {message}")


class GitCheckoutError(SageMakerHFError, subprocess.CalledProcessError):
    """``git`` failed for a ``git_config`` (clone, branch, commit); never carries a credential.

    A ``subprocess.CalledProcessError``, as SDK v2 raised, whose message says what failed
    and git's reason.
    """

    def __init__(self, returncode: int, cmd: list[str], message: str) -> None:
        subprocess.CalledProcessError.__init__(self, returncode, cmd, stderr=message)
        self.message = message

    def __str__(self) -> str:
        return self.message
