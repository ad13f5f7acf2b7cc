"""Fuzz ``POST /invocations`` with hostile requests and check that every one is handled.

    .venv/bin/python benchmarks/fuzz_invocations.py              # 10,000+ requests over 4 servers
    .venv/bin/python benchmarks/fuzz_invocations.py --quick      # what CI runs (tests/reliability)
    .venv/bin/python benchmarks/fuzz_invocations.py --requests 50000 --seed 7

For each task below it builds the tiny random model of ``sagemaker_hf.testing``, starts
``python -m sagemaker_hf.toolkit serve`` on 127.0.0.1 (one worker, 1 MB payload limit so
that oversize bodies are cheap to send), and lets Hypothesis generate request groups from
``sagemaker_hf.testing.fuzz`` (one request, or a burst sent at once). It prints the
answers by status and by generator category, every answer that broke a rule (a 5xx other
than 503/504, an error body not shaped ``{code, type, message}``, a message that echoes
the body), the workers' restarts, and ``/ping`` at the end. It exits 1 if any rule broke,
a worker restarted, or ``/ping`` is not 200 at the end.

Generation is derandomized (the same requests every run) unless ``--seed`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from hypothesis import HealthCheck, Phase, given, seed, settings

from sagemaker_hf.testing import build_tiny_model
from sagemaker_hf.testing.fuzz import request_groups
from sagemaker_hf.testing.fuzz_client import FuzzClient, Health, Tally
from sagemaker_hf.testing.server_process import toolkit_server

# task -> share of the request groups: text tasks see most traffic; the media tasks check
# that image and audio decoding refuse broken bodies.
TASKS = {
    "text-classification": 0.4,
    "text-generation": 0.2,
    "image-classification": 0.2,
    "audio-classification": 0.2,
}
QUICK_TASKS = {"text-classification": 1.0}
PAYLOAD_LIMIT_MB = 1
# A request group holds 1.75 requests on average (a burst of 2-8 one time in four).
REQUESTS_PER_GROUP = 1.75


def server_env(task: str) -> dict[str, str]:
    return {
        "HF_TASK": task,
        "SAGEMAKER_MAX_PAYLOAD_IN_MB": str(PAYLOAD_LIMIT_MB),
        "SAGEMAKER_MODEL_SERVER_WORKERS": "1",
        "SAGEMAKER_MODEL_SERVER_TIMEOUT": "30",
    }


def fuzz(url: str, groups: int, random_seed: int | None) -> tuple[Tally, Health]:
    """Send ``groups`` generated request groups to ``url``; the tally and the server's health after."""
    tally = Tally()
    with FuzzClient(url) as client:

        @settings(
            max_examples=groups,
            database=None,
            deadline=None,
            derandomize=random_seed is None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(request_groups(PAYLOAD_LIMIT_MB * 1024 * 1024))
        def send(group):
            tally.bursts += 1
            for outcome in client.send_group(group):
                tally.add(outcome)

        if random_seed is not None:
            send = seed(random_seed)(send)
        send()
        return tally, client.health()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="200 request groups, text-classification only")
    parser.add_argument("--requests", type=int, default=10_000, help="at least this many requests in all")
    parser.add_argument("--seed", type=int, default=None, help="random generation with this seed")
    arguments = parser.parse_args()
    tasks = QUICK_TASKS if arguments.quick else TASKS
    total_groups = 200 if arguments.quick else int(arguments.requests / REQUESTS_PER_GROUP * 1.05) + 1
    print(f"fuzzing /invocations: {', '.join(tasks)}; {os.cpu_count()} cores, OMP_NUM_THREADS=1", flush=True)
    failed = False
    grand_total = 0
    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
        for task, share in tasks.items():
            model_dir = build_tiny_model(task, Path(scratch) / task)
            log_path = Path(scratch) / f"{task}.log"
            started = time.perf_counter()
            with toolkit_server(model_dir, log_path, server_env(task)) as server:
                tally, health = fuzz(server.url, max(1, int(total_groups * share)), arguments.seed)
                log = server.log_text()
            seconds = time.perf_counter() - started
            grand_total += tally.total
            print(f"\n== {task}: {tally.total} requests in {seconds:.0f} s ({tally.total / seconds:.0f}/s)")
            print(tally.report())
            print(
                f"after: /ping {health.ping_status}, workers {health.worker_states}, "
                f"worker restarts {health.worker_restarts}, tracebacks in the server log: "
                f"{log.count('Traceback (most recent call last)')}"
            )
            if tally.problem_count or not health.healthy or health.worker_restarts != 0:
                failed = True
    print(f"\ntotal requests: {grand_total}; {'FAILED' if failed else 'every answer kept the rules'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
