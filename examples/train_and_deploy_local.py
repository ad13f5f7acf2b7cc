"""Train a text classifier with HuggingFace(...).fit(), then deploy it and predict: all on this machine.

What it shows: SDK v2's training flow with only the import changed, run in local mode
(``instance_type="local"``, no Docker, no AWS account, no network):

1. a dozen labelled sentences are written as JSON Lines (the ``train`` channel);
2. ``HuggingFace(entry_point="train.py", source_dir="examples/training", ...).fit(...)``
   fine-tunes a tiny random BERT (built offline by ``sagemaker_hf.testing``, passed as the
   ``model`` channel); the job's log is streamed, and the trained model and tokenizer end
   up in ``model.tar.gz``;
3. ``estimator.deploy(instance_type="local")`` serves that archive with the inference
   toolkit; two sentences are classified; the endpoint is deleted.

The tiny model only memorises its twelve sentences (so two of them are classified); pass
``--model`` with a real BERT-like folder for a classifier that generalises.

Run it (a minute or less on 2 CPU cores)::

    .venv/bin/python examples/train_and_deploy_local.py
    .venv/bin/python examples/train_and_deploy_local.py --model /path/to/a/bert-like/model --epochs 3

Local state (the job's log, model.tar.gz) goes to ``$SAGEMAKER_HF_LOCAL_HOME``, by default
``~/.cache/sagemaker-hf/local``. On SageMaker, the same code runs with an ``ml.*`` GPU
instance type, a role, and ``s3://`` inputs.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from sagemaker_hf import HuggingFace

TRAINING_CODE = Path(__file__).resolve().parent / "training"
SENTENCES = [
    ("I loved this film, it was wonderful", 1),
    ("What a great and happy day", 1),
    ("The music was beautiful", 1),
    ("A good story with a great cast", 1),
    ("I would happily watch it again", 1),
    ("The best movie of the year", 1),
    ("I hated every minute of it", 0),
    ("A terrible and boring film", 0),
    ("The acting was awful", 0),
    ("Bad music and a sad ending", 0),
    ("I want my money back", 0),
    ("The worst movie of the year", 0),
]


def write_dataset(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"text": text, "label": label}) for text, label in SENTENCES]
    (folder / "train.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a local model folder to fine-tune (default: a tiny random BERT)")
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # small models train faster single-threaded

    with tempfile.TemporaryDirectory(prefix="train-and-deploy-") as scratch:
        data = write_dataset(Path(scratch) / "data")
        base_model = args.model
        if base_model is None:
            from sagemaker_hf.testing import build_tiny_model

            base_model = str(build_tiny_model("text-classification", Path(scratch) / "tiny-bert"))

        # ---- SDK v2's flow; only the import changed -------------------------------------
        huggingface_estimator = HuggingFace(
            entry_point="train.py",
            source_dir=str(TRAINING_CODE),
            instance_type="local",
            instance_count=1,
            transformers_version="4.48.0",
            pytorch_version="2.3.0",
            py_version="py311",
            hyperparameters={"epochs": args.epochs, "learning_rate": 3e-3, "batch_size": 4},
            metric_definitions=[{"Name": "loss", "Regex": r"loss=([0-9.]+)"}],
        )
        huggingface_estimator.fit({"train": str(data), "model": base_model})
        print(f"trained model: {huggingface_estimator.model_data}")

        predictor = huggingface_estimator.deploy(initial_instance_count=1, instance_type="local")
        try:
            for sentence in ("I loved this film, it was wonderful", "I hated every minute of it"):
                print(f"{sentence!r} -> {json.dumps(predictor.predict({'inputs': sentence}))}")
        finally:
            predictor.delete_endpoint()
            predictor.delete_model()


if __name__ == "__main__":
    main()
