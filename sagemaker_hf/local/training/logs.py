"""``LocalLogsClient``: the two CloudWatch Logs calls that stream a training job's log, on local files.

A local training job's output is ``<home>/training-jobs/<job>/training.log``; here it is
the log stream ``<job>/algo-1-<creation time>`` of the group ``/aws/sagemaker/TrainingJobs``,
so the estimator streams local and SageMaker logs with the same code. Tokens are byte
offsets (``f/<offset>``); only whole lines are returned, and a line redrawn with carriage
returns (a progress bar) is returned as its last state.
"""

from __future__ import annotations

from typing import Any

from sagemaker_hf.local import botocore_model
from sagemaker_hf.local.registry import Registry
from sagemaker_hf.local.settings import LocalModeSettings
from sagemaker_hf.local.training.jobs import TrainingJobRecord

LOGS = "logs"
TRAINING_LOG_GROUP = "/aws/sagemaker/TrainingJobs"
MAX_BYTES_PER_CALL = 1024 * 1024  # CloudWatch returns at most 1 MB of events per call, too


def _stream_name(record: TrainingJobRecord) -> str:
    return f"{record.name}/algo-1-{int(record.created.timestamp())}"


class LocalLogsClient:
    """boto3's ``logs`` client, for the log streams of local training jobs."""

    def __init__(self, settings: LocalModeSettings) -> None:
        self.settings = settings
        self.registry = Registry(settings.registry_dir)
        self.exceptions = botocore_model.exceptions(LOGS)

    def __repr__(self) -> str:
        return f"LocalLogsClient(home={str(self.settings.home)!r})"

    def _not_found(self, operation: str, what: str) -> Exception:
        return botocore_model.client_error(
            LOGS, operation, "ResourceNotFoundException", f"The specified {what} does not exist."
        )

    def _check_group(self, operation: str, group: str) -> None:
        if group != TRAINING_LOG_GROUP:
            raise self._not_found(operation, "log group")

    def describe_log_streams(self, **request: Any) -> dict[str, Any]:
        operation = "DescribeLogStreams"
        botocore_model.validate(LOGS, operation, request)
        self._check_group(operation, request.get("logGroupName", ""))
        prefix = request.get("logStreamNamePrefix", "")
        streams = []
        for record in self.registry.all(TrainingJobRecord):
            name = _stream_name(record)
            if name.startswith(prefix) and record.log_path.exists():
                created = int(record.created.timestamp() * 1000)
                streams.append({"logStreamName": name, "creationTime": created, "storedBytes": 0})
        return {"logStreams": sorted(streams, key=lambda s: s["logStreamName"]), **_metadata()}

    def get_log_events(self, **request: Any) -> dict[str, Any]:
        operation = "GetLogEvents"
        botocore_model.validate(LOGS, operation, request)
        self._check_group(operation, request.get("logGroupName", ""))
        stream = request["logStreamName"]
        record = self.registry.load(TrainingJobRecord, stream.split("/", 1)[0])
        if record is None or _stream_name(record) != stream or not record.log_path.exists():
            raise self._not_found(operation, "log stream")
        token = request.get("nextToken") or "f/0"
        try:
            offset = int(token.split("/", 1)[1])
        except (IndexError, ValueError):
            raise botocore_model.client_error(
                LOGS, operation, "InvalidParameterException", f"Bad nextToken {token!r}."
            ) from None
        with open(record.log_path, "rb") as handle:
            handle.seek(offset)
            chunk = handle.read(MAX_BYTES_PER_CALL)
        whole = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits for the next call
        if not whole and len(chunk) == MAX_BYTES_PER_CALL:
            whole = chunk  # one line longer than a call's limit: hand it out in pieces
        stamp = int(record.log_path.stat().st_mtime * 1000)
        # Split on newlines only: a carriage return redraws a line, and its last state counts.
        shown = [
            line.rstrip("\r").rsplit("\r", 1)[-1] for line in whole.decode("utf-8", "replace").split("\n")
        ]
        events = [{"timestamp": stamp, "message": line, "ingestionTime": stamp} for line in shown if line]
        return {
            "events": events,
            "nextForwardToken": f"f/{offset + len(whole)}",
            "nextBackwardToken": f"b/{offset}",
            **_metadata(),
        }


def _metadata() -> dict[str, Any]:
    return {"ResponseMetadata": botocore_model.response_metadata()}
