"""The caller's AWS account as a session needs it: the execution role and the default bucket.

- The role: a role name is expanded through IAM, or the role we run as is discovered, in SDK
  v2's order (``get_execution_role``): the SageMaker notebook instance's role, the Studio user
  profile or domain execution role, then the current identity when it is an assumed role.
- The default bucket: ``sagemaker-{region}-{account}`` is created when missing, and refused
  when another account owns it.

Where SDK v2 let AWS's error through (a role name IAM does not know, a bucket of another
account), ours explains what to do and is still botocore's ``ClientError``, so a v2 user's
``except ClientError`` catches it. This module imports botocore for that, so the session
imports it only when it resolves a role or a bucket. The session owns the clients; these
functions only take them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from sagemaker_hf.errors import ConfigurationError, RoleNotFoundError

ROLE_HELP = (
    "Pass role='arn:aws:iam::<account>:role/<name>' (or just the role name) to "
    "HuggingFaceModel / HuggingFace, or call sagemaker_hf.get_execution_role() inside a "
    "SageMaker notebook or Studio. To create one, see "
    "https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html "
    "(a role SageMaker can assume, with AmazonSageMakerFullAccess)."
)

_ASSUMED_ROLE_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):sts::(?P<account>\d{12}):assumed-role/(?P<name>[^/]+)/[^/]+$"
)


_MISSING_BUCKET_CODES = frozenset({"404", "NoSuchBucket", "NotFound"})
_FORBIDDEN_CODES = frozenset({"403", "AccessDenied", "Forbidden"})


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


# ---- the execution role -----------------------------------------------------------------------


def role_arn_from_name(iam_client: Any, role_name: str) -> str:
    """The ARN of the role called ``role_name`` (IAM knows its path, e.g. ``/service-role/``)."""
    try:
        return iam_client.get_role(RoleName=role_name)["Role"]["Arn"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchEntity":
            raise RoleNameNotFoundError.explaining(
                error, f"IAM role {role_name!r} does not exist in this account. {ROLE_HELP}"
            ) from error
        raise


def role_from_notebook(metadata_path: Path, sagemaker_client: Callable[[], Any]) -> str | None:
    """The role of the SageMaker notebook instance or Studio app we run in, if any.

    ``sagemaker_client`` is called only when the metadata file exists, so outside
    SageMaker no client is made.
    """
    try:
        metadata = json.loads(Path(metadata_path).read_text())
    except (OSError, ValueError):
        return None
    if metadata.get("DomainId"):
        return metadata.get("ExecutionRoleArn") or _studio_role(sagemaker_client(), metadata)
    if metadata.get("ResourceName"):
        name = metadata["ResourceName"]
        return sagemaker_client().describe_notebook_instance(NotebookInstanceName=name)["RoleArn"]
    return None


def role_from_caller_identity(sts_client: Any, iam_client: Any) -> str:
    """The role behind the current assumed-role identity, else :class:`RoleNotFoundError`."""
    identity_arn = sts_client.get_caller_identity()["Arn"]
    match = _ASSUMED_ROLE_ARN.match(identity_arn)
    if match is None:
        # SDK v2's words first (scripts match on them), then where a role comes from.
        raise RoleNotFoundError(
            f"The current AWS identity is not a role: {identity_arn}, therefore it cannot be used as a "
            "SageMaker execution role. Not running in a SageMaker notebook or Studio, and this identity "
            f"is not an assumed role. {ROLE_HELP}"
        )
    try:
        # Only IAM knows the role's path (e.g. /service-role/), which the STS ARN drops.
        return iam_client.get_role(RoleName=match["name"])["Role"]["Arn"]
    except ClientError:
        return f"arn:{match['partition']}:iam::{match['account']}:role/{match['name']}"


def _studio_role(client: Any, metadata: dict[str, Any]) -> str | None:
    domain_id = metadata["DomainId"]
    if metadata.get("UserProfileName"):
        try:
            profile = client.describe_user_profile(
                DomainId=domain_id, UserProfileName=metadata["UserProfileName"]
            )
            role = profile.get("UserSettings", {}).get("ExecutionRole")
            if role:
                return role
        except ClientError:
            pass  # fall back to the domain's default role
    return client.describe_domain(DomainId=domain_id).get("DefaultUserSettings", {}).get("ExecutionRole")


# ---- the default bucket ------------------------------------------------------------------------


def ensure_bucket(s3_client: Any, bucket: str, region: str, expected_owner: str | None = None) -> None:
    """Create ``bucket`` in ``region`` unless it exists and is ours to use.

    ``expected_owner`` (for the default bucket under the SDK's own name) makes S3 answer
    403 when a bucket of that name belongs to another account. Refusals are
    :class:`BucketNotUsableError`: a ``ConfigurationError``
    that says what to do, and the ``ClientError`` SDK v2 let through.
    """
    owner = {"ExpectedBucketOwner": expected_owner} if expected_owner else {}
    try:
        s3_client.head_bucket(Bucket=bucket, **owner)
        return
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code in _FORBIDDEN_CODES:
            raise BucketNotUsableError.explaining(
                error,
                f"S3 bucket {bucket!r} exists but this identity may not use it (it may belong to another "
                "account). Pass Session(default_bucket='<a bucket you own>').",
            ) from error
        if code not in _MISSING_BUCKET_CODES:
            raise
    # us-east-1 is the one region that rejects an explicit LocationConstraint.
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    try:
        s3_client.create_bucket(Bucket=bucket, **location)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code in {"BucketAlreadyOwnedByYou", "OperationAborted"}:
            return  # created meanwhile by us or a concurrent call
        if code == "BucketAlreadyExists":
            raise BucketNotUsableError.explaining(
                error,
                f"S3 bucket name {bucket!r} is taken by another account. "
                "Pass Session(default_bucket='<a bucket you own>').",
            ) from error
        raise
