"""waiting.py and progress.py with an injected clock: progress, AccessDenied tolerance, failures, timeouts."""

from __future__ import annotations

import ast
import io
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import waiting
from sagemaker_hf.errors import ResourceFailedError, WaitTimeoutError
from sagemaker_hf.progress import ProgressLine, TransferProgress
from sagemaker_hf.waiting import (
    ENDPOINT,
    RESOURCE_KINDS,
    TRAINING_JOB,
    TRANSFORM_JOB,
    Backoff,
    ResourceKind,
    wait_for_resource,
)
from tests.sdk.conftest import FakeClock


class TtyStream(io.StringIO):
    def isatty(self) -> bool:
        return True


def _describer(*answers: Any):
    """describe() returning (or raising) each answer in turn, then repeating the last."""
    queue = list(answers)

    def describe() -> dict[str, Any]:
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return describe


def _denied() -> ClientError:
    return ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "DescribeEndpoint")


def test_polls_with_backoff_until_in_service():
    clock, stream = FakeClock(), io.StringIO()
    describe = _describer(*[{"EndpointStatus": "Creating"}] * 6, {"EndpointStatus": "InService", "X": 1})
    result = wait_for_resource(describe, ENDPOINT, "ep", clock=clock, stream=stream)
    assert result == {"EndpointStatus": "InService", "X": 1}
    assert clock.sleeps == [3.0, 4.5, 6.75, 10.125, 15.1875, 22.78125]
    lines = stream.getvalue().splitlines()
    # Not a terminal: one line per status change (and a heartbeat every 30 s).
    assert lines == [
        "Endpoint ep: Creating (0m00s)",
        "Endpoint ep: Creating (0m39s)",
        "Endpoint ep: InService (1m02s)",
    ]


def test_backoff_caps_at_thirty_seconds():
    delays = Backoff().delays()
    assert [round(next(delays), 2) for _ in range(10)][-3:] == [30.0, 30.0, 30.0]


def test_terminal_redraws_one_line():
    clock, stream = FakeClock(), TtyStream()
    describe = _describer({"TransformJobStatus": "InProgress"}, {"TransformJobStatus": "Completed"})
    wait_for_resource(describe, TRANSFORM_JOB, "job", clock=clock, stream=stream)
    output = stream.getvalue()
    assert output.count("\r") == 2
    # Padded with spaces to blank out the longer previous text, then ended once.
    assert output.split("\r")[-1] == "Transform job job: Completed (0m03s) \n"


def test_failed_status_carries_failure_reason():
    describe = _describer(
        {"TrainingJobStatus": "InProgress"},
        {"TrainingJobStatus": "Failed", "FailureReason": "AlgorithmError: CUDA out of memory"},
    )
    with pytest.raises(ResourceFailedError) as raised:
        wait_for_resource(describe, TRAINING_JOB, "train-1", clock=FakeClock(), stream=io.StringIO())
    assert raised.value.failure_reason == "AlgorithmError: CUDA out of memory"
    assert (
        str(raised.value)
        == "Training job 'train-1' ended with status Failed: AlgorithmError: CUDA out of memory"
    )


def test_out_of_service_endpoint_is_a_failure_too():
    describe = _describer({"EndpointStatus": "OutOfService"})
    with pytest.raises(ResourceFailedError, match="SageMaker gave no FailureReason"):
        wait_for_resource(describe, ENDPOINT, "ep", clock=FakeClock(), stream=io.StringIO())


def test_access_denied_is_tolerated_at_first():
    clock, stream = FakeClock(), io.StringIO()
    describe = _describer(_denied(), _denied(), {"EndpointStatus": "InService"})
    assert (
        wait_for_resource(describe, ENDPOINT, "ep", clock=clock, stream=stream)["EndpointStatus"]
        == "InService"
    )
    assert "AccessDenied" in stream.getvalue()


def test_access_denied_after_the_grace_period_is_raised():
    clock = FakeClock()
    describe = _describer(_denied())
    with pytest.raises(ClientError, match="AccessDenied"):
        wait_for_resource(describe, ENDPOINT, "ep", clock=clock, stream=io.StringIO(), access_denied_grace=60)
    assert 60 <= clock.now < 120


def test_other_errors_are_raised_at_once():
    error = ClientError({"Error": {"Code": "ValidationException", "Message": "Could not find"}}, "Describe")
    clock = FakeClock()
    with pytest.raises(ClientError, match="Could not find"):
        wait_for_resource(_describer(error), ENDPOINT, "ep", clock=clock, stream=io.StringIO())
    assert clock.sleeps == []


def test_timeout():
    clock, stream = FakeClock(), io.StringIO()
    with pytest.raises(WaitTimeoutError, match="last status: Creating") as raised:
        wait_for_resource(
            _describer({"EndpointStatus": "Creating"}),
            ENDPOINT,
            "ep",
            timeout=100,
            clock=clock,
            stream=stream,
        )
    assert isinstance(raised.value, TimeoutError)
    assert clock.now == 100  # the last sleep is cut to the deadline
    assert "1m40s" in str(raised.value)


