"""Local mode's on-disk registry keeps its format: the folder and the fields of every record.

A record file written by one version must be read by the next (records refuse unknown
fields), so moving the record classes between modules must change neither. The table was
read off the code before the layout step (issue 17).
"""

from __future__ import annotations

from sagemaker_hf.local.batch.jobs import JobOwner, TransformJobRecord
from sagemaker_hf.local.registry import (
    ChildProcess,
    Deployment,
    EndpointConfigRecord,
    EndpointRecord,
    ModelRecord,
)
from sagemaker_hf.local.training.jobs import RunnerProcess, TrainingJobRecord

# class -> (its folder under <home>/registry/, or None for a part of a record; its fields)
FORMAT = {
    "ModelRecord": ("models", ("arn", "created", "name", "request")),
    "EndpointConfigRecord": ("endpoint-configs", ("arn", "created", "name", "request")),
    "EndpointRecord": (
        "endpoints",
        ("arn", "created", "current", "failure", "modified", "name", "pending", "tags", "update_failure"),
    ),
    "TransformJobRecord": (
        "transform-jobs",
        (
            "arn",
            "created",
            "ended",
            "failure_reason",
            "interruption",
            "modified",
            "name",
            "owner",
            "request",
            "resolved",
            "server",
            "started",
            "status",
            "stop_requested",
            "work_dir",
        ),
    ),
    "TrainingJobRecord": (
        "training-jobs",
        (
            "arn",
            "created",
            "ended",
            "failure_reason",
            "modified",
            "name",
            "process",
            "request",
            "secondary_status",
            "started",
            "status",
            "stop_requested",
            "transitions",
            "work_dir",
        ),
    ),
    "ChildProcess": (None, ("identity", "log_path", "model_dir", "pid", "port")),
    "Deployment": (
        None,
        ("config", "model", "process", "seen_ready", "started", "startup_timeout_seconds", "work_dir"),
    ),
    "JobOwner": (None, ("identity", "pid")),
    "RunnerProcess": (None, ("identity", "pid")),
}
CLASSES = [
    ModelRecord,
    EndpointConfigRecord,
    EndpointRecord,
    TransformJobRecord,
    TrainingJobRecord,
    ChildProcess,
    Deployment,
    JobOwner,
    RunnerProcess,
]


def test_every_record_keeps_its_folder_and_fields():
    found = {cls.__name__: (getattr(cls, "folder", None), tuple(sorted(cls.model_fields))) for cls in CLASSES}
    assert found == FORMAT
