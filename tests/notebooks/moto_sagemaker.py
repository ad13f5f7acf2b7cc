"""The moto server, made to do what SageMaker does around a training job, and to take today's instances.

moto completes a training job the moment it is created, but leaves out what SageMaker
produces while the job runs, which the notebooks read afterwards:

- the job's CloudWatch log stream (``/aws/sagemaker/TrainingJobs``, ``<job>/algo-1-...``),
  which ``logs_for_job()`` and ``fit()`` print;
- one CloudWatch datapoint per metric definition (namespace ``/aws/sagemaker/TrainingJobs``,
  dimension ``TrainingJobName``), which ``TrainingJobAnalytics(...).dataframe()`` reads;
- ``model.tar.gz`` at the job's ``S3ModelArtifacts``, which ``S3Downloader.download`` and
  ``S3Downloader.read_bytes`` fetch.

moto also replaces the metric definitions it was sent with its own (``test:dcg``); the job
keeps the ones the request carried, as SageMaker does. And moto's endpoint-config check knows
no instance family newer than g4dn (``ml.g5.*``, ``ml.inf2.*``, ``ml.c6i.*`` are refused),
which the LLM notebooks deploy to: every ``ml.*`` type is accepted instead. Last, moto's
sagemaker-runtime decodes every request body as UTF-8 and answers 500 to the JPEG bytes a
``DataSerializer`` sends; here binary bodies are taken as they are.

``plays_sagemaker(monkeypatch, artifact_files)`` installs all of it in this process, which is
where ``ThreadedMotoServer`` answers; ``artifact_files`` (name -> text) is what the next
training jobs' ``model.tar.gz`` holds.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.notebooks.workspace import tar_gz

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
METRIC_NAMESPACE = "/aws/sagemaker/TrainingJobs"


def _emit(
    account: str, region: str, job: Any, definitions: list[dict[str, str]], artifact_files: dict[str, str]
) -> None:
    """The log stream, the metric datapoints and the model archive of a finished job."""
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.logs.models import logs_backends
    from moto.s3.models import s3_backends

    name = job.training_job_name
    logs = logs_backends[account][region]
    if LOG_GROUP not in logs.groups:
        logs.create_log_group(LOG_GROUP, tags={})
    stream = f"{name}/algo-1-{int(time.time())}"
    logs.create_log_stream(LOG_GROUP, stream)
    now = int(time.time() * 1000)
    lines = [f"Training job {name} on the moto server: no script runs here."]
    lines += [f"{definition['Name']} = 0.5" for definition in definitions]
    logs.put_log_events(LOG_GROUP, stream, [{"timestamp": now, "message": line} for line in lines])

    data = [
        {
            "MetricName": definition["Name"],
            "Value": 0.5,
            "Timestamp": job.training_start_time,
            "Dimensions": [{"Name": "TrainingJobName", "Value": name}],
        }
        for definition in definitions
    ]
    if data:
        cloudwatch_backends[account][region].put_metric_data(METRIC_NAMESPACE, data)

    bucket, _, key = job.model_artifacts["S3ModelArtifacts"].removeprefix("s3://").partition("/")
    s3 = s3_backends[account]["aws"]
    if bucket in s3.buckets:
        s3.put_object(bucket, key, tar_gz({path: text.encode() for path, text in artifact_files.items()}))


def plays_sagemaker(monkeypatch: pytest.MonkeyPatch, artifact_files: dict[str, str]) -> None:
    from moto.sagemaker import models
    from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

    create_training_job = models.SageMakerModelBackend.create_training_job

    def create_and_run(
        self: Any,
        training_job_name: str,
        hyper_parameters: Any,
        algorithm_specification: dict,
        *rest: Any,
        **named: Any,
    ) -> Any:
        definitions = [
            dict(definition) for definition in algorithm_specification.get("MetricDefinitions", [])
        ]
        job = create_training_job(
            self, training_job_name, hyper_parameters, algorithm_specification, *rest, **named
        )
        job.algorithm_specification["MetricDefinitions"] = definitions  # moto put its own there
        _emit(self.account_id, self.region_name, job, definitions, artifact_files)
        return job

    def any_ml_instance(self: Any, instance_type: str) -> None:
        if not instance_type.startswith("ml."):
            raise ValueError(f"not a SageMaker instance type: {instance_type}")

    def setup_with_binary_bodies(self: Any, request: Any, *rest: Any, **named: Any) -> None:
        setup_class(self, request, *rest, **{**named, "use_raw_body": True})
        if isinstance(self.body, bytes):
            self.body = self.body.decode("utf-8", errors="backslashreplace")

    setup_class = SageMakerRuntimeResponse.setup_class
    monkeypatch.setattr(SageMakerRuntimeResponse, "setup_class", setup_with_binary_bodies)
    monkeypatch.setattr(models.SageMakerModelBackend, "create_training_job", create_and_run)
    monkeypatch.setattr(models.FakeEndpointConfig, "validate_instance_type", any_ml_instance)
