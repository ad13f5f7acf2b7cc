"""04 · Distributed training, model parallel: RoBERTa-large split over the GPUs of an instance.

Notebook: ``sagemaker/04_distributed_training_model_parallelism`` (MNLI, ``roberta-large``,
the transformers ``run_glue.py`` script). What it shows, with SDK v2's calls and only the
import changed:

- ``distribution={"smdistributed": {"modelparallel": {...}}, "mpi": {...}}``: SageMaker's
  model parallel library under MPI, with the notebook's partitions, micro-batches and
  pipeline settings; the job gets the ``mp_parameters`` and ``sagemaker_mpi_*``
  hyperparameters SDK v2 sends;
- ``fit()`` with the job's log, then the trained model's location.

The one change besides the import: SDK v2's ``git_config`` fetched ``run_glue.py``;
sagemaker-hf asks for a checkout (``--transformers-checkout``), or clones the branch for you
(``examples/transformers_checkout.py``).

How it runs here: against AWS, so it needs an account (or a SageMaker-compatible endpoint)
and a role in ``SAGEMAKER_ROLE`` (or run it inside SageMaker). Model-parallel training has
no local variant; the CI runs the script against a moto server by setting
``AWS_ENDPOINT_URL`` alone, and checks the distribution flags and image that reached the job.

Run it::

    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \
        .venv/bin/python examples/04_model_parallel.py [--transformers-checkout ./transformers]
"""

from __future__ import annotations

import argparse
import os

from transformers_checkout import transformers_examples

from sagemaker_hf import HuggingFace, get_execution_role


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transformers-checkout", help="a checkout of huggingface/transformers at v4.6.1")
    args = parser.parse_args()
    # Inside SageMaker the role is found for you; elsewhere name it in SAGEMAKER_ROLE.
    role = os.environ.get("SAGEMAKER_ROLE") or get_execution_role()

    hyperparameters = {
        "model_name_or_path": "roberta-large",
        "task_name": "mnli",
        "per_device_train_batch_size": 16,
        "per_device_eval_batch_size": 16,
        "do_train": True,
        "do_eval": True,
        "do_predict": True,
        "num_train_epochs": 2,
        "output_dir": "/opt/ml/model",
        "max_steps": 500,
    }
    mpi_options = {"enabled": True, "processes_per_host": 8}
    smp_options = {
        "enabled": True,
        "parameters": {
            "microbatches": 4,
            "placement_strategy": "spread",
            "pipeline": "interleaved",
            "optimize": "speed",
            "partitions": 4,
            "ddp": True,
        },
    }
    distribution = {"smdistributed": {"modelparallel": smp_options}, "mpi": mpi_options}

    examples = "examples/pytorch/text-classification"
    with transformers_examples(args.transformers_checkout, "v4.6.1", examples) as source_dir:
        huggingface_estimator = HuggingFace(
            entry_point="run_glue.py",
            source_dir=source_dir,
            instance_type="ml.p3dn.24xlarge",
            instance_count=1,
            role=role,
            transformers_version="4.6.1",
            pytorch_version="1.7.1",
            py_version="py36",
            distribution=distribution,
            hyperparameters=hyperparameters,
        )
        huggingface_estimator.fit()
    print(f"trained model: {huggingface_estimator.model_data}")


if __name__ == "__main__":
    main()
