"""``GET /metrics``: counters and histograms in the Prometheus text exposition format (0.0.4).

Written by hand (no client library): a few counters and fixed-bucket histograms, updated
on the front's event loop, so no locks. Only request counts, sizes and durations appear,
never bodies, headers or settings, so nothing secret can leak here.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)
PHASES = ("queue", "decode", "predict", "encode")


def _number(value: float) -> str:
    if value == math.inf:
        return "+Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in labels.items()) + "}"


@dataclass
class Histogram:
    buckets: Sequence[float]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.buckets)

    def observe(self, value: float) -> None:
        index = bisect.bisect_left(self.buckets, value)
        if index < len(self.counts):
            self.counts[index] += 1
        self.total += value
        self.count += 1

    def lines(self, name: str, labels: dict[str, str]) -> Iterable[str]:
        cumulative = 0
        for bound, count in zip(self.buckets, self.counts, strict=True):
            cumulative += count
            yield f"{name}_bucket{_labels({**labels, 'le': _number(bound)})} {cumulative}"
        yield f"{name}_bucket{_labels({**labels, 'le': '+Inf'})} {self.count}"
        yield f"{name}_sum{_labels(labels)} {_number(self.total)}"
        yield f"{name}_count{_labels(labels)} {self.count}"


def _header(name: str, kind: str, help_text: str) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]


class Metrics:
    """What /metrics reports; the server and the worker pool record into it."""

    def __init__(self) -> None:
        self.requests: dict[str, int] = {}
        self.request_duration = Histogram(DURATION_BUCKETS)
        self.phase_duration = {phase: Histogram(DURATION_BUCKETS) for phase in PHASES}
        self.batch_size = Histogram(BATCH_BUCKETS)
        self.worker_restarts = 0

    def record_request(self, status: int, seconds: float, phases: dict[str, float]) -> None:
        key = str(status)
        self.requests[key] = self.requests.get(key, 0) + 1
        self.request_duration.observe(seconds)
        for phase, value in phases.items():
            histogram = self.phase_duration.get(phase)
            if histogram is not None:
                histogram.observe(value)

    def record_batch(self, size: int) -> None:
        self.batch_size.observe(size)

    def render(self, queue_depth: int, in_flight: int, workers: dict[str, int]) -> str:
        lines = _header("sagemaker_hf_requests_total", "counter", "Requests to /invocations, by HTTP status.")
        lines += [
            f"sagemaker_hf_requests_total{_labels({'status': status})} {count}"
            for status, count in sorted(self.requests.items())
        ]
        lines += _header("sagemaker_hf_queue_depth", "gauge", "Requests waiting for a model worker.")
        lines.append(f"sagemaker_hf_queue_depth {queue_depth}")
        lines += _header("sagemaker_hf_in_flight", "gauge", "Requests inside model workers.")
        lines.append(f"sagemaker_hf_in_flight {in_flight}")
        lines += _header("sagemaker_hf_workers", "gauge", "Model worker processes, by state.")
        lines += [
            f"sagemaker_hf_workers{_labels({'state': state})} {n}" for state, n in sorted(workers.items())
        ]
        lines += _header(
            "sagemaker_hf_worker_restarts_total", "counter", "Model workers restarted after they died."
        )
        lines.append(f"sagemaker_hf_worker_restarts_total {self.worker_restarts}")
        lines += _header("sagemaker_hf_batch_size", "histogram", "Requests sent to a model worker at once.")
        lines += self.batch_size.lines("sagemaker_hf_batch_size", {})
        lines += _header(
            "sagemaker_hf_request_duration_seconds", "histogram", "Time to answer /invocations, end to end."
        )
        lines += self.request_duration.lines("sagemaker_hf_request_duration_seconds", {})
        lines += _header(
            "sagemaker_hf_phase_duration_seconds",
            "histogram",
            "Time per phase: queue (waiting for a worker), decode, predict (the shared model call), encode.",
        )
        for phase, histogram in self.phase_duration.items():
            lines += histogram.lines("sagemaker_hf_phase_duration_seconds", {"phase": phase})
        return "\n".join(lines) + "\n"
