"""What the local runtime's safety checks cost per ``invoke_endpoint`` (issue 16.7, 16.8).

    .venv/bin/python benchmarks/local_invoke_checks.py              # 5 rounds of 300 calls
    .venv/bin/python benchmarks/local_invoke_checks.py --rounds 9 --calls 500

Before sending anything, the local runtime checks that the endpoint's recorded pid still
has its recorded start time (a dead endpoint must not answer through whatever took its
port), and it checks every member of the request against botocore's constraints. This
script deploys a no-op endpoint locally and measures, in one run:

* each check alone, in a tight loop (microseconds per call);
* ``invoke_endpoint`` end to end with the process check, and with it switched off, call
  by call alternately (the median of each round's medians, and their ratio).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from serving_floor import BODY, NO_OP_INFERENCE

os.environ.setdefault("OMP_NUM_THREADS", "1")
VERSIONS = {"transformers_version": "4.49", "pytorch_version": "2.6", "py_version": "py312"}


def _per_call_microseconds(function, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - started) / repeat * 1e6


def _invoke_pairs(runtime, name: str, calls: int, processes) -> tuple[list[float], list[float]]:
    """Seconds per invoke_endpoint, with and without the process check, alternating call by call
    (so a machine whose load drifts weighs on both alike)."""
    real_is_running = processes.is_running
    timings: tuple[list[float], list[float]] = ([], [])
    try:
        for call in range(2 * calls):
            with_check = call % 2 == 0
            processes.is_running = real_is_running if with_check else (lambda pid, identity: True)
            started = time.perf_counter()
            runtime.invoke_endpoint(EndpointName=name, Body=BODY, ContentType="application/json")[
                "Body"
            ].read()
            timings[0 if with_check else 1].append(time.perf_counter() - started)
    finally:
        processes.is_running = real_is_running
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()

    from sagemaker_hf import HuggingFaceModel
    from sagemaker_hf.local import botocore_model, processes
    from sagemaker_hf.local.registry import EndpointRecord
    from sagemaker_hf.session import LocalSession

    with tempfile.TemporaryDirectory(prefix="invoke-checks-") as scratch:
        code = Path(scratch) / "code"
        code.mkdir()
        (code / "inference.py").write_text(NO_OP_INFERENCE)
        session = LocalSession(local_home=Path(scratch) / "home")
        model = HuggingFaceModel(
            entry_point="inference.py", source_dir=str(code), sagemaker_session=session, **VERSIONS
        )
        predictor = model.deploy(
            initial_instance_count=1, instance_type="local", endpoint_name="invoke-checks"
        )
        try:
            runtime = session.sagemaker_runtime_client
            process = session.sagemaker_client.registry.load(EndpointRecord, "invoke-checks").current.process
            request = {"EndpointName": "invoke-checks", "Body": BODY, "ContentType": "application/json"}
            check = _per_call_microseconds(lambda: processes.is_running(process.pid, process.identity), 20000)
            validate = _per_call_microseconds(
                lambda: botocore_model.validate(botocore_model.RUNTIME, "InvokeEndpoint", request), 20000
            )

            _invoke_pairs(runtime, "invoke-checks", args.calls // 5, processes)  # warm-up
            with_check, without_check = [], []
            for _ in range(args.rounds):
                on_round, off_round = _invoke_pairs(runtime, "invoke-checks", args.calls, processes)
                with_check.append(statistics.median(on_round))
                without_check.append(statistics.median(off_round))
        finally:
            predictor.delete_endpoint()

    on, off = statistics.median(with_check), statistics.median(without_check)
    print(f"process check alone (pid + start time): {check:8.1f} us per call")
    print(f"request validation alone (InvokeEndpoint): {validate:5.1f} us per call")
    print(
        f"invoke_endpoint median over {args.rounds} rounds x {args.calls} calls: "
        f"with the check {on * 1e3:.3f} ms, without {off * 1e3:.3f} ms, ratio {on / off:.3f}"
    )


if __name__ == "__main__":
    main()
