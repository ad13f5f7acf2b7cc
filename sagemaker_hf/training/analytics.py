"""TrainingJobAnalytics: a training job's CloudWatch metrics as a pandas DataFrame (SDK v2's).

The job's ``metric_definitions`` (or ``metric_names``) are read from CloudWatch's
``/aws/sagemaker/TrainingJobs`` namespace with ``get_metric_statistics`` (the average of
each period), between the job's start and end (plus a minute, as v2: CloudWatch drops the
seconds of the end time). ``dataframe()`` has v2's columns: ``timestamp`` (seconds since
the metric's first point), ``metric_name`` and ``value``.

pandas is imported only by ``dataframe()``; without it, the error says how to install it.
Local training jobs publish no CloudWatch metrics (neither did v2's): their metrics are in
the job's log.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from sagemaker_hf._validation import checked_arguments
from sagemaker_hf.errors import ConfigurationError
from sagemaker_hf.session import Session

logger = logging.getLogger(__name__)

CLOUDWATCH_NAMESPACE = "/aws/sagemaker/TrainingJobs"
METRICS_PERIOD_DEFAULT = 60  # seconds, v2's default
MAX_DATAPOINTS_PER_CALL = 1440  # CloudWatch's limit for one get_metric_statistics call
COLUMNS = ("timestamp", "metric_name", "value")


class TrainingJobAnalytics:
    """The CloudWatch metrics of one training job (SDK v2's ``sagemaker.analytics.TrainingJobAnalytics``)."""

    CLOUDWATCH_NAMESPACE = CLOUDWATCH_NAMESPACE

    @checked_arguments("TrainingJobAnalytics")
    def __init__(
        self,
        training_job_name: str,
        metric_names: list[str] | None = None,
        sagemaker_session: Session | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        period: int | None = None,
    ) -> None:
        session = sagemaker_session if sagemaker_session is not None else Session()
        self._session = session
        self._training_job_name = training_job_name
        self._start_time = start_time
        self._end_time = end_time
        self._period = period or METRICS_PERIOD_DEFAULT
        if self._period % 60 and self._period not in (1, 5, 10, 30):
            raise ConfigurationError(
                f"TrainingJobAnalytics(period={period}): CloudWatch periods are 1, 5, 10, 30 or a multiple "
                "of 60 seconds."
            )
        # Like v2, the job is described now: a wrong name fails here, not at dataframe().
        description = session.sagemaker_client.describe_training_job(TrainingJobName=training_job_name)
        self._metric_names = list(metric_names) if metric_names else _defined_metric_names(description)
        self._description = description
        self._dataframe: Any = None

    @property
    def name(self) -> str:
        return self._training_job_name

    def __repr__(self) -> str:
        return f"<sagemaker_hf.TrainingJobAnalytics for {self.name}>"

    def clear_cache(self) -> None:
        """Forget the fetched metrics (and the job's end time): the next dataframe() reads them again."""
        self._dataframe = None
        self._description = self._session.sagemaker_client.describe_training_job(
            TrainingJobName=self._training_job_name
        )

    def dataframe(self, force_refresh: bool = False) -> Any:
        """A ``pandas.DataFrame`` with the columns ``timestamp``, ``metric_name``, ``value``."""
        pandas = _pandas()
        if force_refresh:
            self.clear_cache()
        if self._dataframe is None:
            rows: dict[str, list[Any]] = {column: [] for column in COLUMNS}
            for metric_name in self._metric_names:
                for elapsed, value in self._points(metric_name):
                    rows["timestamp"].append(elapsed)
                    rows["metric_name"].append(metric_name)
                    rows["value"].append(value)
            self._dataframe = pandas.DataFrame(rows)
        return self._dataframe

    def export_csv(self, filename: str) -> None:
        """Write the dataframe to ``filename`` as CSV (v2's ``export_csv``)."""
        self.dataframe().to_csv(filename)

    def _interval(self) -> tuple[datetime, datetime]:
        description = self._description
        start = self._start_time or description.get("TrainingStartTime") or description["CreationTime"]
        end = self._end_time or description.get("TrainingEndTime", datetime.now(timezone.utc)) + timedelta(
            minutes=1
        )
        return start, end

    def _points(self, metric_name: str) -> list[tuple[float, float]]:
        """(seconds since the first point, average), in time order."""
        client = self._session.client("cloudwatch")
        start, end = self._interval()
        window = timedelta(seconds=self._period * MAX_DATAPOINTS_PER_CALL)
        datapoints: list[dict[str, Any]] = []
        while start < end:  # one call per 1440 periods: longer jobs need several
            stop = min(start + window, end)
            response = client.get_metric_statistics(
                Namespace=CLOUDWATCH_NAMESPACE,
                MetricName=metric_name,
                Dimensions=[{"Name": "TrainingJobName", "Value": self.name}],
                StartTime=start,
                EndTime=stop,
                Period=self._period,
                Statistics=["Average"],
            )
            datapoints += response.get("Datapoints", [])
            start = stop
        if not datapoints:
            logger.warning("No metrics called %s found for training job %s", metric_name, self.name)
            return []
        first = min(point["Timestamp"] for point in datapoints)
        points = [((point["Timestamp"] - first).total_seconds(), point["Average"]) for point in datapoints]
        return sorted(points, key=lambda point: point[0])


def _defined_metric_names(description: dict[str, Any]) -> list[str]:
    definitions = description.get("AlgorithmSpecification", {}).get("MetricDefinitions") or []
    if not definitions:
        raise ConfigurationError(
            f"Training job {description['TrainingJobName']!r} has no metric definitions, so there is no "
            "metric to read: pass metric_names=['loss', ...], or train with metric_definitions=[{'Name': "
            "..., 'Regex': ...}]."
        )
    return [definition["Name"] for definition in definitions]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "TrainingJobAnalytics.dataframe() needs pandas, which is not installed: pip install pandas"
        ) from None
    return pandas
