"""08 · Distributed summarization: fine-tune BART on two instances, deploy it, summarize a dialogue.

Notebook: ``sagemaker/08_distributed_summarization_bart_t5`` (samsum,
``facebook/bart-large-cnn``, the transformers ``run_summarization.py`` script). What it
shows, with SDK v2's calls and only the import changed:

- ``distribution={"smdistributed": {"dataparallel": {"enabled": True}}}`` on two
  ``ml.p3dn.24xlarge``, and the notebook's seq2seq hyperparameters;
- ``fit()`` with the job's log, then ``deploy()`` of the trained model and a summary of a
  conversation; the endpoint and the model are deleted.

The one change besides the import: SDK v2's ``git_config`` fetched
``run_summarization.py``; sagemaker-hf asks for a checkout (``--transformers-checkout``),
or clones the branch for you (``examples/transformers_checkout.py``).

How it runs here: against AWS, so it needs an account (or a SageMaker-compatible endpoint)
and a role in ``SAGEMAKER_ROLE`` (or run it inside SageMaker). Multi-instance training has
no local variant; the CI runs the script against a moto server by setting
``AWS_ENDPOINT_URL`` alone, and checks the training job and the endpoint requests.

Run it::

    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \
        .venv/bin/python examples/08_distributed_summarization.py [--transformers-checkout ./transformers]
"""

from __future__ import annotations

import argparse
import json
import os

from transformers_checkout import transformers_examples

from sagemaker_hf import HuggingFace, get_execution_role

CONVERSATION = """Jeff: Can I train a 🤗 Transformers model on Amazon SageMaker?
Philipp: Sure you can use the new Hugging Face Deep Learning Container.
Jeff: ok.
Jeff: and how can I get started?
Jeff: where can I find documentation?
Philipp: ok, ok you can find everything here. https://huggingface.co/blog/the-partnership-amazon-sagemaker-and-hugging-face"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transformers-checkout", help="a checkout of huggingface/transformers at v4.26.0")
    args = parser.parse_args()
    # Inside SageMaker the role is found for you; elsewhere name it in SAGEMAKER_ROLE.
    role = os.environ.get("SAGEMAKER_ROLE") or get_execution_role()

    hyperparameters = {
        "model_name_or_path": "facebook/bart-large-cnn",
        "dataset_name": "samsum",
        "do_train": True,
        "do_eval": True,
        "do_predict": True,
        "predict_with_generate": True,
        "output_dir": "/opt/ml/model",
        "num_train_epochs": 3,
        "per_device_train_batch_size": 4,
        "per_device_eval_batch_size": 4,
        "learning_rate": 5e-5,
        "seed": 7,
        "fp16": True,
    }
    examples = "examples/pytorch/summarization"
    with transformers_examples(args.transformers_checkout, "v4.26.0", examples) as source_dir:
        huggingface_estimator = HuggingFace(
            entry_point="run_summarization.py",
            source_dir=source_dir,
            instance_type="ml.p3dn.24xlarge",
            instance_count=2,
            role=role,
            transformers_version="4.26",
            pytorch_version="1.13",
            py_version="py39",
            distribution={"smdistributed": {"dataparallel": {"enabled": True}}},
            hyperparameters=hyperparameters,
        )
        huggingface_estimator.fit()

    predictor = huggingface_estimator.deploy(initial_instance_count=1, instance_type="ml.g4dn.xlarge")
    try:
        summary = predictor.predict({"inputs": CONVERSATION})
        print(f"summary: {json.dumps(summary)}")
    finally:
        predictor.delete_endpoint()
        predictor.delete_model()


if __name__ == "__main__":
    main()
