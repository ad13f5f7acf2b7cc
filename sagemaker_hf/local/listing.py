"""ListEndpoints: SageMaker's filters, sort orders and pages, over observed local endpoints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from sagemaker_hf.local.api import validation_error
from sagemaker_hf.local.lifecycle import Observation

DEFAULT_PAGE_SIZE = 10  # SageMaker's default MaxResults

_SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "Name": lambda summary: summary["EndpointName"],
    "CreationTime": lambda summary: summary["CreationTime"],
    "Status": lambda summary: summary["EndpointStatus"],
}

# request field -> (summary field, keep when summary value ... request value)
_TIME_FILTERS: dict[str, tuple[str, Callable[[datetime, datetime], bool]]] = {
    "CreationTimeBefore": ("CreationTime", lambda value, bound: value < bound),
    "CreationTimeAfter": ("CreationTime", lambda value, bound: value > bound),
    "LastModifiedTimeBefore": ("LastModifiedTime", lambda value, bound: value < bound),
    "LastModifiedTimeAfter": ("LastModifiedTime", lambda value, bound: value > bound),
}


def _as_datetime(value: Any) -> datetime:
    """A timestamp as boto3 accepts it (datetime, ISO text or epoch seconds), timezone-aware."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    from botocore.utils import parse_timestamp

    return parse_timestamp(value)


def summary(observation: Observation) -> dict[str, Any]:
    record = observation.record
    return {
        "EndpointName": record.name,
        "EndpointArn": record.arn,
        "CreationTime": record.created,
        "LastModifiedTime": record.modified,
        "EndpointStatus": observation.status,
    }


def list_endpoints_response(observations: list[Observation], request: dict[str, Any]) -> dict[str, Any]:
    summaries = [summary(observation) for observation in observations]
    if "NameContains" in request:
        summaries = [item for item in summaries if request["NameContains"] in item["EndpointName"]]
    if "StatusEquals" in request:
        summaries = [item for item in summaries if item["EndpointStatus"] == request["StatusEquals"]]
    for field, (summary_field, keep) in _TIME_FILTERS.items():
        if field in request:
            bound = _as_datetime(request[field])
            summaries = [item for item in summaries if keep(item[summary_field], bound)]
    summaries.sort(
        key=_SORT_KEYS[request.get("SortBy", "CreationTime")],
        reverse=request.get("SortOrder", "Descending") == "Descending",
    )
    token = request.get("NextToken") or "0"
    if not token.isdigit():
        raise validation_error("ListEndpoints", f"NextToken {token!r} did not come from ListEndpoints.")
    start = int(token)
    size = request.get("MaxResults", DEFAULT_PAGE_SIZE)
    response: dict[str, Any] = {"Endpoints": summaries[start : start + size]}
    if start + size < len(summaries):
        response["NextToken"] = str(start + size)
    return response
