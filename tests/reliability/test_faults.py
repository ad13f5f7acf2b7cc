"""Faults (issue 9): processes that die, jobs that are interrupted, an API that throttles.

Each fault is injected for real, and the test asserts what a user sees afterwards.

- A toolkit worker killed mid-request: covered in
  ``tests/toolkit/test_server_lifecycle.py::test_a_killed_worker_fails_its_request_and_is_restarted``
  (the request gets a 500 ``WorkerDiedError`` naming the pid and SIGKILL, the worker is
  restarted, the next request succeeds). Here, the same through a *local endpoint*: the
  endpoint stays InService and answers again.
- A local endpoint whose server process group is SIGKILLed: ``describe_endpoint`` says
  Failed, with a FailureReason naming the signal and the log's last lines; ``predict``
  fails at once with that reason; ``delete_endpoint`` cleans up. (A made-up record of a
  dead process: ``tests/local/test_stale_records.py``.)
- An interrupted local transform job reports which records completed: a job failing in its
  second object, and a job stopped inside its second object (a stop from another process
  and an owner process killed mid-job: ``tests/batch/test_job_processes.py``).
- Throttling: a proxy in front of the moto server answers ``ThrottlingException``
  (throttling_proxy.py); botocore's standard retries absorb a short burst, the waiters
  outlast a longer one, and a real error still fails at once.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import signal
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.local import processes
from sagemaker_hf.local.registry import EndpointRecord
from tests.batch.conftest import output_lines, write_jsonl
from tests.fixtures.local_mode import LOCAL_VERSIONS
from tests.local.conftest import error_code, wait_in_service

DEADLINE_SECONDS = 60.0


def _until(condition: Any, what: str, timeout: float = DEADLINE_SECONDS) -> Any:
    """Poll ``condition()`` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"waited {timeout:g} s for {what}"
        time.sleep(0.05)
    return value


# ---------------------------------------------------------------------------- local endpoints


@pytest.fixture(scope="module")
def endpoint(local_home: Path, tiny_models: Any) -> Iterator[Any]:
    """A real local endpoint serving the tiny text classifier (deleted at the end, whatever happened)."""
    model = HuggingFaceModel(model_data=str(tiny_models["text-classification"]), **LOCAL_VERSIONS)
    predictor = model.deploy(initial_instance_count=1, instance_type="local", wait=False)
    try:
        wait_in_service(predictor.sagemaker_session, predictor.endpoint_name)
        yield predictor
    finally:
        with contextlib.suppress(ClientError):
            predictor.delete_endpoint()


def _record(predictor: Any) -> EndpointRecord:
    return predictor.sagemaker_session.sagemaker_client.registry.load(EndpointRecord, predictor.endpoint_name)


def _server_info(port: int) -> dict[str, Any] | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/info")
        return json.loads(connection.getresponse().read())
    except OSError:
        return None
    finally:
        connection.close()


def _status(predictor: Any) -> dict[str, Any]:
    client = predictor.sagemaker_session.sagemaker_client
    return client.describe_endpoint(EndpointName=predictor.endpoint_name)


def test_a_killed_worker_of_a_local_endpoint_is_restarted_and_the_endpoint_stays_in_service(endpoint):
    process = _record(endpoint).current.process
    [worker] = _server_info(process.port)["workers"]
    os.kill(worker["pid"], signal.SIGKILL)
    assert _status(endpoint)["EndpointStatus"] == "InService"  # while the worker restarts

    def workers() -> list[tuple[str, int]]:
        return [(w["state"], w["restarts"]) for w in (_server_info(process.port) or {}).get("workers", [])]

    _until(lambda: workers() == [("ready", 1)], "the worker to be restarted")
    restarted = _server_info(process.port)["workers"]
    assert restarted[0]["pid"] != worker["pid"]
    # The front never went away: the endpoint is still InService and answers again.
    assert _status(endpoint)["EndpointStatus"] == "InService"
    result = endpoint.predict({"inputs": "still here"})
    assert result[0]["label"] in {"NEGATIVE", "POSITIVE"}
    assert processes.is_running(process.pid, process.identity)


