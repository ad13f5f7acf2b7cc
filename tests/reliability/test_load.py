"""A bounded load test, CI's size: 32 clients for 20 s against a local endpoint.

One tiny sentence-similarity model is deployed with ``deploy(1, instance_type="local")`` and the
server's default batching and queue settings. Every client calls ``predictor.predict`` (the
user's path) in a loop. The run must have no error other than a deliberate 503 backpressure,
must serve answers, and must keep the resident memory of the front and the worker flat (the
rule is in ``sagemaker_hf/testing/load_rss.py``). No timing is asserted; the long form with
the real MiniLM and the figures is ``benchmarks/load_endpoint.py``.

The rules themselves (what counts as backpressure, what counts as flat) are checked on
fixed inputs first.
"""

from __future__ import annotations

import contextlib

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.testing.load import (
    BACKPRESSURE,
    BadAnswer,
    LoadPlan,
    classify,
    endpoint_server_pid,
    format_report,
    run_load,
    similarity_call,
)
from sagemaker_hf.testing.load_rss import MIB, ProcessGroupRss, RssBound, RssSample, judge_rss
from tests.fixtures.local_mode import LOCAL_VERSIONS

CLIENTS = 32
SECONDS = 20.0
WARMUP_SECONDS = 3.0


def test_the_runtime_client_pools_a_connection_per_client_thread():
    from sagemaker_hf.session import Session

    runtime = Session(region_name="us-east-1").sagemaker_runtime_client
    # botocore's default of 10 would open and throw away a connection per request beyond 10 threads.
    assert runtime.meta.config.max_pool_connections >= CLIENTS


def model_error(status: int, error_type: str) -> ClientError:
    """The runtime's ModelError as boto3 (and the local runtime client) raise it."""
    message = f'{{"code": {status}, "type": "{error_type}", "message": "..."}}'
    response = {
        "Error": {"Code": "ModelError", "Message": f"Received server error ({status}) from primary"},
        "OriginalStatusCode": status,
        "OriginalMessage": message,
    }
    return ClientError(response, "InvokeEndpoint")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (model_error(503, "OverloadedError"), BACKPRESSURE),
        (model_error(503, "NotReadyError"), "503 NotReadyError"),
        (model_error(500, "WorkerDiedError"), "500 WorkerDiedError"),
        (model_error(504, "RequestTimeoutError"), "504 RequestTimeoutError"),
        (ClientError({"Error": {"Code": "ServiceUnavailable"}}, "InvokeEndpoint"), "ServiceUnavailable"),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "EndpointConnectionError"),
        (BadAnswer("expected 2 similarities"), "bad answer"),
    ],
)
def test_only_a_full_queue_counts_as_backpressure(error, kind):
    assert classify(error) == kind


def sample(at: float, **sizes_mib: float) -> RssSample:
    return RssSample(at_seconds=at, bytes_by_process={k: int(v * MIB) for k, v in sizes_mib.items()})


@pytest.mark.parametrize(
    ("middle", "end", "flat"),
    [
        ({"front": 40, "worker": 400}, {"front": 41, "worker": 401}, True),
        ({"front": 40, "worker": 430}, {"front": 41, "worker": 460}, False),  # +60 MiB > max(40, 50)
        ({"front": 40, "worker": 401}, {"front": 41, "worker": 420}, False),  # the second half grows faster
        ({"front": 40, "worker": 400}, {"front": 41}, False),  # the worker died
        ({"front": 40, "worker": 400}, {"front": 40, "worker": 400, "worker 2": 400}, False),  # a new worker
    ],
)
def test_what_flat_means(middle, end, flat):
    rows = judge_rss(sample(0, front=40, worker=400), sample(5, **middle), sample(10, **end), RssBound())
    assert all(row.flat for row in rows) is flat
    assert rows[-1].label == "total"


@pytest.fixture(scope="module")
def similarity_endpoint(local_home, tiny_models):
    model = HuggingFaceModel(
        model_data=str(tiny_models["sentence-similarity"]),
        env={"HF_TASK": "sentence-similarity"},
        **LOCAL_VERSIONS,
    )
    predictor = model.deploy(initial_instance_count=1, instance_type="local")
    try:
        yield predictor
    finally:
        with contextlib.suppress(ClientError):
            predictor.delete_endpoint()


@pytest.mark.slow
def test_32_clients_get_no_error_but_backpressure_and_memory_stays_flat(similarity_endpoint):
    predictor = similarity_endpoint
    leader = endpoint_server_pid(predictor.sagemaker_session, predictor.endpoint_name)
    plan = LoadPlan(
        clients=CLIENTS,
        seconds=SECONDS,
        warmup_seconds=WARMUP_SECONDS,
        rss_interval_seconds=1.0,
        progress_seconds=SECONDS,
    )
    result = run_load(plan, similarity_call(predictor), ProcessGroupRss(leader))
    report = format_report(result)
    print(report)  # shown with -s, or when the test fails
    assert result.warmup.unexpected_errors == 0, report
    assert result.measured.unexpected_errors == 0, report
    assert result.measured.ok > CLIENTS, report
    labels = [row.label for row in result.rss]
    assert labels[0] == "front" and any(label.startswith("worker") for label in labels), report
    assert [row.label for row in result.rss if not row.flat] == [], report
    assert result.passed
