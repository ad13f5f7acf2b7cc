"""Session.logs_for_job (SDK v2's): a training job's CloudWatch log, printed, and followed with wait=True."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest

from sagemaker_hf.errors import ConfigurationError, ResourceFailedError
from sagemaker_hf.training.logs import LOG_GROUP, logs_for_job
from tests.sdk.conftest import FakeClock

JOB = "hf-job-2024-01-01-00-00-00-000"


def _log(session: Any, *lines: str, stream: str = "algo-1-1700000000") -> None:
    logs = session.logs_client
    if not logs.describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"]:
        logs.create_log_group(logGroupName=LOG_GROUP)
    logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=f"{JOB}/{stream}")
    now_ms = int(time.time() * 1000)  # CloudWatch refuses events older than 14 days
    logs.put_log_events(
        logGroupName=LOG_GROUP,
        logStreamName=f"{JOB}/{stream}",
        logEvents=[{"timestamp": now_ms + i, "message": line} for i, line in enumerate(lines)],
    )


def _statuses(session: Any, *descriptions: dict[str, Any]) -> list[str]:
    """DescribeTrainingJob answers these in turn (the last one again and again); returns the calls."""
    from botocore.awsrequest import AWSResponse

    calls: list[str] = []
    remaining = list(descriptions)

    def answer(event_name: str, **_: Any) -> tuple[Any, dict[str, Any]]:
        calls.append(event_name)
        current = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        return AWSResponse("http://stub", 200, {}, None), {"TrainingJobName": JOB, **current}

    session.sagemaker_client.meta.events.register("before-call.sagemaker.DescribeTrainingJob", answer)
    return calls


RUNNING = {"TrainingJobStatus": "InProgress", "SecondaryStatus": "Training"}
DONE = {"TrainingJobStatus": "Completed", "SecondaryStatus": "Completed"}


def test_without_wait_the_log_is_printed_as_it_stands(moto_session, capsys):
    _log(moto_session, "epoch 1 loss=0.9", "epoch 2 loss=0.5")
    calls = _statuses(moto_session, RUNNING)
    assert moto_session.logs_for_job(JOB) is None  # v2 returned nothing (a notebook cell shows no dict)
    assert capsys.readouterr().out.splitlines() == ["epoch 1 loss=0.9", "epoch 2 loss=0.5"]
    assert len(calls) == 1  # one look, no waiting for the running job


def test_two_instances_are_prefixed_and_log_type_none_prints_nothing(moto_session, capsys):
    _log(moto_session, "from one", stream="algo-1-1700000000")
    _log(moto_session, "from two", stream="algo-2-1700000000")
    _statuses(moto_session, DONE)
    moto_session.logs_for_job(JOB, log_type="None")
    assert capsys.readouterr().out == ""
    moto_session.logs_for_job(JOB, wait=True, log_type=True)
    assert capsys.readouterr().out.splitlines() == [
        "[algo-1-1700000000] from one",
        "[algo-2-1700000000] from two",
    ]


def test_wait_follows_the_job_looking_at_least_every_poll_seconds(moto_session):
    _log(moto_session, "step 1")
    _statuses(moto_session, RUNNING, RUNNING, RUNNING, RUNNING, RUNNING, RUNNING, DONE)
    clock, log_out, progress = FakeClock(), io.StringIO(), io.StringIO()
    description = logs_for_job(
        moto_session, JOB, wait=True, poll=2, clock=clock, log_out=log_out, stream=progress
    )
    assert description["TrainingJobStatus"] == "Completed"
    assert log_out.getvalue() == "step 1\n"
    assert clock.sleeps and max(clock.sleeps) == 2  # never longer than poll


def test_a_timeout_stops_following_as_v2_did(moto_session):
    _statuses(moto_session, RUNNING)
    clock, progress = FakeClock(), io.StringIO()
    description = logs_for_job(moto_session, JOB, wait=True, poll=5, timeout=30, clock=clock, stream=progress)
    assert description["TrainingJobStatus"] == "InProgress"
    assert "Timeout Exceeded. 30 seconds elapsed." in progress.getvalue()


def test_a_failed_job_raises_when_waited_for(moto_session):
    _statuses(moto_session, {"TrainingJobStatus": "Failed", "FailureReason": "AlgorithmError: boom"})
    with pytest.raises(ResourceFailedError, match="AlgorithmError: boom"):
        moto_session.logs_for_job(JOB, wait=True)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"log_type": "Everything"}, "log_type='Everything' is not a log type"),
        ({"poll": 0}, "poll=0 must be a number of seconds"),
        ({"wait": "yes"}, "wait=...): got str 'yes'; expected bool"),
    ],
)
def test_bad_arguments_are_named(moto_session, arguments, words):
    with pytest.raises(ConfigurationError) as raised:
        moto_session.logs_for_job(JOB, **arguments)
    assert words in str(raised.value)
