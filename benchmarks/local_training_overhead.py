"""What local mode adds to a training script: ``HuggingFace(instance_type="local").fit()`` vs the bare script.

    .venv/bin/python benchmarks/local_training_overhead.py           # 3 runs of each
    .venv/bin/python benchmarks/local_training_overhead.py --runs 5

Both sides fine-tune the same tiny random BERT on the same twelve sentences with
``examples/training/train.py`` (30 epochs, one thread):

* **bare**: ``python train.py ...`` in a fresh process, with the ``SM_*`` variables the
  script reads pointing at prepared folders;
* **fit()**: the estimator packs the code, stages the channels, starts the job, waits
  (polling DescribeTrainingJob), and the job packs ``model.tar.gz``.

The runs alternate; the medians and their ratio are printed, and the difference is local
mode's overhead per job.
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CODE = REPO / "examples" / "training"
HYPERPARAMETERS = {"epochs": 30, "learning_rate": 3e-3, "batch_size": 4}


def prepare(root: Path) -> tuple[Path, Path]:
    sys.path.insert(0, str(REPO / "examples"))
    from sample_data import REVIEWS, write_split

    from sagemaker_hf.testing import build_tiny_model

    return write_split(root / "data", REVIEWS), build_tiny_model("text-classification", root / "tiny-bert")


def run_bare(data: Path, model: Path, root: Path) -> float:
    model_dir = Path(tempfile.mkdtemp(dir=root, prefix="bare-model-"))
    environment = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "SM_CHANNEL_TRAIN": str(data),
        "SM_CHANNEL_MODEL": str(model),
        "SM_MODEL_DIR": str(model_dir),
    }
    arguments = [f"--{key}={value}" for key, value in sorted(HYPERPARAMETERS.items())]
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "train.py", *arguments], cwd=CODE, env=environment, check=True, capture_output=True
    )
    return time.perf_counter() - start


def run_fit(data: Path, model: Path, session: object) -> float:
    from sagemaker_hf import HuggingFace

    estimator = HuggingFace(
        entry_point="train.py",
        source_dir=str(CODE),
        instance_type="local",
        transformers_version="4.48.0",
        pytorch_version="2.3.0",
        py_version="py311",
        hyperparameters=HYPERPARAMETERS,
        sagemaker_session=session,
    )
    start = time.perf_counter()
    estimator.fit({"train": str(data), "model": str(model)}, logs=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = "1"
    from sagemaker_hf.session import LocalSession

    with tempfile.TemporaryDirectory(prefix="local-training-bench-") as scratch:
        root = Path(scratch)
        data, model = prepare(root)
        session = LocalSession(local_home=root / "home")
        bare, fit = [], []
        for _ in range(args.runs):
            bare.append(run_bare(data, model, root))
            fit.append(run_fit(data, model, session))
        bare_median, fit_median = statistics.median(bare), statistics.median(fit)
        print(json.dumps({"bare_s": [round(t, 2) for t in bare], "fit_s": [round(t, 2) for t in fit]}))
        print(f"bare script      median {bare_median:6.2f} s")
        print(f"fit() (local)    median {fit_median:6.2f} s")
        overhead, ratio = fit_median - bare_median, fit_median / bare_median
        print(f"overhead         {overhead:6.2f} s per job, ratio fit/bare {ratio:.2f}")


if __name__ == "__main__":
    main()
