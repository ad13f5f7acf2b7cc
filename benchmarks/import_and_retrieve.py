"""Fresh-process cost of "import, then resolve one image URI": sagemaker-hf vs sagemaker-core.

    .venv/bin/python benchmarks/import_and_retrieve.py            # 15 runs of each
    .venv/bin/python benchmarks/import_and_retrieve.py --runs 31

A notebook cell, a CLI call or a CI job pays this on every start. The script creates (or
reuses) ``benchmarks/.venv-sagemaker-core/`` with ``sagemaker-core`` from PyPI (not a
project dependency; its install plan is checked first so that it can never pull torch),
checks that both libraries print the same URI, then runs fresh interpreters alternately:

* ``python -c pass`` (the interpreter's own start, for context),
* ``import sagemaker_hf.image_uris as u; u.retrieve(...)`` in this interpreter,
* ``from sagemaker.core import image_uris; image_uris.retrieve(...)`` in the other venv,

and prints the medians and the ratio (target: ours at most 1/10 of sagemaker-core's).
It also times a warm ``retrieve`` call inside one process for each library.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

BENCH_VENV = Path(__file__).resolve().parent / ".venv-sagemaker-core"
SAGEMAKER_CORE_SPEC = "sagemaker-core==2.27.0"  # the release image_uris/ was taken from
FORBIDDEN = ("torch", "nvidia-")  # a CUDA torch would download gigabytes

CALL = (
    'retrieve("huggingface", region="us-east-1", version="4.26.0", base_framework_version="pytorch1.13.1", '
    'image_scope="inference", instance_type="ml.m5.xlarge", py_version="py39")'
)
OURS = f"import sagemaker_hf.image_uris as u; print(u.{CALL})"
THEIRS = f"from sagemaker.core import image_uris as u; print(u.{CALL})"
# sagemaker-core re-reads its JSON on every call, hence far fewer calls for it
WARM = (
    "import timeit; {setup}; n = {calls}; print(min(timeit.repeat(lambda: u."
    + CALL
    + ", number=n, repeat=5)) / n * 1e6)"
)


def pip(*args: str) -> subprocess.CompletedProcess:
    python = BENCH_VENV / "bin" / "python"
    command = [str(python), "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(command, capture_output=True, text=True, check=True)


def ensure_sagemaker_core() -> Path:
    """The benchmark venv's interpreter, with sagemaker-core installed (torch-free)."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {BENCH_VENV}", flush=True)
        venv.create(BENCH_VENV, with_pip=True)
    probe = subprocess.run([str(python), "-c", "import sagemaker.core.image_uris"], capture_output=True)
    if probe.returncode != 0:
        print(f"checking the install plan of {SAGEMAKER_CORE_SPEC}", flush=True)
        with tempfile.TemporaryDirectory() as scratch:
            report_path = Path(scratch) / "report.json"
            pip("install", "--quiet", "--dry-run", "--report", str(report_path), SAGEMAKER_CORE_SPEC)
            planned = [
                item["metadata"]["name"].lower() for item in json.loads(report_path.read_text())["install"]
            ]
        heavy = [name for name in planned if name.startswith(FORBIDDEN)]
        if heavy:
            sys.exit(f"refusing to install {SAGEMAKER_CORE_SPEC}: it would pull {', '.join(heavy)}")
        print(f"installing {SAGEMAKER_CORE_SPEC} ({len(planned)} packages) into {BENCH_VENV}", flush=True)
        pip("install", "--quiet", SAGEMAKER_CORE_SPEC)
    version = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('sagemaker-core'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"sagemaker-core {version} in {BENCH_VENV}")
    return python


def run_once(command: list[str], cwd: str, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"{command[0]} -c ... failed:\n{completed.stderr}")
    return elapsed, completed.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per variant (default 15)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # keep the report in order with the progress on stderr

    core_python = ensure_sagemaker_core()
    ours_python = sys.executable
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "0"}
    variants = {
        "python -c pass": [ours_python, "-c", "pass"],
        "sagemaker_hf.image_uris": [ours_python, "-c", OURS],
        "sagemaker.core.image_uris": [str(core_python), "-c", THEIRS],
    }
    with tempfile.TemporaryDirectory() as cwd:
        # one untimed run each: byte-compiles, warms the page cache, and compares the answers
        answers = {name: run_once(command, cwd, env)[1] for name, command in variants.items()}
        if answers["sagemaker_hf.image_uris"] != answers["sagemaker.core.image_uris"]:
            sys.exit(f"the URIs differ: {answers}")
        print(f"both resolve to {answers['sagemaker_hf.image_uris']}")

        timings: dict[str, list[float]] = {name: [] for name in variants}
        redraw = "\r" if sys.stderr.isatty() else ""  # in place on a terminal; a log gets the final count
        for run in range(args.runs):
            for name, command in variants.items():  # interleaved, so drift hits all alike
                timings[name].append(run_once(command, cwd, env)[0])
            if redraw:
                print(f"{redraw}{run + 1}/{args.runs} runs", end="", file=sys.stderr, flush=True)
        print(f"{redraw}{args.runs}/{args.runs} runs", file=sys.stderr, flush=True)

        warm = {
            "sagemaker_hf.image_uris": (ours_python, "import sagemaker_hf.image_uris as u", 2000),
            "sagemaker.core.image_uris": (str(core_python), "from sagemaker.core import image_uris as u", 20),
        }
        warm_micros = {
            name: float(run_once([python, "-c", WARM.format(setup=setup, calls=calls)], cwd, env)[1])
            for name, (python, setup, calls) in warm.items()
        }

    medians = {name: statistics.median(values) for name, values in timings.items()}
    print(f"\nfresh process, import + one retrieve ({args.runs} runs each, median / min):")
    for name, values in timings.items():
        print(f"  {name:28s} {medians[name] * 1000:8.1f} ms   {min(values) * 1000:8.1f} ms")
    ours, theirs = medians["sagemaker_hf.image_uris"], medians["sagemaker.core.image_uris"]
    baseline = medians["python -c pass"]
    print(
        f"ratio sagemaker_hf / sagemaker-core: {ours / theirs:.3f} (1/{theirs / ours:.1f}); target <= 0.100: "
        f"{'met' if ours <= theirs / 10 else 'NOT met'}"
    )
    print(
        f"above the bare interpreter: {(ours - baseline) * 1000:.1f} ms (sagemaker_hf) vs "
        f"{(theirs - baseline) * 1000:.1f} ms (sagemaker-core)"
    )
    print("warm retrieve, per call in one process (best of 5 repeats):")
    for name, micros in warm_micros.items():
        print(f"  {name:28s} {micros:10.1f} µs")


if __name__ == "__main__":
    main()
