"""Waiting for SageMaker resources: one polling loop, a table of resources, clear failures.

:func:`poll` is the one loop (endpoints, transform jobs, training jobs and asynchronous
inference results all go through it). :func:`wait_for_resource` drives it from a row of the
resource table (:class:`ResourceKind`: which status field to read, which statuses mean "wait
on", "done" and "failed", as botocore's SageMaker waiters have them, which a test checks) and
from the hooks of its kind of wait (:class:`WaitHooks`): training streams the job's log
(:mod:`sagemaker_hf.training.logs`), a transform job shows its records per second
(:mod:`sagemaker_hf.batch.wait`). Time is read and spent only through a
:class:`~sagemaker_hf.progress.Clock`, so tests inject a fake one and nothing really sleeps;
the progress line is :mod:`sagemaker_hf.progress`'s.

Throttling: every client retries in botocore's standard mode (see ``session.py``), which
absorbs a short burst of throttling answers within one call (3 attempts, backoff up to
20 s). A longer burst (many waiters polling one account) ends the call with a throttling
``ClientError`` (:data:`THROTTLING_CODES`); a waiter takes that as "no news", says so on
its progress line with the count so far, and polls again after its next, longer delay.
Any other error still ends the wait at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TextIO, TypeVar

from sagemaker_hf.errors import ResourceFailedError, WaitTimeoutError
from sagemaker_hf.progress import SYSTEM_CLOCK, Clock, ProgressLine, format_elapsed

T = TypeVar("T")

# IAM and tag changes take a while to reach SageMaker; early AccessDenied is not final.
ACCESS_DENIED_GRACE_SECONDS = 300.0
_ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied"})
# The error codes AWS services use for "slow down" (SageMaker answers ThrottlingException).
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
)


@dataclass(frozen=True)
class Backoff:
    """Delays between polls: ``initial``, growing by ``factor``, capped at ``maximum``."""

    initial: float = 3.0
    factor: float = 1.5
    maximum: float = 30.0

    def delays(self) -> Iterator[float]:
        delay = self.initial
        while True:
            yield delay
            delay = min(delay * self.factor, self.maximum)


@dataclass(frozen=True)
class ResourceKind:
    """A row of the resource table: how to read a resource's state from its Describe* response.

    ``settled_ok`` are the success states of botocore's ``waiter`` for this resource; its
    failure states, and any other status outside ``in_progress`` (``OutOfService``,
    ``Deleting``, ...), fail the wait. An ``AccessDenied`` answer is waited out for
    ``access_denied_grace`` seconds.
    """

    label: str
    status_field: str
    in_progress: frozenset[str]
    settled_ok: frozenset[str]
    waiter: str  # botocore's SageMaker waiter that has the same states
    access_denied_grace: float = 0.0


ENDPOINT = ResourceKind(
    "Endpoint",
    "EndpointStatus",
    frozenset({"Creating", "Updating", "SystemUpdating", "RollingBack"}),
    frozenset({"InService"}),
    "EndpointInService",
    access_denied_grace=ACCESS_DENIED_GRACE_SECONDS,  # the role's permissions may still be arriving
)
# An endpoint is ready in seconds (a small model, or local mode) or in many minutes (a
# large model on new instances): look early, then back off to every 30 s.
ENDPOINT_BACKOFF = Backoff(initial=0.5, factor=1.2, maximum=30.0)
TRANSFORM_JOB = ResourceKind(
    "Transform job",
    "TransformJobStatus",
    frozenset({"InProgress", "Stopping"}),
    frozenset({"Completed", "Stopped"}),
    "TransformJobCompletedOrStopped",
)
TRAINING_JOB = ResourceKind(
    "Training job",
    "TrainingJobStatus",
    frozenset({"InProgress", "Stopping"}),
    frozenset({"Completed", "Stopped"}),
    "TrainingJobCompletedOrStopped",
)
RESOURCE_KINDS = (ENDPOINT, TRANSFORM_JOB, TRAINING_JOB)


class WaitHooks:
    """What one kind of wait adds to the loop; every default adds nothing.

    Subclasses override what they need: training streams the job's log before each look and
    shows its secondary status; a transform job shows its records per second and refreshes
    every second while it reports them.
    """

    def on_poll(self) -> None:
        """Before each look at the resource."""

    def status_text(self, status: str, description: dict[str, Any]) -> str:
        """The status shown on the progress line (a change writes a new line in logs)."""
        del description
        return status

    def detail(self, description: dict[str, Any]) -> str:
        """Changing text after the status (e.g. records done); it never forces a new line."""
        del description
        return ""

    def refresh_seconds(self, description: dict[str, Any]) -> float | None:
        """The pause before the next look, instead of the backoff's; None keeps the backoff."""
        del description
        return None

    def on_settled(self, description: dict[str, Any]) -> None:
        """Once the resource left its in-progress states, whether it succeeded or not."""

    def closing_line(self, description: dict[str, Any]) -> str | None:
        """A line written after the progress line when the wait succeeded."""
        del description
        return None


