"""TrainingJobAnalytics: CloudWatch metrics of a training job as v2's DataFrame, against the moto server."""

from __future__ import annotations

import csv
import sys
from datetime import timedelta

import pytest

from sagemaker_hf.training.analytics import TrainingJobAnalytics
from tests.training.conftest import huggingface_estimator

METRICS = [
    {"Name": "loss", "Regex": "'loss': ([0-9.]+)"},
    {"Name": "eval_accuracy", "Regex": "'eval_accuracy': ([0-9.]+)"},
]


@pytest.fixture
def trained(moto_session, moto_role_arn, source_dir):
    """A finished job with metric definitions, and the loss CloudWatch holds for it."""
    estimator = huggingface_estimator(moto_session, moto_role_arn, source_dir, metric_definitions=METRICS)
    estimator.fit("s3://data/train", logs=False)
    job = estimator.latest_training_job.name
    started = estimator.describe()["TrainingStartTime"]
    cloudwatch = moto_session.client("cloudwatch")
    for seconds, loss in ((20, 0.5), (0, 0.9), (10, 0.7)):
        cloudwatch.put_metric_data(
            Namespace="/aws/sagemaker/TrainingJobs",
            MetricData=[
                {
                    "MetricName": "loss",
                    "Dimensions": [{"Name": "TrainingJobName", "Value": job}],
                    "Timestamp": started + timedelta(seconds=seconds),
                    "Value": loss,
                }
            ],
        )
    return estimator


# moto describes every job with its own MetricDefinitions (test:dcg), whatever was sent, so
# these tests name the metrics; with SageMaker, the job's definitions give the same names.


def test_the_dataframe_has_v2s_columns_in_time_order(trained, moto_session, caplog):
    analytics = TrainingJobAnalytics(
        trained.latest_training_job.name,
        metric_names=["loss", "eval_accuracy"],
        sagemaker_session=moto_session,
        period=10,
    )
    frame = analytics.dataframe()
    assert list(frame.columns) == ["timestamp", "metric_name", "value"]
    assert frame.to_dict("records") == [
        {"timestamp": 0.0, "metric_name": "loss", "value": 0.9},
        {"timestamp": 10.0, "metric_name": "loss", "value": 0.7},
        {"timestamp": 20.0, "metric_name": "loss", "value": 0.5},
    ]
    assert "No metrics called eval_accuracy found" in caplog.text  # defined, never published


def test_the_estimator_property_the_default_period_and_export_csv(trained, tmp_path):
    assert trained.training_job_analytics.name == trained.latest_training_job.name
    analytics = TrainingJobAnalytics(
        trained.latest_training_job.name, metric_names=["loss"], sagemaker_session=trained.sagemaker_session
    )
    frame = analytics.dataframe()
    assert frame["value"].tolist() == [pytest.approx(0.7)]  # one 60 s period: the average of the three
    target = tmp_path / "metrics.csv"
    analytics.export_csv(str(target))
    rows = list(csv.DictReader(target.open()))
    assert [row["metric_name"] for row in rows] == ["loss"]


def test_an_empty_job_has_the_columns_and_pandas_is_only_needed_for_the_frame(trained, monkeypatch):
    analytics = TrainingJobAnalytics(
        trained.latest_training_job.name, metric_names=["never"], sagemaker_session=trained.sagemaker_session
    )
    assert list(analytics.dataframe().columns) == ["timestamp", "metric_name", "value"]
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    with pytest.raises(ImportError, match="pip install pandas"):
        analytics.dataframe(force_refresh=True)


def test_wrong_arguments_are_named(moto_session):
    from sagemaker_hf.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=r"metric_names=\.\.\.\): got str 'loss'"):
        TrainingJobAnalytics("job", metric_names="loss", sagemaker_session=moto_session)
    with pytest.raises(ConfigurationError, match="periods are 1, 5, 10, 30 or a multiple of 60"):
        TrainingJobAnalytics("job", sagemaker_session=moto_session, period=45)
