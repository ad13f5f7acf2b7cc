"""06 · SageMaker Metrics: metrics read from the training log with ``metric_definitions``.

Notebook: ``sagemaker/06_sagemaker_metrics`` (IMDb, ``distilbert-base-uncased``,
``transformers.Trainer``). What it shows, with SDK v2's calls and only the import changed:

- ``metric_definitions``: a name and a regular expression per metric, applied by SageMaker
  to every line of the job's log (``Trainer`` prints ``{'loss': ..., 'eval_loss': ...}``);
  ``enable_sagemaker_metrics=True`` keeps them as time series;
- after ``fit()``, ``describe()`` gives each metric's last value (``FinalMetricDataList``),
  and CloudWatch has the series (namespace ``/aws/sagemaker/TrainingJobs``).

Not here: SDK v2's ``TrainingJobAnalytics(job_name).dataframe()``. Read the series with
CloudWatch's ``get_metric_data`` (``Session().client("cloudwatch")``), or the final values
from ``describe()["FinalMetricDataList"]`` as below.

How it runs here: against AWS, so it needs an account (or a SageMaker-compatible endpoint)
and a role in ``SAGEMAKER_ROLE`` (or run it inside SageMaker). Local training does not
compute SageMaker metrics; the CI runs the script against a moto server by setting
``AWS_ENDPOINT_URL`` alone, and checks the metric definitions that reached the job. The
training script is ``examples/training/train_with_trainer.py``.

Run it::

    SAGEMAKER_ROLE=arn:aws:iam::111122223333:role/SageMakerRole \
        .venv/bin/python examples/06_sagemaker_metrics.py
"""

from __future__ import annotations

import os
from pathlib import Path

from sample_data import upload_splits

from sagemaker_hf import HuggingFace, Session, get_execution_role

TRAINING_CODE = Path(__file__).resolve().parent / "training"
# Trainer prints floats such as 0.6931 or 5e-05 (transformers 5 quotes them: '0.6931').
NUMBER = r"'?([0-9]+(.|e\-)[0-9]+)"
METRICS = ("loss", "learning_rate", "eval_loss", "eval_accuracy", "eval_f1", "eval_precision", "eval_recall")
METRIC_DEFINITIONS = [{"Name": name, "Regex": rf"'{name}': {NUMBER},?"} for name in METRICS]


def main() -> None:
    sess = Session()
    # Inside SageMaker the role is found for you; elsewhere name it in SAGEMAKER_ROLE.
    role = os.environ.get("SAGEMAKER_ROLE") or get_execution_role(sess)
    inputs = upload_splits(sess, key_prefix="samples/datasets/imdb")

    hyperparameters = {"epochs": 1, "train_batch_size": 32, "model_name": "distilbert-base-uncased"}
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
        metric_definitions=METRIC_DEFINITIONS,
        enable_sagemaker_metrics=True,
        sagemaker_session=sess,
    )
    huggingface_estimator.fit(inputs)

    description = huggingface_estimator.describe()
    defined = [metric["Name"] for metric in description["AlgorithmSpecification"]["MetricDefinitions"]]
    print(f"metrics defined for {description['TrainingJobName']}: {', '.join(defined)}")
    for metric in description.get("FinalMetricDataList", []):
        print(f"  final {metric['MetricName']} = {metric['Value']}")


if __name__ == "__main__":
    main()
