"""A bounded load test: N client threads against one endpoint, a tally of every answer, and the
resident memory (RSS) of the endpoint's processes.

    plan = LoadPlan(clients=32, seconds=20, warmup_seconds=3)
    result = run_load(plan, similarity_call(predictor), ProcessGroupRss(server_pid))
    print(format_report(result))

``call(client, n)`` sends the ``n``-th request of client ``client`` through whatever path is
under test (here ``HuggingFacePredictor.predict``) and raises on a failure; failures are
counted by kind (:func:`classify`). A 503 ``OverloadedError`` is the server's deliberate
backpressure: counted apart, and the client backs off as a real one honouring ``Retry-After``
would. Requests that start during the warm-up are tallied apart too.

The endpoint's resident memory is sampled after the warm-up, every ``rss_interval_seconds``
and after the last answer, and judged flat or not by :mod:`sagemaker_hf.testing.load_rss`.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from sagemaker_hf.testing.load_rss import ProcessGroupRss, RssBound, RssRow, RssSample, judge_rss, mib

BACKPRESSURE = "503 OverloadedError (backpressure)"
BACKPRESSURE_PAUSE_SECONDS = 0.05
_ERROR_TYPE = re.compile(r'"type"\s*:\s*"(\w+)"')

RequestCall = Callable[[int, int], None]


class BadAnswer(Exception):
    """A 2xx answer that is not what the request asked for."""


class LoadPlan(BaseModel):
    """How much load: ``clients`` threads for ``seconds`` after ``warmup_seconds`` (and at most
    ``max_requests`` in all, when set)."""

    clients: int = Field(32, ge=1, le=256)
    seconds: float = Field(600.0, gt=0, le=24 * 3600)
    warmup_seconds: float = Field(10.0, ge=0)
    max_requests: int | None = Field(None, ge=1)
    rss_interval_seconds: float = Field(10.0, gt=0)
    progress_seconds: float = Field(60.0, gt=0)


def classify(error: BaseException) -> str:
    """The kind of a failed request: ``"<status> <toolkit error type>"`` for the model's answers
    (``ModelError``), :data:`BACKPRESSURE` for a full queue, else the error code or class name."""
    if isinstance(error, BadAnswer):
        return "bad answer"
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return type(error).__name__
    code = response.get("Error", {}).get("Code") or type(error).__name__
    status = response.get("OriginalStatusCode")
    if code != "ModelError" or status is None:
        return code
    found = _ERROR_TYPE.search(str(response.get("OriginalMessage", "")))
    error_type = found.group(1) if found else "ModelError"
    if int(status) == 503 and error_type == "OverloadedError":
        return BACKPRESSURE
    return f"{status} {error_type}"


# ---- the tally ----------------------------------------------------------------------


class Tally:
    """Answers of one phase (warm-up or measured); shared by the client threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latencies: list[float] = []  # of successful requests, in seconds
        self.errors: Counter[str] = Counter()
        self.examples: dict[str, str] = {}  # kind -> the first message of that kind

    def ok(self, seconds: float) -> None:
        with self._lock:
            self.latencies.append(seconds)

    def failed(self, kind: str, error: BaseException) -> None:
        with self._lock:
            self.errors[kind] += 1
            self.examples.setdefault(kind, f"{type(error).__name__}: {error}"[:300])

    # Read by the progress line while clients add new kinds: under the lock.
    @property
    def requests(self) -> int:
        with self._lock:
            return len(self.latencies) + sum(self.errors.values())

    @property
    def unexpected(self) -> int:
        with self._lock:
            return sum(count for kind, count in self.errors.items() if kind != BACKPRESSURE)

    @property
    def backpressure(self) -> int:
        with self._lock:
            return self.errors[BACKPRESSURE]

    def summary(self, seconds: float) -> LoadSummary:
        ordered = sorted(self.latencies)
        return LoadSummary(
            seconds=seconds,
            requests=self.requests,
            ok=len(ordered),
            errors=dict(self.errors),
            error_examples=dict(self.examples),
            backpressure=self.backpressure,
            unexpected_errors=self.unexpected,
            p50_ms=_percentile(ordered, 0.50) * 1000,
            p99_ms=_percentile(ordered, 0.99) * 1000,
            answers_per_second=len(ordered) / seconds if seconds > 0 else 0.0,
        )


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class LoadSummary(BaseModel):
    seconds: float
    requests: int
    ok: int
    errors: dict[str, int]
    error_examples: dict[str, str]
    backpressure: int
    unexpected_errors: int
    p50_ms: float
    p99_ms: float
    answers_per_second: float


