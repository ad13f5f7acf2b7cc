"""GET /metrics: the Prometheus text format (0.0.4), parsed line by line, from the renderer
and from a running server."""

from __future__ import annotations

import math
import re
import textwrap

import pytest

from sagemaker_hf.toolkit.metrics import Metrics
from tests.fixtures.toolkit_server import running_server

SECRET = "hf_secret_metrics_9d1c7e"
SAMPLE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (\S+)$'
)
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"')


def parse(text: str) -> tuple[dict[str, str], dict[tuple[str, frozenset], float]]:
    """(family -> type, (sample name, labels) -> value); fails on any line outside the format."""
    assert text.endswith("\n")
    types: dict[str, str] = {}
    samples: dict[tuple[str, frozenset], float] = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in {"counter", "gauge", "histogram"}, line
            assert name not in types, f"{name} declared twice"
            types[name] = kind
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name, labels, value = match.group(1), frozenset(LABEL.findall(match.group(2) or "")), match.group(4)
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in types else name
        assert family in types, f"{name} has no # TYPE line before it"
        samples[(name, labels)] = math.inf if value == "+Inf" else float(value)
    return types, samples


def check_histogram(samples: dict, name: str, labels: frozenset = frozenset()) -> tuple[float, float]:
    """Buckets cumulative and ending in +Inf == count; returns (count, sum)."""
    buckets = sorted(
        (math.inf if dict(key[1])["le"] == "+Inf" else float(dict(key[1])["le"]), value)
        for key, value in samples.items()
        if key[0] == f"{name}_bucket" and key[1] - {("le", dict(key[1])["le"])} == labels
    )
    assert buckets and buckets[-1][0] == math.inf
    counts = [count for _, count in buckets]
    assert counts == sorted(counts), f"{name} buckets are not cumulative: {counts}"
    count, total = samples[(f"{name}_count", labels)], samples[(f"{name}_sum", labels)]
    assert counts[-1] == count
    return count, total


def test_the_renderer_writes_valid_counters_gauges_and_histograms():
    metrics = Metrics()
    metrics.record_request(200, 0.012, {"queue": 0.001, "predict": 0.010})
    metrics.record_request(200, 0.2, {})
    metrics.record_request(400, 0.0005, {})
    for size in (1, 3, 16, 40):
        metrics.record_batch(size)
    metrics.worker_restarts = 2
    types, samples = parse(metrics.render(queue_depth=5, in_flight=3, workers={"ready": 1, "dead": 0}))
    assert types["sagemaker_hf_requests_total"] == "counter"
    assert types["sagemaker_hf_batch_size"] == types["sagemaker_hf_request_duration_seconds"] == "histogram"
    assert samples[("sagemaker_hf_requests_total", frozenset({("status", "200")}))] == 2
    assert samples[("sagemaker_hf_requests_total", frozenset({("status", "400")}))] == 1
    assert samples[("sagemaker_hf_queue_depth", frozenset())] == 5
    assert samples[("sagemaker_hf_in_flight", frozenset())] == 3
    assert samples[("sagemaker_hf_worker_restarts_total", frozenset())] == 2
    assert samples[("sagemaker_hf_workers", frozenset({("state", "ready")}))] == 1
    assert check_histogram(samples, "sagemaker_hf_batch_size") == (4, 60)
    assert (
        samples[("sagemaker_hf_batch_size_bucket", frozenset({("le", "16")}))] == 3
    )  # 1, 3, 16 (le is inclusive)
    count, total = check_histogram(samples, "sagemaker_hf_request_duration_seconds")
    assert count == 3 and total == pytest.approx(0.2125)
    predict = frozenset({("phase", "predict")})
    assert check_histogram(samples, "sagemaker_hf_phase_duration_seconds", predict) == (
        1,
        pytest.approx(0.010),
    )


ECHO = """
def model_fn(model_dir):
    return lambda inputs, **parameters: {"inputs": inputs}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("metrics-model")
    (root / "code").mkdir()
    (root / "code" / "inference.py").write_text(textwrap.dedent(ECHO), encoding="utf-8")
    with running_server(root, env={"HF_TOKEN": SECRET}) as running:
        yield running


def test_metrics_count_what_the_server_answered(server):
    for body in ({"inputs": 1}, {"inputs": 2}, {"inputs": 3}):
        assert server.client.post("/invocations", json=body).status_code == 200
    assert (
        server.client.post(
            "/invocations", content=b"{oops", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert server.client.post("/invocations", json={}, headers={"Accept": "text/html"}).status_code == 406

    response = server.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    types, samples = parse(response.text)
    assert set(types) == {
        "sagemaker_hf_requests_total",
        "sagemaker_hf_queue_depth",
        "sagemaker_hf_in_flight",
        "sagemaker_hf_workers",
        "sagemaker_hf_worker_restarts_total",
        "sagemaker_hf_batch_size",
        "sagemaker_hf_request_duration_seconds",
        "sagemaker_hf_phase_duration_seconds",
    }
    by_status = {
        dict(labels)["status"]: value
        for (name, labels), value in samples.items()
        if name.endswith("_total") and labels
    }
    assert by_status == {"200": 3, "400": 1, "406": 1}
    assert check_histogram(samples, "sagemaker_hf_request_duration_seconds")[0] == 5
    assert check_histogram(samples, "sagemaker_hf_batch_size")[0] == 4  # the 406 never reached a worker
    queue_count, _ = check_histogram(
        samples, "sagemaker_hf_phase_duration_seconds", frozenset({("phase", "queue")})
    )
    assert queue_count == 4
    assert samples[("sagemaker_hf_workers", frozenset({("state", "ready")}))] == 1
    assert samples[("sagemaker_hf_queue_depth", frozenset())] == 0


def test_metrics_hold_no_secret(server):
    assert SECRET not in server.client.get("/metrics").text
