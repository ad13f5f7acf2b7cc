"""Send :mod:`fuzz` requests to a running server, judge and tally the answers, check its health after.

:func:`violations` states what "handled" means: no 5xx other than a deliberate 503
(overloaded, not ready) or 504 (timeout), every error as ``{"code", "type", "message"}``
with ``code`` equal to the status, and no error message that echoes a body back.

Shared by ``tests/reliability/test_fuzz.py`` and ``benchmarks/fuzz_invocations.py``::

    with FuzzClient("http://127.0.0.1:8080") as client:
        tally = Tally()
        for outcome in client.send_group(requests):
            tally.add(outcome)
        health = client.health()
"""

from __future__ import annotations

import collections
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from sagemaker_hf.testing.fuzz import FuzzRequest

# The largest error message a request may cause: messages quote values (previewed), never bodies.
MAX_ERROR_MESSAGE_CHARS = 4096
DELIBERATE_5XX = frozenset({503, 504})

_RESTARTS = re.compile(r"^sagemaker_hf_worker_restarts_total (\d+)$", re.MULTILINE)
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Outcome:
    request: FuzzRequest
    status: int
    error_type: str  # the error body's "type"; "" for a success
    problems: list[str]


@dataclass
class Tally:
    """Answers by category and status, and the first problems seen (with the request that caused them)."""

    keep_problems: int = 20
    by_category: dict[str, collections.Counter] = field(default_factory=dict)
    by_status: collections.Counter = field(default_factory=collections.Counter)
    error_types: collections.Counter = field(default_factory=collections.Counter)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    bursts: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def add(self, outcome: Outcome) -> None:
        category = outcome.request.category
        self.by_category.setdefault(category, collections.Counter())[outcome.status] += 1
        self.by_status[outcome.status] += 1
        if outcome.error_type:
            self.error_types[outcome.error_type] += 1
        if outcome.problems:
            self.problem_count += 1
            if len(self.problems) < self.keep_problems:
                shown = outcome.request.body[:160]
                self.problems.append(
                    f"[{category}] {'; '.join(outcome.problems)} <- content-type="
                    f"{outcome.request.content_type!r} accept={outcome.request.accept!r} "
                    f"body[:160]={shown!r} ({len(outcome.request.body)} bytes)"
                )

    def report(self) -> str:
        lines = [f"requests: {self.total} (in {self.bursts} bursts and single requests)"]
        lines.append(
            "by status: " + ", ".join(f"{status}: {n}" for status, n in sorted(self.by_status.items()))
        )
        lines.append("by category (status: count):")
        for category, counts in sorted(self.by_category.items()):
            shown = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
            lines.append(f"  {category:<14} {sum(counts.values()):>6}   {shown}")
        lines.append(
            "error types: " + ", ".join(f"{name}: {n}" for name, n in self.error_types.most_common())
        )
        lines.append(f"answers that broke a rule: {self.problem_count}")
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True)
class Health:
    ping_status: int
    worker_states: list[str]
    worker_restarts: int

    @property
    def healthy(self) -> bool:
        return self.ping_status == 200 and all(state == "ready" for state in self.worker_states)


class FuzzClient:
    """An HTTP client for one server; bursts go out on a small thread pool."""

    def __init__(self, url: str, timeout: float = 120.0, max_burst: int = 8) -> None:
        self.client = httpx.Client(base_url=url, timeout=timeout)
        self.pool = ThreadPoolExecutor(max_burst, thread_name_prefix="fuzz")

    def __enter__(self) -> FuzzClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()

    def send(self, request: FuzzRequest) -> Outcome:
        content: Any = request.body
        if request.chunked:
            body = request.body
            content = iter([body[start : start + CHUNK_BYTES] for start in range(0, len(body), CHUNK_BYTES)])
        try:
            response = self.client.post("/invocations", content=content, headers=request.headers())
        except httpx.HTTPError as error:
            return Outcome(request, 0, "", [f"no answer: {type(error).__name__}: {error}"])
        problems = violations(
            request, response.status_code, response.headers.get("content-type"), response.content
        )
        error_type = ""
        if response.status_code >= 400:
            try:
                error_type = str(json.loads(response.content).get("type", "?"))
            except (ValueError, AttributeError):
                error_type = "?"
        return Outcome(request, response.status_code, error_type, problems)

    def send_group(self, group: list[FuzzRequest]) -> list[Outcome]:
        """One request, or a burst sent at once."""
        if len(group) == 1:
            return [self.send(group[0])]
        return list(self.pool.map(self.send, group))

    def health(self) -> Health:
        ping = self.client.get("/ping").status_code
        info = self.client.get("/info").json()
        metrics = self.client.get("/metrics").text
        found = _RESTARTS.search(metrics)
        return Health(
            ping_status=ping,
            worker_states=[worker["state"] for worker in info.get("workers", [])],
            worker_restarts=int(found.group(1)) if found else -1,
        )


def violations(request: FuzzRequest, status: int, content_type: str | None, body: bytes) -> list[str]:
    """What is wrong with the answer to ``request`` (empty when it was handled well)."""
    problems = []
    if status >= 500 and status not in DELIBERATE_5XX:
        problems.append(f"status {status}")
    if status < 400:
        if not content_type:
            problems.append(f"{status} without a Content-Type")
        return problems
    try:
        error = json.loads(body)
    except ValueError:
        return [*problems, f"{status} with a body that is not JSON: {body[:200]!r}"]
    if not isinstance(error, dict) or set(error) != {"code", "type", "message"}:
        return [*problems, f"{status} error body is not {{code, type, message}}: {str(error)[:200]}"]
    if error["code"] != status:
        problems.append(f"error code {error['code']} differs from the status {status}")
    if not isinstance(error["message"], str) or not error["message"].strip():
        problems.append("error without a message")
    elif len(error["message"]) > MAX_ERROR_MESSAGE_CHARS:
        problems.append(f"error message of {len(error['message'])} characters (echoes the input?)")
    if status >= 500:
        problems = [f"{problem}: {error['type']}: {error['message'][:300]}" for problem in problems]
    return problems
