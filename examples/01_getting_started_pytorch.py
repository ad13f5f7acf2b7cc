"""01 · Getting started with PyTorch: fine-tune a text classifier, then deploy it and predict.

Notebook: ``sagemaker/01_getting_started_pytorch`` (IMDb, ``distilbert-base-uncased``).
What it shows, with SDK v2's calls and only the import changed:

1. the ``train`` and ``test`` channels as folders of JSON Lines (the notebook uploads the
   tokenized IMDb dataset to S3; locally a folder is read in place);
2. ``HuggingFace(entry_point="train.py", source_dir="examples/training", hyperparameters=...)``
   and ``fit({"train": ..., "test": ...})``: the job's log is streamed, and the model and
   tokenizer the script saves end up in ``model.tar.gz``;
3. ``HuggingFace.attach(job_name)`` rebuilds the estimator from the finished job;
4. ``deploy()`` serves that archive; two sentences are classified; the endpoint is deleted.

How it runs here: in local mode (``instance_type="local"``: no Docker, no AWS account, no
network). The starting model is a tiny random BERT built offline by
``sagemaker_hf.testing`` and given as a ``model`` channel, so the fine-tuned model only
memorises its dozen sentences; ``--model`` takes a real BERT-like folder instead. On
SageMaker, use ``instance_type="ml.p3.2xlarge"``, a role, ``s3://`` channels and
``hyperparameters={"model_name": "distilbert-base-uncased", ...}``.

Run it (a minute or less on 2 CPU cores)::

    .venv/bin/python examples/01_getting_started_pytorch.py
    .venv/bin/python examples/01_getting_started_pytorch.py --model /path/to/bert-like --epochs 3
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from sample_data import write_splits

from sagemaker_hf import HuggingFace

TRAINING_CODE = Path(__file__).resolve().parent / "training"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a local model folder to fine-tune (default: a tiny random BERT)")
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # small models train faster single-threaded

    with tempfile.TemporaryDirectory(prefix="getting-started-") as scratch:
        splits = write_splits(Path(scratch) / "data")  # the notebook uploads tokenized IMDb to S3
        base_model = args.model
        if base_model is None:
            from sagemaker_hf.testing import build_tiny_model

            base_model = str(build_tiny_model("text-classification", Path(scratch) / "tiny-bert"))

        huggingface_estimator = HuggingFace(
            entry_point="train.py",
            source_dir=str(TRAINING_CODE),
            instance_type="local",
            instance_count=1,
            base_job_name="huggingface-sdk-extension",
            transformers_version="4.26",
            pytorch_version="1.13",
            py_version="py39",
            hyperparameters={"epochs": args.epochs, "train_batch_size": 4, "learning_rate": 3e-3},
        )
        inputs = {"train": str(splits["train"]), "test": str(splits["test"]), "model": base_model}
        huggingface_estimator.fit(inputs)
        job_name = huggingface_estimator.latest_training_job.name
        print(f"trained model: {huggingface_estimator.model_data}")

        # The notebook's "attach to an old training job": the same estimator, rebuilt from the job.
        attached = HuggingFace.attach(job_name, sagemaker_session=huggingface_estimator.sagemaker_session)
        print(f"attached to {job_name}: transformers {attached.framework_version}, {attached.model_data}")

        predictor = attached.deploy(initial_instance_count=1, instance_type="local")
        try:
            for sentence in ("I loved this film, it was wonderful", "I hated every minute of it"):
                print(f"{sentence!r} -> {json.dumps(predictor.predict({'inputs': sentence}))}")
        finally:
            predictor.delete_endpoint()
            predictor.delete_model()


if __name__ == "__main__":
    main()
