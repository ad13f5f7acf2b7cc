"""botocore's own model of the SageMaker APIs, used by the local clients.

Requests are checked exactly as a boto3 client checks them (``ParamValidator`` against
the service model), so the local clients accept what boto3 accepts and nothing else.
Errors are the classes a boto3 client raises (``client.exceptions.ModelError`` and the
plain ``ClientError`` for unmodeled codes such as ``ValidationException``), with the
same response shape.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime, timezone
from typing import Any

from sagemaker_hf.local import constraints

SAGEMAKER = "sagemaker"
RUNTIME = "sagemaker-runtime"

# HTTP status of the unmodeled error codes the local clients raise.
_STATUS_BY_CODE = {"ValidationException": 400, "InternalFailure": 500, "NotImplemented": 501}


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


# The code of the service's own validation errors: SageMaker's ValidationException, the
# runtime's modeled ValidationError.
_VALIDATION_CODE = {SAGEMAKER: "ValidationException", RUNTIME: "ValidationError"}


def validate(service: str, operation: str, params: dict[str, Any]) -> None:
    """Raise what boto3 and the service raise for ``params``: ``ParamValidationError`` for what
    botocore checks on the client, then the service's validation error for every member that
    breaks its shape's pattern, maximum length, enum or maximum (see :mod:`constraints`)."""
    from botocore.exceptions import ParamValidationError
    from botocore.validate import ParamValidator

    input_shape = service_model(service).operation_model(operation).input_shape
    report = ParamValidator().validate(params, input_shape)
    if report.has_errors():
        raise ParamValidationError(report=report.generate_report())
    found = constraints.violations(input_shape, params)
    if found:
        raise client_error(service, operation, _VALIDATION_CODE[service], constraints.describe(found))


def now() -> datetime:
    return datetime.now(timezone.utc)


def arn(region: str, account_id: str, resource: str, name: str) -> str:
    """``arn:aws:sagemaker:<region>:<account>:<resource>/<name>`` (SageMaker lower-cases names in ARNs)."""
    return f"arn:aws:sagemaker:{region}:{account_id}:{resource}/{name.lower()}"
