"""Spot training with checkpoints, locally: a job is stopped mid-way; the next resumes from its checkpoint.

What it shows (SDK v2's spot notebook, only the import changed, in local mode):

- ``use_spot_instances=True`` with ``max_wait``, and ``checkpoint_s3_uri`` pointing at a
  local folder (``file://...``; on SageMaker, an ``s3://`` prefix);
- ``fit(wait=False)`` starts the job; ``stop_training_job()`` stops it the way a spot
  interruption does (SIGTERM to the script); the checkpoint folder is saved to
  ``checkpoint_s3_uri``;
- a second ``fit()`` with the same ``checkpoint_s3_uri`` gets the checkpoint back in
  ``/opt/ml/checkpoints`` and finishes the remaining steps.

Run it (about 15 seconds)::

    .venv/bin/python examples/spot_checkpoint_resume_local.py
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from sagemaker_hf import HuggingFace

TRAINING_CODE = Path(__file__).resolve().parent / "training"


def make_estimator(checkpoints: Path) -> HuggingFace:
    return HuggingFace(
        entry_point="train_with_checkpoints.py",
        source_dir=str(TRAINING_CODE),
        instance_type="local",
        instance_count=1,
        transformers_version="4.48.0",
        pytorch_version="2.3.0",
        py_version="py311",
        # A container path as a hyperparameter, as the SageMaker notebooks pass output_dir: in
        # local mode it is mapped to the job's own folder.
        hyperparameters={"steps": 20, "seconds_per_step": 0.25, "checkpoint_dir": "/opt/ml/checkpoints"},
        use_spot_instances=True,
        max_run=3600,
        max_wait=7200,
        checkpoint_s3_uri=f"file://{checkpoints}",
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="spot-checkpoints-") as scratch:
        checkpoints = Path(scratch) / "checkpoints"

        interrupted = make_estimator(checkpoints)
        interrupted.fit(wait=False)
        time.sleep(3)  # let it train a few steps, then interrupt it
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
