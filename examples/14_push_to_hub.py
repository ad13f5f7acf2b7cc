"""14 · Fine-tune and push to the Hugging Face Hub: the Hub as the job's checkpoint store.

Notebook: ``sagemaker/14_train_and_push_to_hub`` (emotion, ``distilbert-base-uncased``,
``transformers.Trainer``). What it shows, with SDK v2's calls and only the import changed:

- the ``Trainer`` hub settings as hyperparameters: ``push_to_hub``, ``hub_model_id`` and
  ``hub_strategy`` (``every_save`` pushes each checkpoint, so the Hub holds the latest one
  while the job runs);
- the Hub token passed through the job's ``environment`` as ``HF_TOKEN``, which
  ``huggingface_hub`` reads inside the job. The notebook passed it as the ``hub_token``
  hyperparameter, and hyperparameters are printed in the job's log and command line;
  the environment is not. (``DescribeTrainingJob`` still returns it to anyone allowed to
  describe the job: for stricter secrecy, read it from AWS Secrets Manager in the script.)

How it runs here: against AWS, so it needs an account (or a SageMaker-compatible endpoint),
a role in ``SAGEMAKER_ROLE`` (or run it inside SageMaker), and a Hub token (``HF_TOKEN``, or
``huggingface-cli login``). There is no Hub access on this project's machines; the CI runs
the script against a moto server by setting ``AWS_ENDPOINT_URL`` alone, and checks the
hyperparameters and environment that reached the job (and that the token is in neither
the hyperparameters nor the script's output).

Run it::

    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole HF_TOKEN=hf_... \
        .venv/bin/python examples/14_push_to_hub.py --hub-model-id my-user/sagemaker-distilbert-imdb
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from sample_data import upload_splits

from sagemaker_hf import HuggingFace, Session, get_execution_role

TRAINING_CODE = Path(__file__).resolve().parent / "training"


def hub_token() -> str:
    import huggingface_hub

    token = os.environ.get("HF_TOKEN") or huggingface_hub.get_token()
    if not token:
        raise SystemExit("No Hugging Face token: set HF_TOKEN or run `huggingface-cli login` first.")
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub-model-id", default="sagemaker-distilbert-imdb", help="the Hub repository")
    args = parser.parse_args()
    sess = Session()
    # Inside SageMaker the role is found for you; elsewhere name it in SAGEMAKER_ROLE.
    role = os.environ.get("SAGEMAKER_ROLE") or get_execution_role(sess)
    inputs = upload_splits(sess, key_prefix="samples/datasets/imdb")

    hyperparameters = {
        "epochs": 1,
        "train_batch_size": 32,
        "model_name": "distilbert-base-uncased",
        "output_dir": "/opt/ml/checkpoints",
        "push_to_hub": True,
        "hub_model_id": args.hub_model_id,
        "hub_strategy": "every_save",
    }
    huggingface_estimator = HuggingFace(
        entry_point="train_with_trainer.py",
        source_dir=str(TRAINING_CODE),
        instance_type="ml.p3.2xlarge",
        instance_count=1,
        role=role,
        transformers_version="4.26",
        pytorch_version="1.13",
        py_version="py39",
        hyperparameters=hyperparameters,
        environment={"HF_TOKEN": hub_token()},
        sagemaker_session=sess,
    )
    huggingface_estimator.fit(inputs)
    print(f"trained model: {huggingface_estimator.model_data}")
    print(f"checkpoints and the final model are on https://huggingface.co/{args.hub_model_id}")


if __name__ == "__main__":
    main()
