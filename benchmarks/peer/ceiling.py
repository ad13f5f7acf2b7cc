"""What bounds the 32-client throughput on this machine: the model alone, without HTTP.

The toolkit's own task model (the one our worker runs: packing, length chunks, output as
Python lists) answers the benchmark's sentences in batches of 32, in a child process with
every usable core as a torch thread, for about ``seconds``: once with passive OpenMP waiting
(our worker's default) and once with OpenMP's default spinning (faster on idle cores: ~450
against ~360 sentences/s here), and the faster counts. No server, client, pipe or JSON, and
the cores to itself, so no server on this machine answers faster than this; under contention
it runs beside the same busy processes.

    python benchmarks/peer/ceiling.py TASK MODEL_DIR SECONDS    # prints {"per_second": ...}
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

BATCH = 32
HERE = Path(__file__).resolve()


WAIT_POLICIES = ("PASSIVE", None)  # None: OpenMP's default, which spins a while before sleeping


def measure(task: str, model_dir: Path, seconds: float) -> float | None:
    """Sentences per second of the model alone, the faster of the wait policies; None when
    every child failed."""
    found = [_measure_once(task, model_dir, seconds / len(WAIT_POLICIES), policy) for policy in WAIT_POLICIES]
    measured = [value for value in found if value is not None]
    return max(measured) if measured else None


def _measure_once(task: str, model_dir: Path, seconds: float, wait_policy: str | None) -> float | None:
    from sagemaker_hf.toolkit.settings import usable_cores

    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SAGEMAKER_", "OMP_", "GOMP_", "KMP_"))
    }
    environment.update({"OMP_NUM_THREADS": str(usable_cores()), "HF_HUB_OFFLINE": "1"})
    if wait_policy is not None:
        environment["OMP_WAIT_POLICY"] = wait_policy
    command = [sys.executable, str(HERE), task, str(model_dir), str(seconds)]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        print(
            f"ceiling: {task} ({wait_policy or 'default'} waiting) failed: {done.stderr[-2000:]}",
            file=sys.stderr,
        )
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])["per_second"]


def _run(task: str, model_dir: Path, seconds: float) -> float:
    sys.path.insert(0, str(HERE.parent.parent))
    import torch

    from peer.sentences import sentences
    from sagemaker_hf.toolkit.tasks import load_task_model

    torch.set_num_interop_threads(1)
    model = load_task_model(task, model_dir, device="cpu", trust_remote_code=False)
    texts = sentences(200)
    batches = [texts[start : start + BATCH] for start in range(0, len(texts), BATCH)]
    model.predict_batch(batches[0], {})  # warm-up, and the packing probe
    answered, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for batch in batches:
            model.predict_batch(batch, {})
            answered += len(batch)
    return answered / (time.perf_counter() - started)


if __name__ == "__main__":
    task_name, directory, duration = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    print(json.dumps({"per_second": _run(task_name, directory, duration)}))
