"""Local transform jobs: CreateTransformJob, DescribeTransformJob, StopTransformJob, ListTransformJobs.

``create`` checks the request as boto3 and SageMaker would, saves the job's record, and
starts the job on a thread of *this* Python process (:mod:`~sagemaker_hf.local.batch.runner`),
then returns at once. A thread rather than a detached process because the job reads
``s3://`` inputs and writes outputs with this process's session (its credentials, its
endpoint settings); the model server it starts is a child process, like an endpoint's.
The thread is not a daemon: a script that calls ``transform(wait=False)`` and ends still
lets its job finish.

``describe`` computes the status from the record: InProgress (Stopping after a stop),
then Completed, Failed (with the FailureReason) or Stopped, written once by the job's
thread. Any Python process sharing the local home sees the same jobs; if the process
that ran a job is gone before the job ended, the job is settled as Failed (Stopped if a
stop was asked) and its model server is stopped. Local mode adds ``Progress`` to the
description (records done, records per second, objects done and total, and per object
whether it completed), which AWS's shape does not have; ``Transformer.wait()`` shows it
while waiting. A job that ends early says which records completed
(:mod:`~sagemaker_hf.local.batch.report`): in ``FailureReason`` when Failed, in
``Progress["Interrupted"]`` when Stopped.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.local import botocore_model, listing, processes
from sagemaker_hf.local.batch import report, runner
from sagemaker_hf.local.batch.records import RecordCodec, record_kind
from sagemaker_hf.local.botocore_model import SAGEMAKER, validation_error
from sagemaker_hf.local.mode import is_local_instance_type
from sagemaker_hf.local.registry import ChildProcess, ModelRecord, Record, Registry
from sagemaker_hf.local.settings import LocalModeSettings

logger = logging.getLogger(__name__)

JOBS_FOLDER = "transform-jobs"
STOP_FILE = "stop"
IN_PROGRESS = frozenset({"InProgress", "Stopping"})
MAX_TOTAL_PAYLOAD_MB = 100  # SageMaker: MaxConcurrentTransforms * MaxPayloadInMB <= 100
_HELP = "Local mode runs transform jobs on this machine: use instance_type='local' (or 'local_gpu')."
_OPTIONAL_FIELDS = ("ModelClientConfig", "Environment", "DataProcessing")
_RESOLVED_FIELDS = ("BatchStrategy", "MaxConcurrentTransforms", "MaxPayloadInMB")

# The jobs this process runs, by work dir: their stop signal (another process's stop shows as
# the stop file). A job is here from before its record is saved until its status is final.
_running: dict[str, threading.Event] = {}


class JobOwner(BaseModel):
    """The Python process whose thread runs the job."""

    model_config = ConfigDict(extra="forbid")

    pid: int
    identity: str | None


class TransformJobRecord(Record):
    folder: ClassVar[str] = JOBS_FOLDER

    request: dict[str, Any]  # the CreateTransformJob request as validated
    work_dir: Path
    owner: JobOwner
    status: str = "InProgress"
    failure_reason: str | None = None
    modified: datetime
    started: datetime | None = None
    ended: datetime | None = None
    server: ChildProcess | None = None
    resolved: dict[str, Any] = Field(
        default_factory=dict
    )  # BatchStrategy, MaxConcurrentTransforms, MaxPayloadInMB as used
    stop_requested: bool = False
    interruption: str | None = None  # which records a Stopped or Failed job completed


def jobs_dir(settings: LocalModeSettings) -> Path:
    return settings.home / JOBS_FOLDER


# ---------------------------------------------------------------------------- create


def _check(settings: LocalModeSettings, registry: Registry, request: dict[str, Any]) -> dict[str, Any]:
    """Refuse what local mode cannot run, as ValidationException; returns the model's CreateModel request."""
    operation = "CreateTransformJob"
    instance_type = request["TransformResources"]["InstanceType"]
    if not is_local_instance_type(instance_type):
        raise validation_error(operation, f"InstanceType {instance_type!r} cannot run locally. {_HELP}")
    transform_input = request["TransformInput"]
    data_type = transform_input["DataSource"]["S3DataSource"]["S3DataType"]
    if data_type != "S3Prefix":
        raise validation_error(
            operation,
            f"S3DataType {data_type!r} is not supported locally; use S3Prefix (a prefix or a folder).",
        )
    for field, uri in (
        ("S3Uri", transform_input["DataSource"]["S3DataSource"]["S3Uri"]),
        ("S3OutputPath", request["TransformOutput"]["S3OutputPath"]),
    ):
        if "://" in uri and not uri.startswith(("s3://", "file://")):
            raise validation_error(
                operation, f"{field} {uri!r}: local mode reads and writes s3://, file:// or local paths."
            )
    split_type = transform_input.get("SplitType", "None")
    if split_type not in ("None", "Line"):
        raise validation_error(
            operation,
            f"SplitType {split_type!r} is not supported locally; use 'Line' (one record per line) or 'None'.",
        )
    total = request.get("MaxConcurrentTransforms", 1) * request.get("MaxPayloadInMB", 6)
    if "MaxConcurrentTransforms" in request and "MaxPayloadInMB" in request and total > MAX_TOTAL_PAYLOAD_MB:
        raise validation_error(
            operation,
            f"MaxConcurrentTransforms * MaxPayloadInMB is {total} MB; "
            f"it cannot exceed {MAX_TOTAL_PAYLOAD_MB} MB.",
        )
    _check_data_processing(operation, request)
    if request.get("TransformResources", {}).get("InstanceCount", 1) > 1:
        logger.warning(
            "Local mode transforms on one host; InstanceCount=%s is ignored.",
            request["TransformResources"]["InstanceCount"],
        )
    model = registry.load(ModelRecord, request["ModelName"])
    if model is None:
        model_arn = botocore_model.arn(settings.region, settings.account_id, "model", request["ModelName"])
        raise validation_error(operation, f'Could not find model "{model_arn}".')
    return model.request