@pytest.mark.timeout(45)  # predict must fail at once, not wait out its 70 s read timeout
def test_a_local_endpoint_whose_processes_are_killed_is_failed_with_the_reason(endpoint):
    process = _record(endpoint).current.process
    work_dir = _record(endpoint).current.work_dir
    os.killpg(process.pid, signal.SIGKILL)  # the front and its workers: the whole container is gone
    _until(lambda: not processes.is_running(process.pid, process.identity), "the server to die")

    described = _status(endpoint)
    assert described["EndpointStatus"] == "Failed"
    reason = described["FailureReason"]
    assert f"the server process (pid {process.pid}) was killed by SIGKILL" in reason
    assert f"Last lines of {process.log_path}" in reason
    assert processes.log_tail(process.log_path).splitlines()[-1] in reason

    with pytest.raises(ClientError) as raised:
        endpoint.predict({"inputs": "anyone there?"})
    assert error_code(raised.value) == "ValidationError"
    message = raised.value.response["Error"]["Message"]
    assert f"Endpoint {endpoint.endpoint_name} is not in service (status Failed)" in message
    assert "killed by SIGKILL" in message

    endpoint.delete_endpoint()
    client = endpoint.sagemaker_session.sagemaker_client
    with pytest.raises(ClientError, match="Could not find endpoint"):
        client.describe_endpoint(EndpointName=endpoint.endpoint_name)
    assert not work_dir.exists()
    assert work_dir not in processes.marked_processes(client.settings.home).values()


# ---------------------------------------------------------------------------- interrupted jobs

# Records go through one at a time; a record with "gate" waits (bounded) until the file it
# names exists, so a test can stop the job there.
GATED_CODE = """
    import os
    import time

    def model_fn(model_dir):
        return "gated"

    def predict_fn(data, model):
        if data.get("gate"):
            open(data["gate"] + ".reached", "w").close()
            deadline = time.monotonic() + 60
            while not os.path.exists(data["gate"]) and time.monotonic() < deadline:
                time.sleep(0.02)
        return {"id": data["id"]}
"""


@pytest.fixture(scope="module")
def gated_model(local_session: Any, tmp_path_factory: pytest.TempPathFactory) -> HuggingFaceModel:
    code_dir = tmp_path_factory.mktemp("gated-code")
    (code_dir / "inference.py").write_text(textwrap.dedent(GATED_CODE))
    return HuggingFaceModel(
        entry_point="inference.py",
        source_dir=str(code_dir),
        sagemaker_session=local_session,
        **LOCAL_VERSIONS,
    )


