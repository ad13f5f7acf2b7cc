"""The SDK's own exceptions.

Each one carries what a user needs to act: the offending value, what is supported
instead, and the fix. Each one is also caught by the ``except`` clause an SDK v2 user
wrote for the same condition: it subclasses the built-in type v2 raised (``ValueError``
for bad arguments, a missing role and failed resources), and the classes v2 defined in
``sagemaker.exceptions`` exist here under the same names (:data:`V2_EXCEPTION_NAMES`;
``sagemaker_hf.exceptions`` is this module, for ``import sagemaker_hf as sagemaker``), with
v2's attributes. docs/migration.md has the table, condition by
condition.

This module is a leaf: it imports nothing of ours (only the standard library), so the toolkit
may use it too.
"""

from __future__ import annotations

import subprocess
from typing import Any

# The names of SDK v2's sagemaker.exceptions, each defined in this module.
V2_EXCEPTION_NAMES = (
    "AsyncInferenceError",
    "AsyncInferenceModelError",
    "CapacityError",
    "InternalStreamFailure",
    "ModelStreamError",
    "ObjectNotExistedError",
    "PollingTimeoutError",
    "UnexpectedClientError",
    "UnexpectedStatusException",
)


class SageMakerHFError(Exception):
    """Base class of every error raised by sagemaker-hf."""


class SageMakerHFWarning(UserWarning):
    """An argument that SDK v2 accepted is accepted here but has no effect; the text says why."""


class UnsupportedValueError(SageMakerHFError, ValueError):
    """An argument names something the version matrix (or an API) does not support."""


class ConfigurationError(SageMakerHFError, ValueError):
    """Arguments that cannot work together, rejected before any API call is made."""


class ArgumentTypeError(ConfigurationError, TypeError):
    """A public argument of the wrong type (``except ValueError`` and ``except TypeError`` both catch it)."""


class MissingArgumentError(ConfigurationError, TypeError):
    """A required argument is missing: a ``TypeError``, as Python (and SDK v2) raise for one."""


class RoleNotFoundError(SageMakerHFError, ValueError):
    """No IAM execution role could be found or resolved.

    A ``ValueError``, as SDK v2's ``get_execution_role()`` raised ("The current AWS
    identity is not a role"): the Hugging Face Hub's deploy snippet catches exactly that.
    """


# ---- failed resources -------------------------------------------------------------------

# What SDK v2's UnexpectedStatusException.allowed_statuses held, by the kind of resource.
_ALLOWED_STATUSES = {"Endpoint": ["InService"]}
_JOB_ALLOWED_STATUSES = ["Completed", "Stopped"]


class ResourceFailedError(SageMakerHFError, ValueError):
    """A SageMaker resource (endpoint, job) ended in a failed state.

    SDK v2 raised ``UnexpectedStatusException`` (a ``ValueError``), or its subclass
    ``CapacityError`` when the ``FailureReason`` names a capacity error. This class is
    v2's ``UnexpectedStatusException`` (the same name is an alias of it) with its
    ``allowed_statuses`` and ``actual_status``; constructing it with a capacity reason
    gives a :class:`CapacityError`, so every place that raises a failure raises the class
    v2 raised without knowing about it.
    """

    def __new__(cls, kind: str, name: str, status: str, failure_reason: str | None) -> ResourceFailedError:
        if cls is ResourceFailedError and "CapacityError" in str(failure_reason or ""):
            cls = CapacityError
        return super().__new__(cls, kind, name, status, failure_reason)

    def __init__(self, kind: str, name: str, status: str, failure_reason: str | None) -> None:
        self.kind = kind
        self.name = name
        self.status = status
        self.failure_reason = failure_reason
        reason = failure_reason or "SageMaker gave no FailureReason"
        super().__init__(f"{kind} {name!r} ended with status {status}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:  # pickled with the constructor's arguments, not the message
        return (type(self), (self.kind, self.name, self.status, self.failure_reason))

    @property
    def actual_status(self) -> str:
        """SDK v2's name for :attr:`status`."""
        return self.status

    @property
    def allowed_statuses(self) -> list[str]:
        """The statuses that would have meant success (SDK v2's attribute)."""
        return list(_ALLOWED_STATUSES.get(self.kind, _JOB_ALLOWED_STATUSES))


class CapacityError(ResourceFailedError):
    """A resource failed for lack of instance capacity (SDK v2's ``CapacityError``)."""


UnexpectedStatusException = ResourceFailedError


class WaitTimeoutError(SageMakerHFError, TimeoutError):
    """A wait ran past its deadline before the resource settled."""


class UnsafeArchiveError(SageMakerHFError, ValueError):
    """A tar archive holds a member that would escape the extraction directory."""


class UnsafeRequirementsError(SageMakerHFError, ValueError):
    """A ``requirements.txt`` includes a file from outside its code folder, or a URL."""


# ---- asynchronous inference (SDK v2's sagemaker.exceptions names) ------------------------


class AsyncInferenceError(SageMakerHFError):
    """Base class of the asynchronous inference errors (SDK v2's ``AsyncInferenceError``)."""


class ObjectNotExistedError(AsyncInferenceError):
    """No result object exists at ``output_path`` (SDK v2's ``ObjectNotExistedError``)."""

    def __init__(self, message: str, output_path: str) -> None:
        self.message = message
        self.output_path = output_path
        super().__init__(f"Object not exist at {output_path}. {message}")


class PollingTimeoutError(WaitTimeoutError, ObjectNotExistedError):
    """``get_result()`` waited and neither the output nor the failure object appeared.

    SDK v2 raised ``PollingTimeoutError`` after waiting with a ``WaiterConfig`` and
    ``ObjectNotExistedError`` when ``get_result()`` without one found nothing; here
    ``get_result()`` always waits, so this one error is both (and a ``TimeoutError``).
    """

    def __init__(self, message: str, output_path: str, seconds: float) -> None:
        self.seconds = seconds
        ObjectNotExistedError.__init__(self, message, output_path)
        self.args = (f"No result at {output_path} after polling for {seconds:.0f} seconds. {message}",)


class UnexpectedClientError(AsyncInferenceError):
    """S3 refused a read of an async result for another reason than "no such key" (as in v2)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(f"Encountered unexpected client error: {message}")


class AsyncInferenceModelError(AsyncInferenceError):
    """An asynchronous inference request failed; carries the failure object's content."""

    def __init__(self, failure_location: str, failure_content: str) -> None:
        self.failure_location = failure_location
        self.failure_content = failure_content
        self.message = failure_content  # SDK v2's attribute
        super().__init__(f"Asynchronous inference failed ({failure_location}): {failure_content}")


# ---- response streams ---------------------------------------------------------------------


class ModelStreamError(SageMakerHFError):
    """A streamed answer (``predict_stream``) ended with an error after it had started.

    Constructed with ``error_code="InternalStreamFailure"`` (the event SageMaker sends
    for its own failures) it is an :class:`InternalStreamFailure`, the class v2 raised.
    """

    def __new__(cls, message: str, error_code: str) -> ModelStreamError:
        if cls is ModelStreamError and error_code == "InternalStreamFailure":
            cls = InternalStreamFailure
        return super().__new__(cls, message, error_code)

    def __init__(self, message: str, error_code: str) -> None:
        self.error_code = error_code
        self.message = message  # SDK v2's attributes: message and code
        self.code = error_code
        super().__init__(f"The model's stream failed ({error_code}): {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.error_code))


class InternalStreamFailure(ModelStreamError):
    """SageMaker's own failure in the middle of a response stream (SDK v2's name)."""


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