# ---- the run ------------------------------------------------------------------------


class LoadResult(BaseModel):
    plan: LoadPlan
    warmup: LoadSummary
    measured: LoadSummary
    bound: RssBound
    rss_samples: list[RssSample]
    rss: list[RssRow]

    @property
    def passed(self) -> bool:
        return (
            self.warmup.unexpected_errors == 0
            and self.measured.unexpected_errors == 0
            and self.measured.ok > 0
            and all(row.flat for row in self.rss)
        )


class _Budget:
    """At most ``limit`` requests in all (unlimited when None), shared by the clients."""

    def __init__(self, limit: int | None) -> None:
        self._left = limit
        self._lock = threading.Lock()

    def take(self) -> bool:
        if self._left is None:
            return True
        with self._lock:
            self._left -= 1
            return self._left >= 0


def run_load(
    plan: LoadPlan,
    call: RequestCall,
    memory: ProcessGroupRss,
    bound: RssBound | None = None,
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """Run ``plan.clients`` threads calling ``call`` until the plan's time (or request budget)
    is spent; sample ``memory`` after the warm-up, every ``rss_interval_seconds`` and at the end."""
    bound = bound or RssBound()
    warmup, measured = Tally(), Tally()
    stop = threading.Event()
    budget = _Budget(plan.max_requests)
    began = time.monotonic()
    warmup_end = began + plan.warmup_seconds

    def client(index: int) -> None:
        sent = 0
        while not stop.is_set() and budget.take():
            started = time.monotonic()
            tally = warmup if started < warmup_end else measured
            try:
                call(index, sent)
            except Exception as error:  # every failure is tallied by kind, none stops the run
                kind = classify(error)
                tally.failed(kind, error)
                if kind == BACKPRESSURE:
                    stop.wait(BACKPRESSURE_PAUSE_SECONDS)
            else:
                tally.ok(time.monotonic() - started)
            sent += 1

    threads = [threading.Thread(target=client, args=(index,), daemon=True) for index in range(plan.clients)]
    for thread in threads:
        thread.start()
    stop.wait(plan.warmup_seconds)
    measure_start = time.monotonic()
    samples = [memory.sample(measure_start - began)]
    deadline = measure_start + plan.seconds
    next_report = measure_start + plan.progress_seconds
    while not stop.is_set():
        now = time.monotonic()
        if now >= deadline or not any(thread.is_alive() for thread in threads):
            break
        stop.wait(min(plan.rss_interval_seconds, deadline - now))
        now = time.monotonic()
        samples.append(memory.sample(now - began))
        if progress is not None and now >= next_report:
            next_report += plan.progress_seconds
            progress(_progress_line(now - measure_start, plan.seconds, measured, samples[-1]))
    stop.set()
    for thread in threads:
        thread.join()
    measure_seconds = time.monotonic() - measure_start
    samples.append(memory.sample(time.monotonic() - began))
    middle_at = (samples[0].at_seconds + samples[-1].at_seconds) / 2
    middle = min(samples, key=lambda sample: abs(sample.at_seconds - middle_at))
    return LoadResult(
        plan=plan,
        warmup=warmup.summary(plan.warmup_seconds),
        measured=measured.summary(measure_seconds),
        bound=bound,
        rss_samples=samples,
        rss=judge_rss(samples[0], middle, samples[-1], bound),
    )


def _progress_line(elapsed: float, total: float, tally: Tally, sample: RssSample) -> str:
    return (
        f"  {elapsed:5.0f}/{total:.0f} s: {tally.requests} requests, {tally.unexpected} errors, "
        f"{tally.backpressure} backpressure, RSS {mib(sample.total)} MiB"
    )


# ---- requests -----------------------------------------------------------------------

SENTENCES = (
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The new movie is awesome.",
    "A woman is playing the violin.",
    "Two men pushed carts through the woods.",
    "The stock market fell sharply after the announcement.",
    "Please reset my password; the recovery email never arrives.",
    "A monkey is playing drums.",
    "The museum opens at nine and closes at five on weekdays.",
    "Regular exercise improves memory in older adults.",
    "How do I return a product that arrived damaged?",
    "The cat sat on the mat.",
)


def similarity_request(client: int, sent: int) -> dict[str, Any]:
    """A sentence-similarity body that varies with the client and the request (1-4 sentences)."""
    start = (client * 7 + sent * 3) % len(SENTENCES)
    count = 1 + (client + sent) % 4
    picked = [SENTENCES[(start + step) % len(SENTENCES)] for step in range(count + 1)]
    return {"inputs": {"source_sentence": picked[0], "sentences": picked[1:]}}


def similarity_call(predictor: Any) -> RequestCall:
    """``call`` for a sentence-similarity endpoint through ``predictor.predict``, checking the answer."""

    def call(client: int, sent: int) -> None:
        body = similarity_request(client, sent)
        answer = predictor.predict(body)
        scores = answer.get("similarities") if isinstance(answer, dict) else None
        if not isinstance(scores, list) or len(scores) != len(body["inputs"]["sentences"]):
            raise BadAnswer(f"expected {len(body['inputs']['sentences'])} similarities, got {answer!r:.200}")

    return call


def endpoint_server_pid(session: Any, endpoint_name: str) -> int:
    """The pid of a local endpoint's server (the leader of its process group)."""
    from sagemaker_hf.local.registry import EndpointRecord

    record = session.sagemaker_client.registry.load(EndpointRecord, endpoint_name)
    if record is None or record.current.process is None:
        raise ValueError(
            f"{endpoint_name!r} is not a running local endpoint; deploy it with instance_type='local'"
        )
    return record.current.process.pid


# ---- the report ---------------------------------------------------------------------


def format_report(result: LoadResult) -> str:
    """The printed table: requests, errors by kind, latency, throughput, RSS, the verdict."""
    measured, warmup = result.measured, result.warmup
    errors = measured.unexpected_errors + warmup.unexpected_errors
    lines = [
        f"clients {result.plan.clients}, warm-up {result.plan.warmup_seconds:g} s "
        f"({warmup.requests} requests, {warmup.unexpected_errors} errors), "
        f"measured {measured.seconds:.1f} s",
        f"requests        {measured.requests}",
        f"answered 2xx    {measured.ok}",
        f"backpressure    {measured.backpressure} (503 OverloadedError, deliberate)",
        f"other errors    {measured.unexpected_errors}",
    ]
    for kind in sorted({*warmup.errors, *measured.errors}):
        example = measured.error_examples.get(kind) or warmup.error_examples.get(kind, "")
        lines.append(f"  {kind}: {measured.errors.get(kind, 0)} (+{warmup.errors.get(kind, 0)} in warm-up)")
        lines.append(f"    e.g. {example}")
    lines += [
        f"latency p50     {measured.p50_ms:.1f} ms",
        f"latency p99     {measured.p99_ms:.1f} ms",
        f"throughput      {measured.answers_per_second:.1f} answers/s",
        "",
        f"{'RSS (MiB)':32} {'start':>8} {'middle':>8} {'end':>8} {'growth':>8}  flat",
    ]
    for row in result.rss:
        verdict = "yes" if row.flat else f"NO: {row.reason}"
        lines.append(
            f"{row.label:32} {mib(row.start):>8} {mib(row.middle):>8} {mib(row.end):>8} "
            f"{mib(row.growth):>8}  {verdict}"
        )
    bound = result.bound
    lines += [
        f"(flat: end - start <= max({bound.relative:.0%} of start, {mib(bound.absolute_bytes)} MiB), and "
        f"second-half growth <= first-half growth + {mib(bound.noise_bytes)} MiB)",
        "",
        f"{'PASS' if result.passed else 'MISS'}: {errors} errors other than 503 backpressure, "
        f"{measured.ok} answers, RSS {'flat' if all(row.flat for row in result.rss) else 'NOT flat'}",
    ]
    return "\n".join(lines)
