"""What bounds the 32-client throughput on this machine: the model alone, without HTTP.

The toolkit's own task model, as our worker runs it (packing, length chunks, and answers as
the worker gives them to its encoders: feature-extraction's token states as float64 arrays)
answers the benchmark's sentences in batches of 32 in a child process, with no
server, client, pipe or JSON, for about ``seconds`` in all, in four configurations:

- one torch thread: the least CPU per sentence (no thread ever waits for another);
- one lane per usable core, each a thread of its own running batches on one torch thread,
  through the worker's gate (toolkit/lanes.py: our worker's default for these tasks);
- every usable core in one batch, passive OpenMP waiting;
- every usable core in one batch, OpenMP's default waiting, which spins a while before
  sleeping (fast on idle cores, and the one that collapses when they are shared).

Two numbers come out: the best throughput of the three, and the least CPU per sentence. On
idle cores the first bounds any server here. On shared cores it does not (a server of
several processes gets more of the kernel's fair share than one process does), and the
second does: 3x the peer's throughput needs at least that much CPU per request for the model
alone, which can be set against the CPU the server's tree actually got.

    OMP_NUM_THREADS=1 python benchmarks/peer/ceiling.py TASK MODEL_DIR SECONDS LANES   # one configuration
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BATCH = 32
HERE = Path(__file__).resolve()


@dataclass(frozen=True)
class Ceiling:
    per_second: float  # the best throughput of the configurations
    best: str  # which configuration that was
    cpu_ms: float  # the least CPU per sentence of the configurations


def configurations(cores: int) -> list[tuple[int, str | None, int]]:
    """(torch threads, OMP_WAIT_POLICY or None for OpenMP's default, lanes) to run."""
    if cores == 1:
        return [(1, None, 1)]
    return [(1, None, 1), (1, "PASSIVE", cores), (cores, "PASSIVE", 1), (cores, None, 1)]


def describe(threads: int, wait_policy: str | None, lanes: int = 1) -> str:
    if lanes > 1:
        return f"{lanes} lanes of 1 thread"
    if threads == 1:
        return "1 thread"
    return f"{threads} threads, {'passive' if wait_policy else 'spinning'} OpenMP waiting"


def measure(task: str, model_dir: Path, seconds: float) -> Ceiling | None:
    """The model alone in each configuration; None when every child failed."""
    from sagemaker_hf.toolkit.settings import usable_cores

    runs = configurations(usable_cores())
    found = []
    for threads, wait_policy, lanes in runs:
        measured = _measure_once(task, model_dir, seconds / len(runs), threads, wait_policy, lanes)
        if measured is not None:
            found.append((measured, describe(threads, wait_policy, lanes)))
    if not found:
        return None
    (best_rate, _), best = max(found, key=lambda item: item[0][0])
    return Ceiling(best_rate, best, min(cpu_ms for (_, cpu_ms), _ in found))


def _measure_once(
    task: str, model_dir: Path, seconds: float, threads: int, wait_policy: str | None, lanes: int
) -> tuple[float, float] | None:
    """(sentences per second, CPU ms per sentence) of one configuration."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SAGEMAKER_", "OMP_", "GOMP_", "KMP_"))
    }
    environment.update({"OMP_NUM_THREADS": str(threads), "HF_HUB_OFFLINE": "1"})
    if wait_policy is not None:
        environment["OMP_WAIT_POLICY"] = wait_policy
    command = [sys.executable, str(HERE), task, str(model_dir), str(seconds), str(lanes)]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        print(
            f"ceiling: {task} ({describe(threads, wait_policy, lanes)}) failed: {done.stderr[-2000:]}",
            file=sys.stderr,
        )
        return None
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return found["per_second"], found["cpu_ms"]


def _run(task: str, model_dir: Path, seconds: float, lanes: int) -> dict[str, float]:
    sys.path.insert(0, str(HERE.parent.parent))
    import torch

    from peer.sentences import sentences
    from sagemaker_hf.toolkit import lanes as gate
    from sagemaker_hf.toolkit.tasks import load_task_model

    torch.set_num_interop_threads(1)
    model = load_task_model(task, model_dir, device="cpu", trust_remote_code=False)
    if hasattr(model, "numpy_answers"):
        model.numpy_answers = True  # as the worker's handler sets it when no user hook sees answers
    texts = sentences(200)
    size = BATCH // lanes  # the worker's lanes share the batch size (toolkit/lanes.py)
    batches = [texts[start : start + size] for start in range(0, len(texts), size)]
    model.predict_batch(batches[0], {})  # warm-up, and the packing probe
    answered = [0] * lanes
    started, cpu_started = time.perf_counter(), time.process_time()

    def lane(index: int) -> None:
        turn = index
        while time.perf_counter() - started < seconds:
            batch = batches[turn % len(batches)]
            with gate.batch() if lanes > 1 else contextlib.nullcontext():
                model.predict_batch(batch, {})
            answered[index] += len(batch)
            turn += lanes

    threads = [threading.Thread(target=lane, args=(index,)) for index in range(lanes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"per_second": sum(answered) / wall, "cpu_ms": 1000 * cpu / sum(answered)}


if __name__ == "__main__":
    task_name, directory, duration, lane_count = (
        sys.argv[1],
        Path(sys.argv[2]),
        float(sys.argv[3]),
        int(sys.argv[4]),
    )
    print(json.dumps(_run(task_name, directory, duration, lane_count)))
