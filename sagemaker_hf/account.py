"""Finding the IAM execution role: expand a role name, or discover the role we run as.

Discovery order (as SDK v2's ``get_execution_role``): the SageMaker notebook instance's
role, the Studio user profile or domain execution role, then the current identity when it
is an assumed role. The session owns the clients; these functions only take them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sagemaker_hf.errors import RoleNotFoundError

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


def role_arn_from_name(iam_client: Any, role_name: str) -> str:
    """The ARN of the role called ``role_name`` (IAM knows its path, e.g. ``/service-role/``)."""
    from botocore.exceptions import ClientError

    try:
        return iam_client.get_role(RoleName=role_name)["Role"]["Arn"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchEntity":
            from sagemaker_hf._aws_errors import RoleNameNotFoundError

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
    from botocore.exceptions import ClientError

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
    from botocore.exceptions import ClientError

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
