"""Every local List* call: SageMaker's filters, sort orders and pages, in one place.

ListEndpoints, ListModels, ListEndpointConfigs, ListTransformJobs and ListTrainingJobs
differ only in their summaries (built by the module that owns the resource) and in
which filters their request may hold (botocore's model decides, before this runs).
Each filter a request may hold has one rule here; a member with no rule is refused as
``NotImplemented`` rather than ignored, so no filter is ever accepted and dropped.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sagemaker_hf.local import botocore_model
from sagemaker_hf.local.botocore_model import SAGEMAKER, validation_error

if TYPE_CHECKING:
    from sagemaker_hf.local.lifecycle import Observation

DEFAULT_PAGE_SIZE = 10  # SageMaker's default MaxResults
_PAGING = frozenset({"SortBy", "SortOrder", "MaxResults", "NextToken"})
_TIME_BOUNDS: dict[str, tuple[str, Callable[[datetime, datetime], bool]]] = {
    # request member -> (summary field, keep when summary value ... request value)
    "CreationTimeBefore": ("CreationTime", operator.lt),
    "CreationTimeAfter": ("CreationTime", operator.gt),
    "LastModifiedTimeBefore": ("LastModifiedTime", operator.lt),
    "LastModifiedTimeAfter": ("LastModifiedTime", operator.gt),
}


@dataclass(frozen=True)
class ListCall:
    """What differs between the List* calls."""

    operation: str  # ListEndpoints
    result_key: str  # Endpoints
    name_field: str  # EndpointName
    status_field: str | None = None  # EndpointStatus; None when the resource has no status

    def field_of(self, sort_by: str) -> str:
        return {"Name": self.name_field, "CreationTime": "CreationTime", "Status": self.status_field}[sort_by]


ENDPOINTS = ListCall("ListEndpoints", "Endpoints", "EndpointName", "EndpointStatus")
MODELS = ListCall("ListModels", "Models", "ModelName")
ENDPOINT_CONFIGS = ListCall("ListEndpointConfigs", "EndpointConfigs", "EndpointConfigName")
TRANSFORM_JOBS = ListCall(
    "ListTransformJobs", "TransformJobSummaries", "TransformJobName", "TransformJobStatus"
)
TRAINING_JOBS = ListCall("ListTrainingJobs", "TrainingJobSummaries", "TrainingJobName", "TrainingJobStatus")


def as_datetime(value: Any) -> datetime:
    """A timestamp as boto3 accepts it (datetime, ISO text or epoch seconds), timezone-aware."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    from botocore.utils import parse_timestamp

    return parse_timestamp(value)


def _filter(call: ListCall, member: str, value: Any) -> Callable[[dict[str, Any]], bool]:
    """The rule of one filter member: which summaries it keeps."""
    if member == "NameContains":
        return lambda summary: value in summary[call.name_field]
    if member == "StatusEquals" and call.status_field is not None:
        return lambda summary: summary[call.status_field] == value
    if member in _TIME_BOUNDS:
        field, keep = _TIME_BOUNDS[member]
        bound = as_datetime(value)
        return lambda summary: keep(summary[field], bound)
    if member == "WarmPoolStatusEquals":  # local training keeps no warm pool: nothing matches
        return lambda summary: summary.get("WarmPoolStatus", {}).get("Status") == value
    if member == "TrainingPlanArnEquals":
        return lambda summary: summary.get("TrainingPlanArn") == value
    message = f"{call.operation} filter {member} is not available in local mode."
    raise botocore_model.client_error(SAGEMAKER, call.operation, "NotImplemented", message)


def list_response(call: ListCall, summaries: list[dict[str, Any]], request: dict[str, Any]) -> dict[str, Any]:
    """The page of ``summaries`` that ``request`` (already validated) asks for."""
    for member, value in request.items():
        if member not in _PAGING:
            keep = _filter(call, member, value)
            summaries = [summary for summary in summaries if keep(summary)]
    sort_field = call.field_of(request.get("SortBy", "CreationTime"))
    summaries = sorted(
        summaries,
        key=lambda summary: summary[sort_field],
        reverse=request.get("SortOrder", "Descending") == "Descending",
    )
    token = request.get("NextToken") or "0"
    if not token.isdigit():
        raise validation_error(call.operation, f"NextToken {token!r} did not come from {call.operation}.")
    start = int(token)
    size = request.get("MaxResults", DEFAULT_PAGE_SIZE)
    response: dict[str, Any] = {call.result_key: summaries[start : start + size]}
    if start + size < len(summaries):
        response["NextToken"] = str(start + size)
    return {**response, "ResponseMetadata": botocore_model.response_metadata()}


def endpoint_summary(observation: Observation) -> dict[str, Any]:
    record = observation.record
    return {
        "EndpointName": record.name,
        "EndpointArn": record.arn,
        "CreationTime": record.created,
        "LastModifiedTime": record.modified,
        "EndpointStatus": observation.status,
    }
