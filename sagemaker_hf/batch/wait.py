"""Waiting for a transform job, with its progress on the waiting line.

The status comes from DescribeTransformJob, as for any resource (:mod:`sagemaker_hf.waiting`).
When the description carries ``Progress`` (local mode adds it: records done, records
per second, objects done and total; SageMaker's has none), the line shows it and is
refreshed every second; otherwise polls back off from 1 s to 10 s. On a terminal the
line is redrawn in place; in logs a line is written when the status changes and every
30 s.

A job stopped before it finished is a success for the waiter, as in SDK v2; when its
description says which records completed (local mode's ``Progress["Interrupted"]``: the
objects whose outputs are complete, and the ``.out.partial`` of the one it was working
on), that line is printed after the progress line. A throttling error between polls is
waited out as in :func:`sagemaker_hf.waiting.wait_for_resource`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from sagemaker_hf.errors import ResourceFailedError, WaitTimeoutError
from sagemaker_hf.progress import SYSTEM_CLOCK, Clock, ProgressLine
from sagemaker_hf.waiting import TRANSFORM_JOB, Backoff, ThrottlingTolerance

TRANSFORM_BACKOFF = Backoff(initial=1.0, factor=1.5, maximum=10.0)
PROGRESS_REFRESH_SECONDS = 1.0


def progress_text(progress: dict[str, Any] | None) -> str:
    """``1,200 records (350.0/s), 0/1 objects``, or "" when there is no progress to show."""
    if not progress or "RecordsDone" not in progress:
        return ""
    return (
        f"{progress['RecordsDone']:,} records ({progress['RecordsPerSecond']:,.1f}/s), "
        f"{progress['ObjectsDone']}/{progress['ObjectsTotal']} objects"
    )


def wait_for_transform_job(
    describe: Callable[[], dict[str, Any]],
    name: str,
    *,
    timeout: float | None = None,
    clock: Clock = SYSTEM_CLOCK,
    stream: TextIO | None = None,
) -> dict[str, Any]:
    """Poll ``describe()`` until the job is Completed or Stopped; return the last description.

    Raises :class:`ResourceFailedError` with the job's FailureReason when it fails, and
    :class:`WaitTimeoutError` after ``timeout`` seconds.
    """
    from botocore.exceptions import ClientError

    label = f"{TRANSFORM_JOB.label} {name}"
    line = ProgressLine(label, stream)
    start = clock.monotonic()
    delays = TRANSFORM_BACKOFF.delays()
    throttling = ThrottlingTolerance()
    try:
        while True:
            elapsed = clock.monotonic() - start
            try:
                description = describe()
            except ClientError as error:
                if not throttling.absorbs(error):
                    raise
                status, progress = throttling.status(error), None
                line.show(status, elapsed)
            else:
                status = throttling.last_status = description.get(TRANSFORM_JOB.status_field, "Unknown")
                progress = description.get("Progress")
                line.show(status, elapsed, progress_text(progress))
                if status in TRANSFORM_JOB.settled_ok:
                    _report_interruption(line, status, progress)
                    return description
                if status not in TRANSFORM_JOB.in_progress:
                    raise ResourceFailedError(
                        TRANSFORM_JOB.label, name, status, description.get("FailureReason")
                    )
            if timeout is not None and elapsed >= timeout:
                raise WaitTimeoutError(
                    f"Gave up waiting for {label} after {elapsed:.0f} s (last status: {status}). It may "
                    "still finish: wait again with a larger timeout, or check the SageMaker console."
                )
            delay = PROGRESS_REFRESH_SECONDS if progress else next(delays)
            if timeout is not None:
                delay = max(0.0, min(delay, timeout - elapsed))
            clock.sleep(delay)
    finally:
        line.close()


def _report_interruption(line: ProgressLine, status: str, progress: dict[str, Any] | None) -> None:
    """Which records a stopped job completed, when its description says (local mode)."""
    if progress and progress.get("Interrupted"):
        line.close()
        line.stream.write(f"{line.label}: {status}. {progress['Interrupted']}\n")
        line.stream.flush()
