"""07 · TensorFlow distributed training, data parallel: Keras on two 8-GPU instances.

Notebook: ``sagemaker/07_tensorflow_distributed_training_data_parallelism`` (IMDb,
``distilbert-base-uncased``). What it shows, with SDK v2's calls and only the import
changed:

- ``HuggingFace(..., tensorflow_version=...)`` with
  ``distribution={"smdistributed": {"dataparallel": {"enabled": True}}}`` on two
  ``ml.p3.16xlarge``: the TensorFlow training image and the
  ``sagemaker_distributed_dataparallel_enabled`` hyperparameters SDK v2 sends;
- the training script (``examples/training/train_tf.py``) shards the data with
  ``smdistributed.dataparallel.tensorflow`` and scales the learning rate with the number of
  processes; ``fit()`` with the job's log, then the trained model's location.

How it runs here: against AWS, so it needs an account (or a SageMaker-compatible endpoint)
and a role in ``SAGEMAKER_ROLE`` (or run it inside SageMaker). TensorFlow is not installed
in this project and multi-instance training has no local variant; the CI runs the script
against a moto server by setting ``AWS_ENDPOINT_URL`` alone, and checks the distribution
flags, instances and image that reached the training job.

Run it::

    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \
        .venv/bin/python examples/07_tensorflow_distributed.py
"""

from __future__ import annotations

import os
from pathlib import Path

from sample_data import upload_splits

from sagemaker_hf import HuggingFace, Session, get_execution_role

TRAINING_CODE = Path(__file__).resolve().parent / "training"


def main() -> None:
    sess = Session()
    # Inside SageMaker the role is found for you; elsewhere name it in SAGEMAKER_ROLE.
    role = os.environ.get("SAGEMAKER_ROLE") or get_execution_role(sess)
    inputs = upload_splits(sess, key_prefix="samples/datasets/imdb")

    hyperparameters = {
        "epochs": 1,
        "train_batch_size": 16,
        "learning_rate": 3e-5,
        "model_name": "distilbert-base-uncased",
    }
    huggingface_estimator = HuggingFace(
        entry_point="train_tf.py",
        source_dir=str(TRAINING_CODE),
        instance_type="ml.p3.16xlarge",
        instance_count=2,
        role=role,
        transformers_version="4.17",
        tensorflow_version="2.6",
        py_version="py38",
        distribution={"smdistributed": {"dataparallel": {"enabled": True}}},
        hyperparameters=hyperparameters,
        sagemaker_session=sess,
    )
    huggingface_estimator.fit(inputs)
    print(f"trained model: {huggingface_estimator.model_data}")


if __name__ == "__main__":
    main()