def test_heartbeat_lines_when_not_a_terminal():
    stream = io.StringIO()
    progress = ProgressLine("Endpoint ep", stream, heartbeat=30)
    for elapsed in (0, 10, 20, 31, 40, 62):
        progress.show("Creating", elapsed)
    assert stream.getvalue().splitlines() == [
        "Endpoint ep: Creating (0m00s)",
        "Endpoint ep: Creating (0m31s)",
        "Endpoint ep: Creating (1m02s)",
    ]


def test_transfer_progress_throttles_and_finishes():
    clock, stream = FakeClock(), io.StringIO()
    progress = TransferProgress("Uploading s3://b/model.tar.gz", 300_000_000, stream, clock, min_bytes=0)
    for _ in range(30):
        clock.now += 1
        progress.add(10_000_000)
    progress.close()
    # Not a terminal: a line when the status changes, not one per chunk.
    assert stream.getvalue().splitlines() == [
        "Uploading s3://b/model.tar.gz: in progress 10/300 MB (0m01s)",
        "Uploading s3://b/model.tar.gz: done 300/300 MB (0m30s)",
    ]


def test_transfer_progress_on_a_terminal_redraws_at_most_twice_a_second():
    clock, stream = FakeClock(), TtyStream()
    progress = TransferProgress("Packing model.tar.gz", 100, stream, clock, min_bytes=0)
    for _ in range(10):
        clock.now += 0.1
        progress.add(10)
    progress.close()
    assert stream.getvalue().count("\r") == 3  # at 0.1 s, 0.6 s and the final 100 %
    assert stream.getvalue().endswith("\n")


def test_small_transfers_are_silent():
    stream = io.StringIO()
    progress = TransferProgress("Packing model.tar.gz", 1_000, stream)
    progress.add(1_000)
    progress.close()
    assert stream.getvalue() == ""


def _throttled(code: str = "ThrottlingException") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "Rate exceeded"}}, "DescribeEndpoint")


def test_throttling_between_polls_is_waited_out_with_the_count_shown():
    clock, stream = FakeClock(), io.StringIO()
    describe = _describer(
        {"EndpointStatus": "Creating"},
        _throttled(),
        _throttled("TooManyRequestsException"),
        {"EndpointStatus": "InService"},
    )
    assert (
        wait_for_resource(describe, ENDPOINT, "ep", clock=clock, stream=stream)["EndpointStatus"]
        == "InService"
    )
    assert stream.getvalue().splitlines() == [
        "Endpoint ep: Creating (0m00s)",
        "Endpoint ep: Creating (throttled: ThrottlingException once; polling more slowly) (0m03s)",
        "Endpoint ep: Creating (throttled: TooManyRequestsException 2 times; polling more slowly) (0m07s)",
        "Endpoint ep: InService (0m14s)",
    ]
    assert clock.sleeps == [3.0, 4.5, 6.75]  # the usual backoff keeps growing through the throttling


@pytest.mark.parametrize("kind", RESOURCE_KINDS, ids=lambda kind: kind.waiter)
def test_the_resource_table_agrees_with_botocores_waiters(kind: ResourceKind):
    # botocore's waiters-2.json is AWS's own statement of which statuses end a wait and how;
    # the one loop reads the same states from its table.
    session = botocore.session.get_session()
    waiter = session.get_waiter_model("sagemaker").get_waiter(kind.waiter)
    states: dict[str, set[str]] = {"success": set(), "failure": set()}
    for acceptor in waiter.acceptors:
        if acceptor.matcher == "path":
            assert acceptor.argument == kind.status_field
            states[acceptor.state].add(acceptor.expected)
    assert states["success"] == set(kind.settled_ok)
    assert states["failure"]  # e.g. {"Failed"}: outside both sets, so the loop fails on it
    assert states["failure"].isdisjoint(kind.in_progress | kind.settled_ok)
    operation = session.get_service_model("sagemaker").operation_model(waiter.operation)
    statuses = set(operation.output_shape.members[kind.status_field].enum)
    assert kind.in_progress | kind.settled_ok | states["failure"] <= statuses


def test_a_failed_status_is_shown_before_it_is_raised():
    stream = io.StringIO()
    describe = _describer({"EndpointStatus": "Creating"}, {"EndpointStatus": "Failed", "FailureReason": "no"})
    with pytest.raises(ResourceFailedError):
        wait_for_resource(describe, ENDPOINT, "ep", clock=FakeClock(), stream=stream)
    assert stream.getvalue().splitlines()[-1].startswith("Endpoint ep: Failed (")


def test_the_workflows_wait_only_through_the_one_loop():
    # hosting, batch and training never sleep themselves: every wait is waiting.poll's
    package = Path(waiting.__file__).parent
    sleeps = [
        f"{path.relative_to(package)}:{node.lineno}"
        for folder in ("hosting", "batch", "training")
        for path in sorted((package / folder).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "sleep"
    ]
    assert sleeps == []
