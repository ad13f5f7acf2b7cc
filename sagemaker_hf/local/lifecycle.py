"""An endpoint's status, computed from its record and its live process, never guessed.

=========================================  ===========  ===========================================
what is seen                               status       what happens
=========================================  ===========  ===========================================
an update's new process answers /ping      InService    it becomes current; the old one is stopped
an update's new process fails              InService    it is stopped; FailureReason says why
an update's new process still starting     Updating
the record says Failed                     Failed       (its process was stopped when it failed)
the process answers /ping 200              InService
the process is gone (exit, kill, reboot)   Failed       exit code (when known) and the log's tail
/ping says the model did not load          Failed       the load error and the log's tail; stopped
/ping not 200 past the startup deadline    Failed       the deadline and the log's tail; stopped
otherwise                                  Creating
=========================================  ===========  ===========================================

Any process may observe (the notebook's waiter, ``sagemaker-hf local ls`` after a
crash): changes are written under the registry lock, after checking that the record
still holds the same process, and processes are stopped outside the lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sagemaker_hf.local import botocore_model, endpoints
from sagemaker_hf.local.endpoints import Health
from sagemaker_hf.local.registry import Deployment, EndpointRecord, Registry, UnreadableRecordError
from sagemaker_hf.local.settings import LocalModeSettings


@dataclass(frozen=True)
class Observation:
    record: EndpointRecord
    status: str
    failure_reason: str | None = None


def _same(first: Deployment | None, second: Deployment | None) -> bool:
    if first is None or second is None:
        return first is second
    return first.work_dir == second.work_dir


def _change(
    registry: Registry, record: EndpointRecord, apply: Callable[[EndpointRecord], bool]
) -> EndpointRecord:
    """Re-read ``record`` under the lock and ``apply`` a change when it still describes the same
    deployments; returns the record as it now stands."""
    with registry.lock():
        try:
            fresh = registry.load(EndpointRecord, record.name)
        except UnreadableRecordError:
            return record  # broken since it was read: leave it to DeleteEndpoint
        if fresh is None or not (
            _same(fresh.current, record.current) and _same(fresh.pending, record.pending)
        ):
            return fresh or record
        if apply(fresh):
            registry.save(fresh)
        return fresh


def observe(registry: Registry, settings: LocalModeSettings, record: EndpointRecord) -> Observation:
    if record.pending is not None:
        record = _observe_update(registry, settings, record)
        if record.pending is not None:
            return Observation(record, "Updating")
    if record.failure is not None:
        return Observation(record, "Failed", record.failure)
    probe = endpoints.probe(record.current, botocore_model.now())
    if probe.health is Health.READY:
        if not record.current.seen_ready:
            record = _change(registry, record, _mark_ready)
        return Observation(record, "InService", record.update_failure)
    if probe.health is Health.FAILED:
        failed = _change(registry, record, lambda fresh: _fail(fresh, probe.reason or "unknown failure"))
        endpoints.stop(record.current, settings, remove_files=False)
        return Observation(failed, "Failed", failed.failure)
    return Observation(record, "Creating")


def _mark_ready(record: EndpointRecord) -> bool:
    record.current.seen_ready = True
    return True


def _fail(record: EndpointRecord, reason: str) -> bool:
    if record.failure is None:
        record.failure = reason
        record.modified = botocore_model.now()
    return True


def _observe_update(
    registry: Registry, settings: LocalModeSettings, record: EndpointRecord
) -> EndpointRecord:
    pending = record.pending
    assert pending is not None
    probe = endpoints.probe(pending, botocore_model.now())
    if probe.health is Health.STARTING:
        return record
    if probe.health is Health.FAILED:
        return _abandon_update(registry, settings, record, probe.reason or "unknown failure")
    old = record.current

    def promote(fresh: EndpointRecord) -> bool:
        assert fresh.pending is not None
        fresh.current, fresh.pending = fresh.pending, None
        fresh.current.seen_ready = True
        fresh.failure = fresh.update_failure = None
        fresh.modified = botocore_model.now()
        return True

    updated = _change(registry, record, promote)
    if updated.pending is None and _same(updated.current, pending):
        endpoints.stop(old, settings, remove_files=True)
    return updated


def _abandon_update(
    registry: Registry, settings: LocalModeSettings, record: EndpointRecord, reason: str
) -> EndpointRecord:
    pending = record.pending
    assert pending is not None

    def abandon(fresh: EndpointRecord) -> bool:
        fresh.pending = None
        fresh.update_failure = f"updating to endpoint config {pending.config_name} failed: {reason}"
        fresh.modified = botocore_model.now()
        return True

    updated = _change(registry, record, abandon)
    endpoints.stop(pending, settings, remove_files=True)
    return updated


def describe_response(observation: Observation) -> dict[str, Any]:
    """DescribeEndpoint's response for an observed endpoint."""
    record, status = observation.record, observation.status
    deployment = record.current
    image = deployment.model["PrimaryContainer"].get("Image", "")
    in_service = status in ("InService", "Updating")
    response: dict[str, Any] = {
        "EndpointName": record.name,
        "EndpointArn": record.arn,
        "EndpointConfigName": deployment.config_name,
        "ProductionVariants": [
            {
                "VariantName": deployment.variant["VariantName"],
                "DeployedImages": [
                    {"SpecifiedImage": image, "ResolvedImage": image, "ResolutionTime": deployment.started}
                ],
                "CurrentWeight": float(deployment.variant.get("InitialVariantWeight", 1.0)),
                "DesiredWeight": float(deployment.variant.get("InitialVariantWeight", 1.0)),
                "CurrentInstanceCount": 1 if in_service else 0,
                "DesiredInstanceCount": 1,
            }
        ],
        "EndpointStatus": status,
        "CreationTime": record.created,
        "LastModifiedTime": record.modified,
    }
    if observation.failure_reason:
        response["FailureReason"] = observation.failure_reason
    if "AsyncInferenceConfig" in deployment.config:
        response["AsyncInferenceConfig"] = deployment.config["AsyncInferenceConfig"]
    return {**response, "ResponseMetadata": botocore_model.response_metadata()}
