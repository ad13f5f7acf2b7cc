"""03 · Distributed training, data parallel: question answering on two 8-GPU instances.

Notebook: ``sagemaker/03_distributed_training_data_parallelism`` (SQuAD,
``bert-large-uncased-whole-word-masking``, the transformers ``run_qa.py`` script). What it
shows, with SDK v2's calls and only the import changed:

- ``distribution={"smdistributed": {"dataparallel": {"enabled": True}}}`` on two
  ``ml.p3.16xlarge``: the job gets the ``sagemaker_distributed_dataparallel_enabled`` and
  ``sagemaker_instance_type`` hyperparameters SDK v2 sends;
- the notebook's ``run_qa.py`` hyperparameters, passed to the script as ``--key value``;
- ``fit()`` with the job's log, then the trained model's location.

The one change besides the import: SDK v2's ``git_config`` fetched ``run_qa.py`` from the
transformers repository; sagemaker-hf asks for a checkout (``--transformers-checkout``), or
clones the branch for you (``examples/transformers_checkout.py``).

How it runs here: against AWS, so it needs an account (or a SageMaker-compatible endpoint)
and a role in ``SAGEMAKER_ROLE`` (or run it inside SageMaker). Multi-instance training has
no local variant; the CI runs the script against a moto server by setting
``AWS_ENDPOINT_URL`` alone, and checks the distribution flags, instances and image that
reached the training job.

Run it::

    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \
        .venv/bin/python examples/03_distributed_data_parallel.py [--transformers-checkout ./transformers]
"""

from __future__ import annotations

import argparse
import os

from transformers_checkout import transformers_examples

from sagemaker_hf import HuggingFace, get_execution_role


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transformers-checkout", help="a checkout of huggingface/transformers at v4.26.0")
    args = parser.parse_args()
    # Inside SageMaker the role is found for you; elsewhere name it in SAGEMAKER_ROLE.
    role = os.environ.get("SAGEMAKER_ROLE") or get_execution_role()

    hyperparameters = {
        "model_name_or_path": "bert-large-uncased-whole-word-masking",
        "dataset_name": "squad",
        "do_train": True,
        "do_eval": True,
        "fp16": True,
        "per_device_train_batch_size": 4,
        "per_device_eval_batch_size": 4,
        "num_train_epochs": 2,
        "max_seq_length": 384,
        "max_steps": 100,
        "pad_to_max_length": True,
        "doc_stride": 128,
        "output_dir": "/opt/ml/model",
    }
    distribution = {"smdistributed": {"dataparallel": {"enabled": True}}}

    examples = "examples/pytorch/question-answering"
    with transformers_examples(args.transformers_checkout, "v4.26.0", examples) as source_dir:
        huggingface_estimator = HuggingFace(
            entry_point="run_qa.py",
            source_dir=source_dir,
            instance_type="ml.p3.16xlarge",
            instance_count=2,
            role=role,
            transformers_version="4.26",
            pytorch_version="1.13",
            py_version="py39",
            distribution=distribution,
            hyperparameters=hyperparameters,
        )
        huggingface_estimator.fit()
    print(f"trained model: {huggingface_estimator.model_data}")


if __name__ == "__main__":
    main()
