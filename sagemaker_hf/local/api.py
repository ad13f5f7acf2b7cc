"""botocore's own model of the SageMaker APIs, used by the local clients.

Requests are checked exactly as a boto3 client checks them (``ParamValidator`` against
the service model), so the local clients accept what boto3 accepts and nothing else.
Errors are the classes a boto3 client raises (``client.exceptions.ModelError`` and the
plain ``ClientError`` for unmodeled codes such as ``ValidationException``), with the
same response shape.
"""

from __future__ import annotations

import functools
import re
import uuid
from datetime import datetime, timezone
from typing import Any

SAGEMAKER = "sagemaker"
RUNTIME = "sagemaker-runtime"

# HTTP status of the unmodeled error codes the local clients raise.
_STATUS_BY_CODE = {"ValidationException": 400, "NotImplemented": 501}


@functools.cache
def service_model(service: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


@functools.cache
def exceptions(service: str) -> Any:
    """The same exception classes as ``boto3.client(service).exceptions``."""
    from botocore.errorfactory import ClientExceptionsFactory

    return ClientExceptionsFactory().create_client_exceptions(service_model(service))


def response_metadata(status: int = 200) -> dict[str, Any]:
    return {"RequestId": str(uuid.uuid4()), "HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0}


def client_error(
    service: str, operation: str, code: str, message: str, extra: dict[str, Any] | None = None
) -> Exception:
    """The ``ClientError`` (or its modeled subclass) boto3 raises for ``code``."""
    shape = service_model(service).shape_for(code) if code in service_model(service).shape_names else None
    status = shape.metadata.get("error", {}).get("httpStatusCode", 400) if shape else None
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": response_metadata(status or _STATUS_BY_CODE.get(code, 400)),
        **(extra or {}),
    }
    return exceptions(service).from_code(code)(response, operation)


def validation_error(operation: str, message: str) -> Exception:
    """SageMaker's ``ValidationException``, the code of every bad or unknown-name request."""
    return client_error(SAGEMAKER, operation, "ValidationException", message)


def validate(service: str, operation: str, params: dict[str, Any]) -> None:
    """Raise what boto3 raises for ``params``: ``ParamValidationError`` (client side), and
    ``ValidationException`` for a resource name that breaks the API's pattern (the service
    checks those; the local registry uses names as file names)."""
    from botocore.exceptions import ParamValidationError
    from botocore.validate import ParamValidator

    input_shape = service_model(service).operation_model(operation).input_shape
    report = ParamValidator().validate(params, input_shape)
    if report.has_errors():
        raise ParamValidationError(report=report.generate_report())
    for member, value in params.items():
        pattern = input_shape.members[member].metadata.get("pattern")
        if member.endswith("Name") and pattern and isinstance(value, str) and not _matches(pattern, value):
            field = member[0].lower() + member[1:]
            raise client_error(
                service,
                operation,
                "ValidationException",
                f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {pattern}",
            )


@functools.lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _matches(pattern: str, value: str) -> bool:
    return _compiled(pattern).fullmatch(value) is not None


def now() -> datetime:
    return datetime.now(timezone.utc)


def arn(region: str, account_id: str, resource: str, name: str) -> str:
    """``arn:aws:sagemaker:<region>:<account>:<resource>/<name>`` (SageMaker lower-cases names in ARNs)."""
    return f"arn:aws:sagemaker:{region}:{account_id}:{resource}/{name.lower()}"
