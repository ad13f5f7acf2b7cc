"""15 · SageMaker Training Compiler: the same fine-tuning, compiled with XLA for the GPU.

Notebook: ``sagemaker/15_training_compiler`` (``transformers.Trainer``). What it shows, with
SDK v2's calls and only the import changed:

- ``compiler_config=TrainingCompilerConfig()``: the job runs on the Training Compiler
  image (``huggingface-pytorch-trcomp-training``) and gets the
  ``sagemaker_training_compiler_enabled`` hyperparameter;
- the compiler's advice from the notebook: a larger batch (the compiled model uses less
  memory) with the learning rate scaled linearly;
- the compiler's own checks, as in SDK v2: a supported GPU instance and PyTorch version,
  no ``image_uri``, and no ``smdistributed`` distribution.

How it runs here: against AWS, so it needs an account (or a SageMaker-compatible endpoint)
and a role in ``SAGEMAKER_ROLE`` (or run it inside SageMaker). The compiler needs its GPU
image, so there is no local variant; the CI runs the script against a moto server by
setting ``AWS_ENDPOINT_URL`` alone, and checks the image and hyperparameters that reached
the job. The training script is ``examples/training/train_with_trainer.py``.

Run it::

    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \
        .venv/bin/python examples/15_training_compiler.py
"""

from __future__ import annotations

import os
from pathlib import Path

from sample_data import upload_splits

from sagemaker_hf import HuggingFace, Session, TrainingCompilerConfig, get_execution_role

TRAINING_CODE = Path(__file__).resolve().parent / "training"
BATCH_SIZE = 24  # the notebook's batch without the compiler was 8: the compiled model fits 3x
LEARNING_RATE = 5e-5 / 8 * BATCH_SIZE  # scaled linearly with the batch


def main() -> None:
    sess = Session()
    # Inside SageMaker the role is found for you; elsewhere name it in SAGEMAKER_ROLE.
    role = os.environ.get("SAGEMAKER_ROLE") or get_execution_role(sess)
    inputs = upload_splits(sess, key_prefix="samples/datasets/imdb")

    hyperparameters = {
        "epochs": 4,
        "train_batch_size": BATCH_SIZE,
        "learning_rate": LEARNING_RATE,
        "model_name": "bert-base-cased",
    }
    huggingface_estimator = HuggingFace(
        entry_point="train_with_trainer.py",
        source_dir=str(TRAINING_CODE),
        instance_type="ml.p3.2xlarge",
        instance_count=1,
        role=role,
        transformers_version="4.21",
        pytorch_version="1.11",
        py_version="py38",
        hyperparameters=hyperparameters,
        compiler_config=TrainingCompilerConfig(),
        sagemaker_session=sess,
    )
    huggingface_estimator.fit(inputs)
    print(f"image: {huggingface_estimator.training_image_uri()}")
    print(f"trained model: {huggingface_estimator.model_data}")


if __name__ == "__main__":
    main()
