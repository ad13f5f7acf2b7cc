"""02 · Getting started with TensorFlow: fine-tune with Keras on SageMaker, then deploy.

Notebook: ``sagemaker/02_getting_started_tensorflow`` (IMDb, ``distilbert-base-uncased``).
What it shows, with SDK v2's calls and only the import changed:

1. the ``train`` and ``test`` data uploaded to the default bucket with
   ``Session().upload_data`` (the notebook uploads the tokenized IMDb dataset);
2. ``HuggingFace(..., tensorflow_version="2.6")``: the TensorFlow training image, the
   notebook's hyperparameters, ``fit({"train": ..., "test": ...})`` with the job's log;
3. ``deploy()`` of the trained model to the TensorFlow inference image, one prediction,
   then the endpoint and the model are deleted.

How it runs here: against AWS, so it needs an account (or a SageMaker-compatible endpoint)
and a role: ``SAGEMAKER_ROLE=arn:aws:iam::<account>:role/<name>``, or run it inside
SageMaker. TensorFlow is not installed in this project, so there is no local-mode variant;
the CI runs the script against a moto server by setting ``AWS_ENDPOINT_URL`` alone, and
checks the training job, the image and the hyperparameters that reached it. The training
script is ``examples/training/train_tf.py``.

Run it::

    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \
        .venv/bin/python examples/02_getting_started_tensorflow.py
"""

from __future__ import annotations

import json
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

    hyperparameters = {"epochs": 1, "train_batch_size": 32, "model_name": "distilbert-base-uncased"}
    huggingface_estimator = HuggingFace(
        entry_point="train_tf.py",
        source_dir=str(TRAINING_CODE),
        instance_type="ml.p3.2xlarge",
        instance_count=1,
        role=role,
        transformers_version="4.17",
        tensorflow_version="2.6",
        py_version="py38",
        hyperparameters=hyperparameters,
        sagemaker_session=sess,
    )
    huggingface_estimator.fit(inputs)
    print(f"trained model: {huggingface_estimator.model_data}")

    predictor = huggingface_estimator.deploy(initial_instance_count=1, instance_type="ml.g4dn.xlarge")
    try:
        result = predictor.predict({"inputs": "I love using the new Inference DLC."})
        print(f"prediction: {json.dumps(result)}")
    finally:
        predictor.delete_endpoint()
        predictor.delete_model()


if __name__ == "__main__":
    main()
