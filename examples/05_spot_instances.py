"""05 · Spot instances and checkpoints: a job is interrupted; the next one resumes from its checkpoint.

Notebook: ``sagemaker/05_spot_instances``. What it shows, with SDK v2's calls and only the
import changed:

- ``use_spot_instances=True`` with ``max_run`` and ``max_wait``, and ``checkpoint_s3_uri``
  (on SageMaker an ``s3://`` prefix; here a local folder, ``file://...``);
- ``fit(wait=False)`` starts the job; ``stop_training_job()`` stops it the way a spot
  interruption does (SIGTERM to the script), and the checkpoint folder is saved to
  ``checkpoint_s3_uri``;
- a second ``fit()`` with the same ``checkpoint_s3_uri`` gets the checkpoint back in
  ``/opt/ml/checkpoints`` and finishes the remaining steps.

How it runs here: in local mode (no Docker, no AWS account). The training script
(``examples/training/train_with_checkpoints.py``) stands in for a ``Trainer`` run with
``output_dir="/opt/ml/checkpoints"``: it saves its step counter after every step.

Run it (about 15 seconds)::

    .venv/bin/python examples/05_spot_instances.py
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from sagemaker_hf import HuggingFace

TRAINING_CODE = Path(__file__).resolve().parent / "training"
LOG_GROUP = "/aws/sagemaker/TrainingJobs"


def make_estimator(checkpoints: Path) -> HuggingFace:
    return HuggingFace(
        entry_point="train_with_checkpoints.py",
        source_dir=str(TRAINING_CODE),
        instance_type="local",
        instance_count=1,
        transformers_version="4.26",
        pytorch_version="1.13",
        py_version="py39",
        # A container path as a hyperparameter, as the SageMaker notebooks pass output_dir: in
        # local mode it is mapped to the job's own folder.
        hyperparameters={"steps": 20, "seconds_per_step": 0.25, "checkpoint_dir": "/opt/ml/checkpoints"},
        use_spot_instances=True,
        max_run=1000,  # seconds of training at most
        max_wait=3600,  # seconds of waiting for spot capacity plus training
        checkpoint_s3_uri=f"file://{checkpoints}",
    )


def wait_for_log_line(estimator: HuggingFace, text: str, timeout: float = 120.0) -> None:
    """Poll the job's log (CloudWatch Logs' API; in local mode the job's own log) for ``text``."""
    logs = estimator.sagemaker_session.logs_client
    job_name = estimator.latest_training_job.name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        streams = logs.describe_log_streams(logGroupName=LOG_GROUP, logStreamNamePrefix=job_name)
        for stream in streams["logStreams"]:
            events = logs.get_log_events(
                logGroupName=LOG_GROUP, logStreamName=stream["logStreamName"], startFromHead=True
            )["events"]
            if any(text in event["message"] for event in events):
                return
        time.sleep(0.5)
    raise SystemExit(f"{job_name} logged no {text!r} within {timeout:.0f} s; see its log.")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="spot-checkpoints-") as scratch:
        checkpoints = Path(scratch) / "checkpoints"

        interrupted = make_estimator(checkpoints)
        interrupted.fit(wait=False)
        wait_for_log_line(interrupted, "step 3/20 done")  # let it train a few steps, then interrupt it
        interrupted.stop_training_job()
        status = interrupted.describe()["TrainingJobStatus"]
        saved = json.loads((checkpoints / "state.json").read_text())
        print(f"first job: {status} after step {saved['step']}; checkpoint saved to {checkpoints}")

        resumed = make_estimator(checkpoints)
        resumed.fit()
        final = json.loads((checkpoints / "state.json").read_text())
        print(
            f"second job: {resumed.describe()['TrainingJobStatus']} at step {final['step']}, "
            f"resumed from step {final['resumed_from'][-1]}; model: {resumed.model_data}"
        )


if __name__ == "__main__":
    main()
