"""The process of a local training job: ``python -m sagemaker_hf.local.training.runner <job dir>``.

It plays the training container's part once the inputs are in place: install the code's
``requirements.txt`` (``pip``, no shell), run the entry point with its arguments, stop it
on SIGTERM (StopTrainingJob) or after ``MaxRuntimeInSeconds``, pack ``opt/ml/model`` into
``model.tar.gz`` and ``opt/ml/output/data`` into ``output.tar.gz``, and write
``result.json``. Its output, and pip's and the script's, go to the job's log, with every
secret of the job's environment masked (:mod:`sagemaker_hf.container.redaction`). Uploading the
archives is left to the client (:mod:`sagemaker_hf.local.training.jobs`), which holds
the session's S3 credentials.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from sagemaker_hf.container.redaction import Redactor, environment_redactor
from sagemaker_hf.container.requirements import check_references, has_requirements
from sagemaker_hf.container.training import MODEL_ARCHIVE_NAME, OUTPUT_ARCHIVE_NAME
from sagemaker_hf.errors import UnsafeRequirementsError

SPEC_NAME = "job.json"
RESULT_NAME = "result.json"
ARTIFACTS_DIR = "artifacts"
# After SIGTERM the script gets this long to save its state, then SIGKILL (SageMaker gives 120 s;
# less here, so the runner still packs the model within local mode's stop timeout).
STOP_GRACE_SECONDS = 20.0
_POLL_SECONDS = 0.2
# Output is relayed at line (or progress-bar carriage return) boundaries; a longer run without
# one is relayed anyway, keeping this many characters back so a secret is never cut in two.
_RELAY_LIMIT, _RELAY_OVERLAP = 64 * 1024, 512


def _say(message: str) -> None:
    print(f"[sagemaker-hf] {message}", flush=True)


def _relay(source: IO[bytes], redactor: Redactor) -> None:
    """Copy a child's output to this process's stdout (the job's log), secrets masked."""
    out, pending = sys.stdout.buffer, ""
    while chunk := os.read(source.fileno(), 65536):
        pending += chunk.decode("utf-8", errors="surrogateescape")
        cut = max(pending.rfind("\n"), pending.rfind("\r")) + 1
        if not cut and len(pending) > _RELAY_LIMIT:
            cut = len(pending) - _RELAY_OVERLAP
        if cut:
            out.write(redactor.redact(pending[:cut]).encode("utf-8", errors="surrogateescape"))
            out.flush()
            pending = pending[cut:]
    out.write(redactor.redact(pending).encode("utf-8", errors="surrogateescape"))
    out.flush()


def _start(command: list[str], cwd: Path) -> tuple[subprocess.Popen, threading.Thread]:
    """Start ``command`` with its output relayed to the log through the redactor."""
    process = subprocess.Popen(
        command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    relay = threading.Thread(target=_relay, args=(process.stdout, environment_redactor()), daemon=True)
    relay.start()
    return process, relay


class _Stop:
    """Set by SIGTERM: the job was asked to stop."""

    requested = False

    @classmethod
    def handle(cls, signum: int, frame: Any) -> None:
        del signum, frame
        cls.requested = True


def _run(command: list[str], cwd: Path, max_run: float) -> tuple[int, str | None]:
    """Run the script; returns (exit code, why it was stopped or None)."""
    process, relay = _start(command, cwd)
    deadline = time.monotonic() + max_run
    stopped: str | None = None
    while process.poll() is None:
        if stopped is None and (_Stop.requested or time.monotonic() >= deadline):
            stopped = "Stopped" if _Stop.requested else "MaxRuntimeExceeded"
            _say(f"stopping the script ({stopped}): SIGTERM, then SIGKILL after {STOP_GRACE_SECONDS:g} s")
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
        time.sleep(_POLL_SECONDS)
    if stopped is None and _Stop.requested:
        stopped = "Stopped"  # the script got the same SIGTERM (its process group) and ended first
    relay.join(timeout=STOP_GRACE_SECONDS)  # a grandchild may keep the pipe open: don't hang on it
    return process.returncode, stopped


def _run_pip(requirements: Path, code_dir: Path) -> int:
    try:
        check_references(requirements)
    except UnsafeRequirementsError as error:
        _say(str(error))
        return 1
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-r",
        str(requirements),
    ]
    pip, relay = _start(command, code_dir)
    exit_code = pip.wait()
    relay.join()
    return exit_code


def main(job_dir: Path) -> int:
    signal.signal(signal.SIGTERM, _Stop.handle)
    spec = json.loads((job_dir / SPEC_NAME).read_text())
    code_dir, model_dir, output_dir = (
        Path(spec["code_dir"]),
        Path(spec["model_dir"]),
        Path(spec["output_data_dir"]),
    )
    result: dict[str, Any] = {"exit_code": None, "stopped": None, "stage": "requirements"}
    requirements = code_dir / "requirements.txt"
    exit_code = 0
    if has_requirements(requirements):
        _say(f"installing {requirements.name}")
        exit_code = _run_pip(requirements, code_dir)
    if exit_code == 0:
        result["stage"] = "script"
        _say("running " + " ".join(spec["command"][1:]))
        exit_code, result["stopped"] = _run(spec["command"], code_dir, float(spec["max_run"]))
        _say(f"the script exited with code {exit_code}")
    result["exit_code"] = exit_code
    from sagemaker_hf.artifacts import make_tarball

    artifacts = job_dir / ARTIFACTS_DIR
    make_tarball(model_dir, artifacts / MODEL_ARCHIVE_NAME)
    if any(output_dir.iterdir()):
        make_tarball(output_dir, artifacts / OUTPUT_ARCHIVE_NAME)
    failure = Path(spec["failure_file"])
    if failure.is_file():
        result["failure"] = failure.read_text(encoding="utf-8", errors="replace")[:1024]
    partial = job_dir / f".{RESULT_NAME}.partial"
    partial.write_text(json.dumps(result))
    os.replace(partial, job_dir / RESULT_NAME)  # readers never see half a result
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
