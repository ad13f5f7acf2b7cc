"""Our errors that are also botocore's ``ClientError``.

Where SDK v2 let an AWS error through (a role name IAM does not know, a default bucket
that belongs to another account), a v2 user's ``except ClientError`` must still catch
ours; ours also says what to do, and stays a ``ValueError`` like our other argument
errors. This module imports botocore, so it is imported only when one of these is raised.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from sagemaker_hf.errors import ConfigurationError, RoleNotFoundError


class _ExplainedClientError(ClientError):
    """A ``ClientError`` (same ``response`` and ``operation_name``) whose text is our explanation."""

    def __init__(self, error_response: dict[str, Any], operation_name: str, message: str = "") -> None:
        ClientError.__init__(self, error_response, operation_name)
        if message:
            self.args = (message,)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.response, self.operation_name, str(self)))

    @classmethod
    def explaining(cls, error: ClientError, message: str) -> _ExplainedClientError:
        return cls(error.response, error.operation_name, message)


# ClientError first among the bases, so that its __init__ (which keeps .response) runs.
class RoleNameNotFoundError(_ExplainedClientError, RoleNotFoundError):
    """IAM has no role of the name given (v2 raised IAM's ``NoSuchEntity`` ``ClientError``)."""


class BucketNotUsableError(_ExplainedClientError, ConfigurationError):
    """The default bucket exists in another account, or its name is taken (v2: the S3 ``ClientError``)."""
