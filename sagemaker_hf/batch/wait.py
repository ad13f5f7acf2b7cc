"""Waiting for a transform job, with its progress on the waiting line.

The one loop of :mod:`sagemaker_hf.waiting` does the waiting (its ``TRANSFORM_JOB`` row:
Completed and Stopped end the wait, as in SDK v2; a throttling error between polls is waited
out); :class:`TransformProgress` is what a transform job adds to it. When the description
carries ``Progress`` (local mode adds it: records done, records per second, objects done and
total; SageMaker's has none), the line shows it and is refreshed every second; otherwise polls
back off from 1 s to 10 s. On a terminal the line is redrawn in place; in logs a line is
written when the status changes and every 30 s.

A job stopped before it finished says which records it completed when its description does
(local mode's ``Progress["Interrupted"]``: the objects whose outputs are complete, and the
``.out.partial`` of the one it was working on): that line is printed after the progress line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from sagemaker_hf.progress import SYSTEM_CLOCK, Clock
from sagemaker_hf.waiting import TRANSFORM_JOB, Backoff, WaitHooks, wait_for_resource

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


class TransformProgress(WaitHooks):
    """A transform job's records per second on the line, and what an interrupted job completed."""

    def __init__(self, name: str) -> None:
        self.name = name

    def detail(self, description: dict[str, Any]) -> str:
        return progress_text(description.get("Progress"))

    def refresh_seconds(self, description: dict[str, Any]) -> float | None:
        return PROGRESS_REFRESH_SECONDS if description.get("Progress") else None

    def closing_line(self, description: dict[str, Any]) -> str | None:
        interrupted = (description.get("Progress") or {}).get("Interrupted")
        if not interrupted:
            return None
        status = description[TRANSFORM_JOB.status_field]
        return f"{TRANSFORM_JOB.label} {self.name}: {status}. {interrupted}"


def wait_for_transform_job(
    describe: Callable[[], dict[str, Any]],
    name: str,
    *,
    timeout: float | None = None,
    clock: Clock = SYSTEM_CLOCK,
    stream: TextIO | None = None,
) -> dict[str, Any]:
    """Poll ``describe()`` until the job is Completed or Stopped; return the last description.

    Raises :class:`~sagemaker_hf.errors.ResourceFailedError` with the job's FailureReason when
    it fails, and :class:`~sagemaker_hf.errors.WaitTimeoutError` after ``timeout`` seconds.
    """
    return wait_for_resource(
        describe,
        TRANSFORM_JOB,
        name,
        hooks=TransformProgress(name),
        timeout=timeout,
        backoff=TRANSFORM_BACKOFF,
        clock=clock,
        stream=stream,
    )