class ThrottlingTolerance:
    """Counts the polls a throttling ``ClientError`` ended, and words them for the progress line."""

    def __init__(self) -> None:
        self.count = 0
        self.last_status = "waiting"

    def absorbs(self, error: Exception) -> bool:
        """Whether ``error`` is a throttling answer (counted) rather than a real failure."""
        response = getattr(error, "response", None)
        code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
        if code not in THROTTLING_CODES:
            return False
        self.count += 1
        return True

    def status(self, error: Exception) -> str:
        code = error.response["Error"]["Code"]  # type: ignore[attr-defined]
        times = "once" if self.count == 1 else f"{self.count} times"
        return f"{self.last_status} (throttled: {code} {times}; polling more slowly)"


@dataclass(frozen=True)
class Probe(Generic[T]):
    """One look at the thing being waited for: what to show, and whether (and how) it ended."""

    status: str
    done: bool = False
    value: T | None = None
    detail: str = ""
    refresh: float | None = None  # the pause before the next look, instead of the backoff's
    failure: Exception | None = None  # raised once its status line is shown


def poll(
    look: Callable[[float], Probe[T]],
    label: str,
    *,
    timeout: float | None = None,
    max_attempts: int | None = None,
    backoff: Backoff = Backoff(),
    clock: Clock = SYSTEM_CLOCK,
    stream: TextIO | None = None,
) -> T | None:
    """Call ``look(elapsed)`` until it reports done; return its value.

    Each look's status goes on the progress line, a failed one's too, before its failure is
    raised. Raises :class:`WaitTimeoutError` after ``timeout`` seconds or ``max_attempts`` looks.
    """
    progress = ProgressLine(label, stream)
    start = clock.monotonic()
    delays = backoff.delays()
    attempts = 0
    try:
        while True:
            elapsed = clock.monotonic() - start
            probe = look(elapsed)
            attempts += 1
            progress.show(probe.status, elapsed, probe.detail)
            if probe.failure is not None:
                raise probe.failure
            if probe.done:
                return probe.value
            out_of_time = timeout is not None and elapsed >= timeout
            if out_of_time or (max_attempts is not None and attempts >= max_attempts):
                raise WaitTimeoutError(
                    f"Gave up waiting for {label} after {format_elapsed(elapsed)} ({attempts} checks; "
                    f"last status: {probe.status}). It may still finish: check the SageMaker console or "
                    "wait again with a larger timeout."
                )
            delay = probe.refresh if probe.refresh is not None else next(delays)
            if timeout is not None:
                delay = max(0.0, min(delay, timeout - elapsed))
            clock.sleep(delay)
    finally:
        progress.close()


def wait_for_resource(
    describe: Callable[[], dict[str, Any]],
    kind: ResourceKind,
    name: str,
    *,
    hooks: WaitHooks | None = None,
    timeout: float | None = None,
    backoff: Backoff = Backoff(),
    clock: Clock = SYSTEM_CLOCK,
    stream: TextIO | None = None,
    access_denied_grace: float | None = None,
) -> dict[str, Any]:
    """Poll ``describe()`` until the resource settles; return the last description.

    A settled status outside ``kind.settled_ok`` (e.g. ``Failed``) raises
    :class:`ResourceFailedError` carrying the ``FailureReason``. ``access_denied_grace``
    overrides the kind's.
    """
    from botocore.exceptions import ClientError

    hooks = hooks if hooks is not None else WaitHooks()
    grace = kind.access_denied_grace if access_denied_grace is None else access_denied_grace
    throttling = ThrottlingTolerance()

    def look(elapsed: float) -> Probe[dict[str, Any]]:
        try:
            hooks.on_poll()
            description = describe()
        except ClientError as error:
            if error.response["Error"]["Code"] in _ACCESS_DENIED_CODES and elapsed < grace:
                return Probe("waiting for permissions to propagate (AccessDenied)")
            if throttling.absorbs(error):  # botocore's retries are spent: poll again, later
                return Probe(throttling.status(error))
            raise
        status = description.get(kind.status_field, "Unknown")
        shown = throttling.last_status = hooks.status_text(status, description)
        detail = hooks.detail(description)
        if status in kind.in_progress:
            return Probe(shown, detail=detail, refresh=hooks.refresh_seconds(description))
        hooks.on_settled(description)
        if status in kind.settled_ok:
            return Probe(shown, done=True, value=description, detail=detail)
        failure = ResourceFailedError(kind.label, name, status, description.get("FailureReason"))
        return Probe(shown, detail=detail, failure=failure)

    result = poll(look, f"{kind.label} {name}", timeout=timeout, backoff=backoff, clock=clock, stream=stream)
    assert result is not None  # a settled probe always carries its description
    closing = hooks.closing_line(result)
    if closing:
        out = stream if stream is not None else sys.stderr
        out.write(closing + "\n")
        out.flush()
    return result