def _check_data_processing(operation: str, request: dict[str, Any]) -> None:
    processing = request.get("DataProcessing", {})
    if not any(processing.get(key) not in (None, "$", "None") for key in processing):
        return
    content_type = request["TransformInput"].get("ContentType")
    kind = record_kind(content_type)
    if kind == "other":
        raise validation_error(
            operation,
            f"DataProcessing (filters, JoinSource) reads JSON or CSV records; ContentType "
            f"{content_type!r} is neither. Set content_type='application/jsonlines' "
            "(or application/json) or 'text/csv'.",
        )
    if kind == "csv" and request["TransformInput"].get("SplitType", "None") != "Line":
        raise validation_error(
            operation, "DataProcessing on text/csv needs SplitType 'Line' (one row per line)."
        )
    try:
        RecordCodec.for_job(request, frozenset())
    except ConfigurationError as error:
        raise validation_error(operation, str(error)) from None


def create(
    settings: LocalModeSettings, registry: Registry, storage_session: Any, request: dict[str, Any]
) -> dict[str, Any]:
    operation = "CreateTransformJob"
    botocore_model.validate(SAGEMAKER, operation, request)
    model_request = _check(settings, registry, request)
    name = request["TransformJobName"]
    arn = botocore_model.arn(settings.region, settings.account_id, "transform-job", name)
    work_dir = jobs_dir(settings) / name
    stop_event = threading.Event()
    with registry.lock():
        if registry.load(TransformJobRecord, name) is not None:
            raise validation_error(
                operation,
                "Job name must be unique within an AWS account and region, and a job with this name "
                f"already exists ({arn})",
            )
        shutil.rmtree(work_dir, ignore_errors=True)  # a leftover of a job whose record is gone
        work_dir.mkdir(parents=True)
        now = botocore_model.now()
        record = TransformJobRecord(
            name=name,
            arn=arn,
            created=now,
            modified=now,
            started=now,
            request=request,
            work_dir=work_dir,
            owner=JobOwner(pid=os.getpid(), identity=processes.identity(os.getpid())),
        )
        _running[str(work_dir)] = stop_event
        registry.save(record)
    job = runner.Job(request, model_request, work_dir, settings, storage_session)
    controls = runner.Controls(
        stop_requested=lambda: stop_event.is_set() or (work_dir / STOP_FILE).exists(),
        server_started=lambda process: _update(registry, name, server=process),
        parameters_resolved=lambda resolved: _update(registry, name, resolved=resolved),
    )
    threading.Thread(target=_run, args=(registry, name, job, controls), name=f"transform-{name}").start()
    return {"TransformJobArn": arn, "ResponseMetadata": botocore_model.response_metadata()}


def _run(registry: Registry, name: str, job: runner.Job, controls: runner.Controls) -> None:
    outcome = runner.run(job, controls)
    try:
        # A failure's reason names the object it failed in and its partial outputs already.
        _settle(registry, name, outcome.status, outcome.failure_reason, outcome.status != "Failed")
    finally:
        _running.pop(str(job.work_dir), None)
    # An archive extracted for the job (a model folder is used in place). Outputs left in the
    # job's folder could not be published, and the job's reason and Progress name them: kept.
    shutil.rmtree(job.work_dir / "model", ignore_errors=True)
    _remove_empty_folders(job.work_dir / "outputs")


