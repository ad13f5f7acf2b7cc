"""The benchmark's output: a markdown table per condition (ours with ratios ours/peer, in the
style of issue 18's tables) and one PASS/FAIL line per target and task."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from peer.ceiling import Ceiling
from peer.measure import Agreement, Result
from peer.servers import OURS, PEER

MIB = 1024 * 1024


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[Result], float | None]
    digits: Callable[[float], int] = lambda value: 1 if abs(value) < 100 else 0


COLUMNS = (
    Column("32-client req/s", lambda r: r.throughput),
    Column("seq p50 ms", lambda r: r.summary()["sequential_p50_ms"]),
    Column("seq p99 ms", lambda r: r.summary()["sequential_p99_ms"]),
    Column("32c p50 ms", lambda r: r.summary()["load_p50_ms"]),
    Column("32c p99 ms", lambda r: r.summary()["load_p99_ms"]),
    Column("errors", lambda r: float(r.load_errors) if r.load_ms else None, lambda value: 0),
    Column("peak RSS MiB", lambda r: r.peak_rss_bytes / MIB if r.peak_rss_bytes else None, lambda v: 0),
    Column("CPU ms/req", lambda r: r.cpu_ms_per_request),
    Column("cold start s", lambda r: r.cold_start_seconds, lambda value: 1),
)


def number(value: float | None, digits: int) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def ratio(mine: float | None, theirs: float | None) -> float | None:
    if mine is None or theirs is None or theirs == 0:
        return None
    return mine / theirs


def table(results: list[Result], clients: int) -> list[str]:
    """Markdown lines: one row per server and task, the peer first, ours with ratios ours/peer."""
    titles = [column.title.replace("32", str(clients)) for column in COLUMNS]
    lines = [
        "| server (defaults) | task | " + " | ".join(titles) + " | stop after SIGTERM |",
        "|---|---|" + "---|" * len(COLUMNS) + "---|",
    ]
    by_key = {(result.server, result.task): result for result in results}
    for result in results:
        peer = by_key.get((PEER, result.task)) if result.server == OURS else None
        cells = []
        for column in COLUMNS:
            value = column.value(result)
            cell = number(value, column.digits(value)) if value is not None else "-"
            compared = ratio(value, column.value(peer)) if peer is not None else None
            if compared is not None and column.title != "errors":
                cell += f" ({compared:.2f}×)"
            cells.append(cell)
        stop = "-" if result.stop is None else result.stop.describe()
        if result.failure:
            stop += f"; FAILED: {result.failure.splitlines()[0][:120]}"
        lines.append(f"| {result.server} | {result.task} | " + " | ".join(cells) + f" | {stop} |")
    return lines


@dataclass(frozen=True)
class Verdict:
    task: str
    target: str
    passed: bool
    measured: str

    def line(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}  {self.task}: {self.target}: {self.measured}"


def _compare(task, target, mine, theirs, bound, at_least, unit, digits=1) -> Verdict:
    """mine/theirs against ``bound``: at least it (``at_least``) or at most it."""
    found = ratio(mine, theirs)
    if found is None:
        return Verdict(task, target, False, "not measured for both servers")
    passed = found >= bound if at_least else found <= bound
    both = f"{number(mine, digits)} vs {number(theirs, digits)} {unit}"
    return Verdict(task, target, passed, f"{found:.2f}× ({both})")


def verdicts(ours: Result, peer: Result, answers: Agreement) -> list[Verdict]:
    """Issue 18's targets for one task, ours against the peer, and our clean stop."""
    task = ours.task
    mine, theirs = ours.summary(), peer.summary()
    lines = [
        _compare(
            task,
            "32-client throughput >= 3x the peer's",
            ours.throughput,
            peer.throughput,
            3.0,
            True,
            "req/s",
        ),
        _compare(
            task,
            "sequential p50 <= the peer's",
            mine["sequential_p50_ms"],
            theirs["sequential_p50_ms"],
            1.0,
            False,
            "ms",
        ),
        _compare(
            task,
            "32-client p99 <= 1/2 the peer's",
            mine["load_p99_ms"],
            theirs["load_p99_ms"],
            0.5,
            False,
            "ms",
        ),
        _compare(
            task,
            "peak RSS <= 1/2 the peer's",
            ours.peak_rss_bytes / MIB or None,
            peer.peak_rss_bytes / MIB or None,
            0.5,
            False,
            "MiB",
            0,
        ),
        _compare(
            task,
            "cold start <= 1/2 the peer's",
            ours.cold_start_seconds,
            peer.cold_start_seconds,
            0.5,
            False,
            "s",
        ),
        Verdict(task, "answers equal within 1e-4", answers.equal, describe_agreement(answers)),
    ]
    if ours.stop is not None:
        lines.append(
            Verdict(
                task,
                "ours leaves nothing running after SIGTERM",
                ours.stop.clean,
                f"ours {ours.stop.describe()}; peer " + ("-" if peer.stop is None else peer.stop.describe()),
            )
        )
    return lines


def describe_agreement(answers: Agreement) -> str:
    largest = "inf (shapes differ)" if math.isinf(answers.max_difference) else f"{answers.max_difference:.1e}"
    return (
        f"{answers.inputs} inputs answered by both, {answers.compared} answer pairs compared, "
        f"{answers.differing} differ, largest difference {largest}"
    )


def bound_line(
    task: str, ceiling: Ceiling | None, ours: Result | None, peer: Result | None, cores: int
) -> str:
    """What bounds the throughput target: the model alone (peer/ceiling.py) against 3x the
    peer's throughput, in rate and in CPU; the same with the CPU the benchmark's own client
    spent per answer of ours on the same cores (no server can serve faster than the model
    alone leaves room for that client); and the CPU our server's tree got."""
    if ceiling is None:
        return f"BOUND {task}: the model alone was not measured"
    parts = [
        f"the model alone, in-process, batches of 32, no HTTP: at best {ceiling.per_second:.0f} "
        f"sentences/s ({ceiling.best}), at least {ceiling.cpu_ms:.2f} ms of CPU per sentence"
    ]
    if peer is not None and peer.throughput:
        target = 3 * peer.throughput
        parts.append(
            f"3x the peer is {target:.0f} req/s: {100 * target / ceiling.per_second:.0f}% of the model "
            f"alone's best, and {target * ceiling.cpu_ms / 1000:.2f} of the {cores} cores for the model alone"
        )
    client_ms = None if ours is None else ours.client_cpu_ms_per_request
    if peer is not None and peer.throughput and client_ms:
        # r requests/s need r * (cores / best + client) core-seconds per second, at most `cores`
        room = cores / (cores / ceiling.per_second + client_ms / 1000)
        share = 100 * 3 * peer.throughput / room
        parts.append(
            f"with the client's {client_ms:.2f} ms of CPU per answer on the same cores, the model alone "
            f"leaves room for {room:.0f} req/s, and 3x the peer is {share:.0f}% of it"
        )
    if ours is not None and ours.throughput and ours.cpu_ms_per_request:
        used = ours.throughput * ours.cpu_ms_per_request / 1000
        parts.append(
            f"ours served {ours.throughput:.0f} req/s on {used:.2f} cores "
            f"({ours.cpu_ms_per_request:.2f} ms of CPU per request, the whole tree)"
        )
    return f"BOUND {task}: " + "; ".join(parts)
