"""Waiting for a training job, with its log streamed while it runs.

The one loop of :mod:`sagemaker_hf.waiting` does the waiting (its ``TRAINING_JOB`` row);
:class:`TrainingLog` is what a training job adds to it: the log's new lines before each look,
the secondary status (``InProgress - Training``), and the billed seconds at the end.

Logs are read through the CloudWatch Logs API shape (``describe_log_streams`` and
``get_log_events`` on ``/aws/sagemaker/TrainingJobs``, streams named ``<job>/<host>-…``)
from ``session.logs_client``: CloudWatch on AWS, the job's log file in local mode. A log
group that does not exist yet is simply an empty log; any other logs error stops the
streaming with a warning, never the wait.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import Any, TextIO

from sagemaker_hf.errors import ConfigurationError, WaitTimeoutError
from sagemaker_hf.progress import SYSTEM_CLOCK, Clock
from sagemaker_hf.waiting import TRAINING_JOB, Backoff, WaitHooks, wait_for_resource

logger = logging.getLogger(__name__)

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
_MISSING_CODES = frozenset({"ResourceNotFoundException"})
# A local job of a few seconds is noticed within a second or two; a SageMaker job's log
# still arrives at least every 10 s (SDK v2 polled every 5 to 10 s).
TRAINING_BACKOFF = Backoff(initial=1.0, factor=1.5, maximum=10.0)


class LogTail:
    """Writes the lines a job's log streams gained since the last :meth:`flush`."""

    def __init__(self, logs_client: Any, job_name: str, out: TextIO | None = None) -> None:
        self.client = logs_client
        self.job_name = job_name
        self.out = out if out is not None else sys.stdout
        self.enabled = True
        self._tokens: dict[str, str | None] = {}

    def _stream_names(self) -> list[str]:
        names: list[str] = []
        request: dict[str, Any] = {"logGroupName": LOG_GROUP, "logStreamNamePrefix": f"{self.job_name}/"}
        while True:
            response = self.client.describe_log_streams(**request)
            names += [stream["logStreamName"] for stream in response.get("logStreams", [])]
            if not response.get("nextToken"):
                return sorted(names)
            request["nextToken"] = response["nextToken"]

    def _new_messages(self, stream: str) -> list[str]:
        messages: list[str] = []
        while True:
            request: dict[str, Any] = {
                "logGroupName": LOG_GROUP,
                "logStreamName": stream,
                "startFromHead": True,
            }
            if self._tokens.get(stream):
                request["nextToken"] = self._tokens[stream]
            response = self.client.get_log_events(**request)
            events = response.get("events", [])
            self._tokens[stream] = response.get("nextForwardToken") or self._tokens.get(stream)
            messages += [event["message"] for event in events]
            if not events:
                return messages

    def flush(self) -> int:
        """Write what is new; returns the number of lines written."""
        if not self.enabled:
            return 0
        from botocore.exceptions import ClientError

        written = 0
        try:
            streams = self._stream_names()
            for stream in streams:
                # With several instances, say which one a line comes from (streams are <job>/<host>-<id>).
                prefix = f"[{stream.split('/', 1)[-1]}] " if len(streams) > 1 else ""
                for message in self._new_messages(stream):
                    self.out.write(f"{prefix}{message.rstrip(chr(10))}\n")
                    written += 1
        except ClientError as error:
            if error.response["Error"]["Code"] not in _MISSING_CODES:
                self.enabled = False
                logger.warning("Stopped streaming the logs of %s: %s", self.job_name, error)
        if written:
            self.out.flush()
        return written


def _status_text(description: dict[str, Any]) -> str:
    status = description.get("TrainingJobStatus", "Unknown")
    secondary = description.get("SecondaryStatus")
    return f"{status} - {secondary}" if secondary and secondary != status else status


def _summary(description: dict[str, Any]) -> str | None:
    training, billable = description.get("TrainingTimeInSeconds"), description.get("BillableTimeInSeconds")
    if training is None:
        return None
    text = f"Training seconds: {training}"
    if billable is not None:
        text += f", billable seconds: {billable}"
        if description.get("EnableManagedSpotTraining") and training:
            text += f", managed spot training savings: {(1 - billable / training) * 100:.1f}%"
    return text


