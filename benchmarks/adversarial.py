"""The slow attacks of issue 16 at full size, one table row each (not a timed test).

    .venv/bin/python benchmarks/adversarial.py                       # every attack (~5-15 min)
    .venv/bin/python benchmarks/adversarial.py --only slowloris,header

- **slowloris**: 2,000 connections that send nothing, against a server with its default limits
  (SAGEMAKER_HF_MAX_CONNECTIONS=1000, SAGEMAKER_HF_HEADER_TIMEOUT=30): a normal request during
  the flood must get its answer, and every connection must be cut.
- **header**: one request whose header grows to 64 MB, generated as it is sent: refused (431)
  long before its end.
- **punycode**: a 6 MB body declared ``charset=punycode`` (whose decode is quadratic), to its
  own server (SAGEMAKER_MODEL_SERVER_TIMEOUT=20, stopped after the row): refused (415), and the
  next normal request answered.
- **batch line**: a local transform job (``HuggingFaceModel(...).transformer(instance_type=
  "local")``) over a file whose first line is 1 GB: the job must fail naming it, without
  reading it whole.
- **gzip bomb**: ``deploy(instance_type="local")`` of a 2 MB model.tar.gz that expands to 2 GB:
  refused before it fills the disk.

Throughout each row a thread asks ``GET /ping`` of a toolkit server on a new connection every
50 ms, each with 1 s to answer (for the batch and archive rows that server is a bystander on the
same machine: those attacks aim at the job's reader and the deploy path). The RSS of the
attacked processes (a server and its workers, or the client process running the job or the
deploy) is sampled every 200 ms. A row passes when the attack was refused or survived, every
ping answered within 1 s, and the RSS grew by less than the row's bound (a server row: over
the sample taken before the attack; a client row: over the client's first sample). Big inputs
are written as a stream into a temporary directory, removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sagemaker_hf.testing import build_tiny_model
from sagemaker_hf.testing.attacks import (
    PingWatch,
    close_all,
    closed_by_server,
    endless_header,
    open_connections,
    request,
)
from sagemaker_hf.testing.bombs import write_gzip_tar_bomb
from sagemaker_hf.testing.load_rss import MIB, ProcessGroupRss
from sagemaker_hf.testing.server_process import ServerProcess, toolkit_server

TASK = "text-classification"
VERSIONS = {"transformers_version": "4.49", "pytorch_version": "2.6", "py_version": "py312"}
NORMAL = (
    b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b'Connection: close\r\nContent-Length: 20\r\n\r\n{"inputs": "normal"}'
)
PING_DEADLINE = 1.0
CLIENT_SECONDS = 300  # a batch job or a deploy still running after this is killed (a FAIL)
GIB = 1024 * MIB


@dataclass
class Row:
    attack: str
    outcome: str
    worst_ping: float
    ping_failures: int
    baseline_rss: int
    peak_rss: int
    rss_bound: int  # on the growth from the baseline
    refused_or_survived: bool

    @property
    def passed(self) -> bool:
        growth = self.peak_rss - self.baseline_rss
        return self.refused_or_survived and self.ping_failures == 0 and growth <= self.rss_bound


class Watch:
    """/ping on ``ping_port`` and the peak RSS of the process groups led by ``leaders``, in threads."""

    def __init__(self, ping_port: int, leaders: Callable[[], list[int]]) -> None:
        self.ping = PingWatch(ping_port, deadline=PING_DEADLINE)
        self.leaders = leaders
        self.peak = 0
        self.extra: dict[str, Callable[[], int]] = {}
        self.extra_peaks: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _total(self) -> int:
        return sum(ProcessGroupRss(leader).sample(0).total for leader in self.leaders())

    def __enter__(self) -> Watch:
        self.baseline = self._total()
        self.ping.__enter__()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.ping.__exit__(*exc_info)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._total())
            for name, measure in self.extra.items():
                self.extra_peaks[name] = max(self.extra_peaks.get(name, 0), measure())
            self._stop.wait(0.2)

    def row(self, attack: str, outcome: str, ok: bool, rss_bound: int) -> Row:
        failures = len(self.ping.failures)
        if failures:
            outcome += f"; /ping failed {failures} of {self.ping.samples} times: {self.ping.failures[0]}"
        return Row(attack, outcome, self.ping.worst, failures, self.baseline, self.peak, rss_bound, ok)


def port_of(server: ServerProcess) -> int:
    return int(server.url.rsplit(":", 1)[1])


# ---------------------------------------------------------------------------- the attacks


def slowloris(target: ServerProcess, root: Path) -> Row:
    port = port_of(target)
    with Watch(port, lambda: [target.process.pid]) as watch:
        started = time.monotonic()
        flood = open_connections(port, 2000)
        try:
            normal = request(port, NORMAL, timeout=30)
            closed_early = sum(closed_by_server(sock) for sock in flood)
            deadline = time.monotonic() + 30 + 30  # the header timeout, and room
            while not all(closed_by_server(sock) for sock in flood) and time.monotonic() < deadline:
                time.sleep(0.5)  # pacing the check, not waiting for readiness
            open_left = sum(not closed_by_server(sock) for sock in flood)
        finally:
            close_all(flood)
        seconds = time.monotonic() - started
    outcome = (
        f"{closed_early:,} of 2,000 closed at the cap, {2000 - closed_early - open_left:,} cut by the "
        f"header timeout, {open_left:,} open after {seconds:.0f} s; a normal request during it: {normal}"
    )
    return watch.row(
        "slowloris, 2,000 idle connections", outcome, open_left == 0 and normal == 200, 128 * MIB
    )


def big_header(target: ServerProcess, root: Path) -> Row:
    port = port_of(target)
    with Watch(port, lambda: [target.process.pid]) as watch:
        status, sent = endless_header(port, 64 * 1024 * 1024, chunk=256 * 1024, timeout=60)
        normal = request(port, NORMAL, timeout=30)
    outcome = (
        f"answered {status} after {sent / MIB:.2f} MB of 64 MB sent; a normal request after it: {normal}"
    )
    ok = status == 431 and sent < 64 * MIB and normal == 200
    return watch.row("a 64 MB header", outcome, ok, 32 * MIB)


def punycode(target: ServerProcess, root: Path) -> Row:
    environment = {"HF_TASK": TASK, "SAGEMAKER_MODEL_SERVER_TIMEOUT": "20"}
    with toolkit_server(root / "model", root / "punycode.log", environment, new_session=True) as server:
        port = port_of(server)
        body = b"a" * (6 * 1024 * 1024 - 1024)  # just under the default 6 MB payload limit
        head = (
            "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json; charset=punycode\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        with Watch(port, lambda: [server.process.pid]) as watch:
            started = time.monotonic()
            status = request(port, head.encode() + body, timeout=40)
            seconds = time.monotonic() - started
            normal = request(port, NORMAL, timeout=40)
    outcome = f"answered {status} in {seconds:.1f} s; a normal request after it: {normal}"
    return watch.row("a 6 MB punycode body", outcome, status == 415 and normal == 200, 256 * MIB)


def write_long_line(path: Path, size: int) -> None:
    """One JSON line of ``size`` bytes, then a normal line, written a MiB at a time."""
    piece = b"a" * MIB
    with open(path, "wb") as output:
        output.write(b'{"inputs": "')
        for _ in range(size // MIB):
            output.write(piece)
        output.write(b'"}\n{"inputs": "a normal line"}\n')


def batch_line(target: ServerProcess, root: Path) -> Row:
    data = root / "batch-input"
    data.mkdir()
    write_long_line(data / "one-long-line.jsonl", GIB)
    arguments = ["batch", str(root / "model"), str(data), str(root / "batch-output")]
    try:
        result, watch, seconds = run_client(target, arguments, root)
    finally:
        (data / "one-long-line.jsonl").unlink()
    reason = result.get("error", "")
    ok = result.get("finished") is True and "line" in reason.lower()
    outcome = f"{result.get('summary', 'killed')} after {seconds:.0f} s: {reason[:150]}"
    return watch.row("a 1 GB single-line batch input", outcome, ok, 400 * MIB)


def gzip_bomb(target: ServerProcess, root: Path) -> Row:
    bomb = root / "bomb" / "model.tar.gz"
    bomb.parent.mkdir()
    write_gzip_tar_bomb(bomb, 2 * GIB, member_name="pytorch_model.bin")
    home = Path(os.environ[LOCAL_HOME])
    result, watch, seconds = run_client(target, ["deploy", str(bomb)], root, disk=home)
    written = watch.extra_peaks.get("disk", 0)
    refused = result.get("finished") is True and "error" in result and written < 64 * MIB
    summary = result.get("summary", "killed")
    outcome = (
        f"{bomb.stat().st_size / MIB:.1f} MB archive: {summary} after {seconds:.0f} s, "
        f"peak {written / MIB:,.0f} MB written under the local home; {result.get('error', '')[:120]}"
    )
    return watch.row("a 2 GB gzip bomb (model.tar.gz)", outcome, refused, 400 * MIB)


# ---------------------------------------------------------------------------- the client process

LOCAL_HOME = "SAGEMAKER_HF_LOCAL_HOME"


def directory_bytes(path: Path) -> int:
    total = 0
    for entry in path.rglob("*"):
        with contextlib.suppress(OSError):
            if entry.is_file() and not entry.is_symlink():
                total += entry.stat().st_blocks * 512
    return total


def run_client(target: ServerProcess, arguments: list[str], root: Path, disk: Path | None = None):
    """Run ``--client ARGUMENTS`` in its own process group while watching; kill it after CLIENT_SECONDS."""
    command = [sys.executable, __file__, "--client", *arguments]
    log = open(root / f"client-{arguments[0]}.log", "wb")  # noqa: SIM115 - closed below
    client = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, start_new_session=True)
    with Watch(port_of(target), lambda: [client.pid]) as watch:
        if disk is not None:
            watch.extra["disk"] = lambda: directory_bytes(disk)
        started = time.monotonic()
        try:
            stdout, _ = client.communicate(timeout=CLIENT_SECONDS)
            result = json.loads(stdout.decode().strip().splitlines()[-1])
            result["finished"] = True
        except (subprocess.TimeoutExpired, ValueError, IndexError):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(client.pid, signal.SIGKILL)
            client.wait()
            result = {"summary": "still running, killed"}
        seconds = time.monotonic() - started
    log.close()
    # A killed client leaves its model server running: local mode's own cleanup stops it.
    subprocess.run([sys.executable, "-m", "sagemaker_hf.cli", "local", "rm", "--all"], capture_output=True)
    return result, watch, seconds


def client_main(arguments: list[str]) -> None:
    """In the client process: the batch job or the deploy; prints one JSON line."""
    from sagemaker_hf import HuggingFaceModel

    kind = arguments[0]
    if kind == "batch":
        model_dir, data, output = arguments[1:]
        model = HuggingFaceModel(model_data=model_dir, env={"HF_TASK": TASK}, **VERSIONS)
        transformer = model.transformer(
            instance_count=1, instance_type="local", strategy="SingleRecord", output_path=output
        )
        try:
            transformer.transform(data, content_type="application/json", split_type="Line")
            result = {"summary": "the job completed"}
        except Exception as error:
            result = {"summary": "the job failed", "error": str(error)}
    else:
        model = HuggingFaceModel(model_data=arguments[1], env={"HF_TASK": TASK}, **VERSIONS)
        try:
            predictor = model.deploy(initial_instance_count=1, instance_type="local")
            predictor.delete_endpoint()
            result = {"summary": "deployed"}
        except Exception as error:
            result = {"summary": "deploy refused", "error": str(error)}
    model.delete_model()
    print(json.dumps(result), flush=True)


# ---------------------------------------------------------------------------- main

ATTACKS = {
    "slowloris": slowloris,
    "header": big_header,
    "punycode": punycode,
    "batch": batch_line,
    "gzip": gzip_bomb,
}


def raise_open_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        raised = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))


@contextlib.contextmanager
def target_server(root: Path) -> Iterator[ServerProcess]:
    with toolkit_server(root / "model", root / "target.log", {"HF_TASK": TASK}, new_session=True) as server:
        yield server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(ATTACKS), help=f"comma-separated: {', '.join(ATTACKS)}")
    options = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    raise_open_file_limit(2000 + 1000)  # the slowloris sockets, and room for this process's own
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="adversarial-") as temporary:
        root = Path(temporary)
        os.environ[LOCAL_HOME] = str(root / "local-home")
        build_tiny_model(TASK, root / "model")
        with target_server(root) as target:
            for name in options.only.split(","):
                print(f"running {name}...", flush=True)
                rows.append(ATTACKS[name.strip()](target, root))
    header = ("attack", "outcome", "worst /ping", "peak RSS (growth, bound)", "result")
    table = [
        (
            row.attack,
            row.outcome,
            f"{row.worst_ping * 1000:.0f} ms",
            f"{row.peak_rss / MIB:.0f} MiB (+{(row.peak_rss - row.baseline_rss) / MIB:.0f}, "
            f"<= +{row.rss_bound / MIB:.0f})",
            "PASS" if row.passed else "FAIL",
        )
        for row in rows
    ]
    widths = [max(len(line[column]) for line in [header, *table]) for column in range(len(header))]
    print()
    for line in [header, *table]:
        print(" | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    return 0 if all(row.passed for row in rows) else 1


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--client":
        client_main(sys.argv[2:])
    else:
        sys.exit(main())
