"""A training loop that survives interruptions: it saves its state to the checkpoint folder.

SageMaker copies ``checkpoint_local_path`` (``/opt/ml/checkpoints`` by default) to
``checkpoint_s3_uri`` and back, so a spot job that is interrupted, or stopped, resumes
where it left off on its next run. This loop keeps its state in ``state.json`` there; a
real one would save ``model.state_dict()`` and the optimizer (``Trainer`` does it with
``output_dir="/opt/ml/checkpoints"`` and ``resume_from_checkpoint=True``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seconds_per_step", type=float, default=0.25)
    parser.add_argument("--checkpoint_dir", required=True)  # e.g. /opt/ml/checkpoints
    args = parser.parse_args()

    state_file = Path(args.checkpoint_dir) / "state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {"step": 0, "resumed_from": []}
    if state["step"]:
        print(f"resuming from the checkpoint of step {state['step']}", flush=True)
        state["resumed_from"].append(state["step"])
    for step in range(state["step"] + 1, args.steps + 1):
        time.sleep(args.seconds_per_step)  # the work of one training step
        state["step"] = step
        state_file.parent.mkdir(parents=True, exist_ok=True)
        partial = state_file.with_suffix(".partial")
        partial.write_text(json.dumps(state))
        os.replace(partial, state_file)  # an interruption never leaves half a checkpoint
        print(f"step {step}/{args.steps} done", flush=True)

    (Path(os.environ["SM_MODEL_DIR"]) / "state.json").write_text(json.dumps(state))


if __name__ == "__main__":
    main()