def _remove_empty_folders(root: Path) -> None:
    for folder in sorted((path for path in root.rglob("*") if path.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    if root.is_dir() and not any(root.iterdir()):
        root.rmdir()


def _update(registry: Registry, name: str, **changes: Any) -> None:
    with registry.lock():
        record = registry.load(TransformJobRecord, name)
        if record is None or record.status not in IN_PROGRESS:
            return
        for field_name, value in changes.items():
            setattr(record, field_name, value)
        record.modified = botocore_model.now()
        registry.save(record)


def _settle(
    registry: Registry, name: str, status: str, reason: str | None, with_current_object: bool = True
) -> TransformJobRecord | None:
    """Write the final status once (with which records completed, if it ended early); later
    calls leave it as it is."""
    with registry.lock():
        record = registry.load(TransformJobRecord, name)
        if record is None or record.status not in IN_PROGRESS:
            return record
        if status != "Completed":
            state = report.read_progress(record.work_dir)
            record.interruption = report.interruption_note(state, with_current_object)
            if status == "Failed":
                reason = f"{reason} {record.interruption}" if reason else record.interruption
        record.status, record.failure_reason = status, reason if status == "Failed" else None
        record.ended = record.modified = botocore_model.now()
        registry.save(record)
        return record


# ---------------------------------------------------------------------------- observe


def _existing(registry: Registry, operation: str, name: str) -> TransformJobRecord:
    record = registry.load(TransformJobRecord, name)
    if record is None:
        raise validation_error(operation, f"Could not find requested job with name {name}")
    return record


def _runs_here(record: TransformJobRecord) -> bool:
    return str(record.work_dir) in _running


def _observe(
    settings: LocalModeSettings, registry: Registry, record: TransformJobRecord
) -> TransformJobRecord:
    """The record, after settling a job whose running process is gone."""
    if record.status not in IN_PROGRESS or _runs_here(record):
        return record
    owner = record.owner
    if owner.pid == os.getpid() or not processes.is_running(owner.pid, owner.identity):
        status = "Stopped" if record.stop_requested else "Failed"
        reason = (
            f"InternalServerError: the Python process (pid {owner.pid}) that ran this local job ended before "
            "the job did; a local transform job runs in the process that created it."
        )
        settled = _settle(registry, record.name, status, reason) or record
        if settled.server is not None:
            processes.stop_group(settled.server.pid, settled.server.identity, settings.stop_timeout_seconds)
        return settled
    return record


def describe_response(record: TransformJobRecord) -> dict[str, Any]:
    job = record.request
    response: dict[str, Any] = {
        "TransformJobName": record.name,
        "TransformJobArn": record.arn,
        "TransformJobStatus": record.status,
        "ModelName": job["ModelName"],
        "TransformInput": job["TransformInput"],
        "TransformOutput": job["TransformOutput"],
        "TransformResources": job["TransformResources"],
        "CreationTime": record.created,
    }
    for key in _RESOLVED_FIELDS:
        value = job.get(key, record.resolved.get(key))
        if value is not None:
            response[key] = value
    response.update({key: job[key] for key in _OPTIONAL_FIELDS if key in job})
    if record.failure_reason:
        response["FailureReason"] = record.failure_reason
    if record.started is not None:
        response["TransformStartTime"] = record.started
    if record.ended is not None:
        response["TransformEndTime"] = record.ended
    state = report.read_progress(record.work_dir)
    if state is not None:
        response["Progress"] = report.describe_progress(state)
    if record.interruption is not None:
        response.setdefault("Progress", {})["Interrupted"] = record.interruption
    return {**response, "ResponseMetadata": botocore_model.response_metadata()}


def describe(settings: LocalModeSettings, registry: Registry, request: dict[str, Any]) -> dict[str, Any]:
    botocore_model.validate(SAGEMAKER, "DescribeTransformJob", request)
    record = _existing(registry, "DescribeTransformJob", request["TransformJobName"])
    return describe_response(_observe(settings, registry, record))


def stop(settings: LocalModeSettings, registry: Registry, request: dict[str, Any]) -> dict[str, Any]:
    """Ask the job to stop: it ends the requests in flight, keeps the objects already written
    (and the unfinished one's first outputs as ``<object>.out.partial``)."""
    operation = "StopTransformJob"
    botocore_model.validate(SAGEMAKER, operation, request)
    name = request["TransformJobName"]
    with registry.lock():
        record = _existing(registry, operation, name)
        if record.status in IN_PROGRESS:
            record.stop_requested, record.status, record.modified = True, "Stopping", botocore_model.now()
            registry.save(record)
    if record.status == "Stopping":
        (record.work_dir / STOP_FILE).touch()
        event = _running.get(str(record.work_dir))
        if event is not None:
            event.set()
        _observe(settings, registry, record)
    return {"ResponseMetadata": botocore_model.response_metadata()}


def list_jobs(settings: LocalModeSettings, registry: Registry, request: dict[str, Any]) -> dict[str, Any]:
    """ListTransformJobs, with the filters, sorting and pages of :mod:`~sagemaker_hf.local.listing`."""
    botocore_model.validate(SAGEMAKER, listing.TRANSFORM_JOBS.operation, request)
    records = [_observe(settings, registry, record) for record in registry.all(TransformJobRecord)]
    summaries = [
        {
            "TransformJobName": record.name,
            "TransformJobArn": record.arn,
            "CreationTime": record.created,
            "LastModifiedTime": record.modified,
            "TransformJobStatus": record.status,
            **({"TransformEndTime": record.ended} if record.ended else {}),
            **({"FailureReason": record.failure_reason} if record.failure_reason else {}),
        }
        for record in records
    ]
    return listing.list_response(listing.TRANSFORM_JOBS, summaries, request)