class TrainingLog(WaitHooks):
    """A training job's log streamed while it runs, its secondary status, and its billed time."""

    def __init__(self, tail: LogTail | None) -> None:
        self.tail = tail

    def on_poll(self) -> None:
        if self.tail is not None:
            self.tail.flush()

    def status_text(self, status: str, description: dict[str, Any]) -> str:
        return _status_text(description)

    def on_settled(self, description: dict[str, Any]) -> None:
        self.on_poll()  # the lines written between the last read and the end

    def closing_line(self, description: dict[str, Any]) -> str | None:
        return _summary(description)


def wait_for_training_job(
    session: Any,
    job_name: str,
    logs: bool = True,
    *,
    timeout: float | None = None,
    backoff: Backoff = TRAINING_BACKOFF,
    clock: Clock = SYSTEM_CLOCK,
    stream: TextIO | None = None,
    log_out: TextIO | None = None,
) -> dict[str, Any]:
    """Poll DescribeTrainingJob until the job settles, streaming its log when ``logs``.

    Progress (``InProgress - Training (1m05s)``) goes to ``stream`` (stderr), log lines
    to ``log_out`` (stdout). Returns the last description; a Failed job raises
    :class:`~sagemaker_hf.errors.ResourceFailedError` carrying its ``FailureReason``.
    """
    client = session.sagemaker_client
    tail = LogTail(session.logs_client, job_name, log_out) if logs else None
    return wait_for_resource(
        lambda: client.describe_training_job(TrainingJobName=job_name),
        TRAINING_JOB,
        job_name,
        hooks=TrainingLog(tail),
        timeout=timeout,
        backoff=backoff,
        clock=clock,
        stream=stream,
    )


LOG_TYPES = ("All", "None", "Training", "Rules")


def logs_for_job(
    session: Any,
    job_name: str,
    wait: bool = False,
    poll: float = 10,
    log_type: str | bool = "All",
    timeout: float | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
    stream: TextIO | None = None,
    log_out: TextIO | None = None,
) -> dict[str, Any]:
    """SDK v2's ``Session.logs_for_job``: print a training job's log; with ``wait``, until it ends.

    Without ``wait`` the log is printed as it stands and the job's status is not checked.
    With ``wait`` the log is followed (looking at least every ``poll`` seconds) until the
    job settles, and a failed job raises
    :class:`~sagemaker_hf.errors.ResourceFailedError`; past ``timeout`` seconds it stops
    following with a line that says so, as v2 did. ``log_type`` is v2's: ``"All"`` or
    ``"Training"`` (or True) print the log, ``"None"`` (or False) only waits; ``"Rules"``
    printed Debugger rule statuses, which are never run here, so it prints nothing.
    Returns the job's last description.
    """
    if isinstance(log_type, bool):
        log_type = "All" if log_type else "None"
    if log_type not in LOG_TYPES:
        choices = ", ".join(LOG_TYPES)
        raise ConfigurationError(f"log_type={log_type!r} is not a log type; use one of {choices}.")
    if not isinstance(poll, (int, float)) or isinstance(poll, bool) or poll <= 0:
        raise ConfigurationError(f"poll={poll!r} must be a number of seconds > 0, e.g. poll=10.")
    show_log = log_type in ("All", "Training")
    if not wait:
        description = session.sagemaker_client.describe_training_job(TrainingJobName=job_name)
        if show_log:
            LogTail(session.logs_client, job_name, log_out).flush()
        return description
    # poll caps the pause between looks; a short job is still noticed within a second or two.
    backoff = Backoff(min(TRAINING_BACKOFF.initial, poll), TRAINING_BACKOFF.factor, maximum=poll)
    try:
        return wait_for_training_job(
            session,
            job_name,
            show_log,
            timeout=timeout,
            backoff=backoff,
            clock=clock,
            stream=stream,
            log_out=log_out,
        )
    except WaitTimeoutError:
        (stream or sys.stderr).write(f"Timeout Exceeded. {timeout} seconds elapsed.\n")
        return session.sagemaker_client.describe_training_job(TrainingJobName=job_name)


@dataclass
class TrainingJob:
    """A started training job (SDK v2's ``estimator.latest_training_job``)."""

    name: str
    sagemaker_session: Any

    @property
    def job_name(self) -> str:
        return self.name

    def describe(self) -> dict[str, Any]:
        return self.sagemaker_session.sagemaker_client.describe_training_job(TrainingJobName=self.name)

    def wait(self, logs: bool = True, timeout: float | None = None) -> dict[str, Any]:
        return wait_for_training_job(self.sagemaker_session, self.name, logs, timeout=timeout)

    def stop(self) -> None:
        self.sagemaker_session.sagemaker_client.stop_training_job(TrainingJobName=self.name)