def _inputs(folder: Path, special: dict[str, Any]) -> Path:
    """a.jsonl (10 records), b.jsonl (10, its record 5 carries ``special``), c.jsonl (10)."""
    write_jsonl(folder / "a.jsonl", 10)
    write_jsonl(folder / "c.jsonl", 10, first=20)
    lines = [{"id": number, "inputs": "text"} for number in range(10, 20)]
    lines[5].update(special)
    (folder / "b.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return folder


def _transformer(model: HuggingFaceModel, output: Path) -> Any:
    return model.transformer(
        1,
        "local",
        strategy="SingleRecord",
        assemble_with="Line",
        output_path=str(output),
        max_concurrent_transforms=1,
        max_payload=1,
    )


def test_a_failed_job_names_the_objects_it_completed_and_keeps_the_partial_one(gated_model, tmp_path):
    from sagemaker_hf.errors import ResourceFailedError

    data = _inputs(tmp_path / "in", {"inputs": "x" * 1_100_000})  # over MaxPayloadInMB=1
    output = tmp_path / "out"
    transformer = _transformer(gated_model, output)
    with pytest.raises(ResourceFailedError) as raised:
        transformer.transform(str(data), content_type="application/jsonlines", split_type="Line")
    reason = raised.value.failure_reason
    assert "ClientError: b.jsonl line 6: the record is 1,100,0" in reason
    assert (
        f"The 5 records before it were transformed; their outputs are in {output}/b.jsonl.out.partial"
        in reason
    )
    assert (
        "1 of 3 input objects completed (a.jsonl; each has its <name>.out in the output path). 1 not started."
        in (reason)
    )
    assert [json.loads(line)["id"] for line in output_lines(output / "a.jsonl.out")] == list(range(10))
    assert [json.loads(line)["id"] for line in output_lines(output / "b.jsonl.out.partial")] == list(
        range(10, 15)
    )
    assert sorted(path.name for path in output.iterdir()) == ["a.jsonl.out", "b.jsonl.out.partial"]
    objects = transformer.describe()["Progress"]["Objects"]
    assert [(item["Name"], item["Status"], item["RecordsDone"]) for item in objects] == [
        ("a.jsonl", "Completed", 10),
        ("b.jsonl", "Partial", 5),
    ]


def test_a_stopped_job_publishes_its_partial_outputs_and_says_which_records_completed(
    gated_model, tmp_path, capsys
):
    gate = tmp_path / "gate"
    data = _inputs(tmp_path / "in", {"gate": str(gate)})
    output = tmp_path / "out"
    transformer = _transformer(gated_model, output)
    transformer.transform(str(data), content_type="application/jsonlines", split_type="Line", wait=False)

    _until(Path(f"{gate}.reached").exists, "the job to reach record 6 of b.jsonl")
    client = transformer.sagemaker_session.sagemaker_client
    client.stop_transform_job(TransformJobName=transformer.latest_transform_job)
    gate.touch()  # the record in flight ends; the job stops before the next one
    job = transformer.wait()

    assert job["TransformJobStatus"] == "Stopped" and "FailureReason" not in job
    note = job["Progress"]["Interrupted"]
    partial = output / "b.jsonl.out.partial"
    count = job["Progress"]["Objects"][-1]["RecordsDone"]
    assert count in (5, 6)  # the stop may land before or after the gated record's answer is written
    assert note == (
        "1 of 3 input objects completed (a.jsonl; each has its <name>.out in the output path). "
        f"b.jsonl: its first {count} records were transformed; their outputs are in {partial}. 1 not started."
    )
    assert [json.loads(line)["id"] for line in output_lines(partial)] == list(range(10, 10 + count))
    assert sorted(path.name for path in output.iterdir()) == ["a.jsonl.out", "b.jsonl.out.partial"]
    # Transformer.wait() shows it where the user looks.
    assert f"Stopped. {note}" in capsys.readouterr().err


# ---------------------------------------------------------------------------- throttling


@pytest.fixture
def throttled_session(
    moto_endpoint: str, moto_role_arn: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """(a Session whose SageMaker calls go through a throttling proxy, the proxy); one endpoint exists."""
    import sagemaker_hf
    from tests.reliability.throttling_proxy import ThrottlingProxy

    with ThrottlingProxy(moto_endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", proxy.url)
        session = sagemaker_hf.Session()
        client = session.sagemaker_client
        client.create_model(
            ModelName="m", ExecutionRoleArn=moto_role_arn, PrimaryContainer={"Image": "image:latest"}
        )
        variant = {"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.m5.large"}
        client.create_endpoint_config(
            EndpointConfigName="c", ProductionVariants=[{**variant, "InitialInstanceCount": 1}]
        )
        client.create_endpoint(EndpointName="ep", EndpointConfigName="c")
        yield session, proxy


def _wait_endpoint(session: Any, name: str, stream: io.StringIO) -> dict[str, Any]:
    from sagemaker_hf.waiting import ENDPOINT, Backoff, wait_for_resource

    client = session.sagemaker_client
    quick = Backoff(initial=0.01, factor=1.0, maximum=0.01)  # the waiter's own delay only; botocore's is real
    return wait_for_resource(
        lambda: client.describe_endpoint(EndpointName=name), ENDPOINT, name, backoff=quick, stream=stream
    )


def test_a_short_throttling_burst_is_absorbed_by_botocores_retries(throttled_session):
    session, proxy = throttled_session
    assert session.sagemaker_client.meta.config.retries["mode"] == "standard"
    proxy.throttle("DescribeEndpoint", 2)  # standard mode: 3 attempts, so 2 retries
    described = session.sagemaker_client.describe_endpoint(EndpointName="ep")
    assert described["EndpointStatus"] == "InService"
    assert described["ResponseMetadata"]["RetryAttempts"] == 2
    assert (proxy.throttled["DescribeEndpoint"], proxy.forwarded["DescribeEndpoint"]) == (2, 1)


def test_a_long_throttling_burst_is_outlasted_by_the_endpoint_waiter(throttled_session):
    session, proxy = throttled_session
    proxy.throttle("DescribeEndpoint", 7)  # two whole calls' worth of attempts, and one more
    with pytest.raises(ClientError) as raised:  # one call alone gives up: botocore's budget is spent
        session.sagemaker_client.describe_endpoint(EndpointName="ep")
    assert error_code(raised.value) == "ThrottlingException"
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    stream = io.StringIO()
    assert _wait_endpoint(session, "ep", stream)["EndpointStatus"] == "InService"
    assert (proxy.throttled["DescribeEndpoint"], proxy.forwarded["DescribeEndpoint"]) == (7, 1)
    assert (
        "Endpoint ep: waiting (throttled: ThrottlingException once; polling more slowly)" in stream.getvalue()
    )
    assert "Endpoint ep: InService" in stream.getvalue()


def test_a_real_error_still_ends_the_wait_at_once(throttled_session):
    session, proxy = throttled_session
    with pytest.raises(ClientError) as raised:
        _wait_endpoint(session, "no-such-endpoint", io.StringIO())
    assert error_code(raised.value) == "ValidationException"
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert proxy.forwarded["DescribeEndpoint"] == 1


def test_the_transform_waiter_outlasts_throttling_too(throttled_session):
    from sagemaker_hf.batch.wait import wait_for_transform_job

    session, proxy = throttled_session
    client = session.sagemaker_client
    client.create_transform_job(
        TransformJobName="job",
        ModelName="m",
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in/"}}},
        TransformOutput={"S3OutputPath": "s3://b/out/"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
    )
    proxy.throttle("DescribeTransformJob", 4)
    stream = io.StringIO()
    job = wait_for_transform_job(
        lambda: client.describe_transform_job(TransformJobName="job"),
        "job",
        clock=_QuickClock(),
        stream=stream,
    )
    assert job["TransformJobStatus"] == "Completed"
    assert proxy.throttled["DescribeTransformJob"] == 4
    assert "Transform job job: waiting (throttled: ThrottlingException once; polling more slowly)" in (
        stream.getvalue()
    )


class _QuickClock:
    """The real clock, with the waiter's own delays between polls cut to 10 ms."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, 0.01))


def test_the_training_waiter_outlasts_throttling_too(throttled_session, moto_role_arn):
    from sagemaker_hf.training.logs import wait_for_training_job

    session, proxy = throttled_session
    session.sagemaker_client.create_training_job(
        TrainingJobName="training",
        AlgorithmSpecification={"TrainingImage": "image:latest", "TrainingInputMode": "File"},
        RoleArn=moto_role_arn,
        OutputDataConfig={"S3OutputPath": "s3://b/out/"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )
    proxy.throttle("DescribeTrainingJob", 4)
    stream = io.StringIO()
    job = wait_for_training_job(session, "training", logs=False, clock=_QuickClock(), stream=stream)
    assert job["TrainingJobStatus"] == "Completed"
    assert proxy.throttled["DescribeTrainingJob"] == 4
    assert "Training job training: waiting (throttled: ThrottlingException once; polling more slowly)" in (
        stream.getvalue()
    )
